from odoo.tests import tagged

from odoo.addons.crm_feedback.tests.common import FeedbackCommon


@tagged("post_install", "-at_install")
class TestTicketSentiment(FeedbackCommon):
    """With the analysers installed, tickets and NPS comments are scored, and a negative ticket is raised."""

    def test_negative_ticket_raises_priority(self):
        calm = self._ticket(description="<p>Could you send the catalogue?</p>", ticket_type="question")
        angry = self._ticket(description="<p>产品质量很差，非常失望，太糟糕了</p>")
        self.assertEqual((calm.priority, calm.sentiment), ("1", "neutral"))
        self.assertEqual((angry.priority, angry.sentiment), ("2", "negative"))
        self.assertLess(angry.sentiment_score, -0.25)

    def test_customer_email_can_only_lower_the_sentiment(self):
        ticket = self._ticket(description="<p>Could you send the catalogue?</p>", ticket_type="question")
        self.assertEqual(ticket.sentiment, "neutral")
        ticket.message_post(body="Thank you, excellent work!", message_type="email", author_id=self.customer.id)
        self.assertEqual(ticket.sentiment, "neutral", "a kinder email does not raise it")
        ticket.message_post(
            body="This is the worst service ever, terrible and useless.",
            message_type="email",
            author_id=self.customer.id,
        )
        self.assertEqual(ticket.sentiment, "negative")

    def test_nps_comment(self):
        answer = self.env["crm.feedback.nps"].create(
            {"partner_id": self.customer.id, "score": 2, "comment": "Terrible service, never again."}
        )
        self.assertEqual(answer.sentiment, "negative")
        answer.comment = "服务很好，非常满意"
        self.assertEqual(answer.sentiment, "positive")
        answer.comment = False
        self.assertEqual((answer.sentiment, answer.sentiment_score), ("neutral", 0.0))
