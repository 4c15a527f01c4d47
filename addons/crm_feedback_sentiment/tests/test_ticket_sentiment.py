from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.crm_feedback.models.crm_feedback_ticket import CrmFeedbackTicket
from odoo.addons.crm_feedback.tests.common import FeedbackCommon

from ..hooks import post_init_hook


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

    def test_install_analyses_what_was_not(self):
        """Tickets and answers written without the analysers (crm_feedback's demo data, loaded before this
        addon) are analysed when it is installed; those analysed before keep their sentiment."""
        registry_class = type(self.env["crm.feedback.ticket"])
        with patch.object(registry_class, "_sentiment_score", CrmFeedbackTicket._sentiment_score):
            ticket = self._ticket(description="<p>产品质量很差，非常失望，太糟糕了</p>")
            answer = self.env["crm.feedback.nps"].create(
                {"partner_id": self.customer.id, "score": 2, "comment": "Terrible service, never again."}
            )
            answer.flush_recordset()  # computed (stored) while the analysers are absent
        self.assertEqual((ticket.sentiment, answer.sentiment), (False, False))
        analysed = self._ticket(description="<p>Could you send the catalogue?</p>")
        analysed.sentiment_score = 0.1  # as an earlier version of the analysers scored it
        post_init_hook(self.env)
        self.assertEqual((ticket.sentiment, ticket.priority), ("negative", "2"))
        self.assertEqual(answer.sentiment, "negative")
        self.assertEqual((analysed.sentiment, analysed.sentiment_score), ("neutral", 0.1))
