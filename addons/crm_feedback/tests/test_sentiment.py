from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..models.crm_feedback_ticket import CrmFeedbackTicket
from ..tools import sentiment
from .common import FeedbackCommon


@tagged("post_install", "-at_install")
class TestSentimentLabels(BaseCase):
    """A score reads negative, neutral or positive; no score (not analysed) has no label."""

    def test_labels(self):
        self.assertEqual(sentiment.label(-0.6), "negative")
        self.assertEqual(sentiment.label(-0.25), "negative")
        self.assertEqual(sentiment.label(0.0), "neutral")
        self.assertEqual(sentiment.label(0.25), "positive")
        self.assertEqual(sentiment.label(0.7), "positive")
        self.assertIs(sentiment.label(None), False)


@tagged("post_install", "-at_install")
class TestWithoutAnalyser(FeedbackCommon):
    """crm_feedback alone (the addon crm_feedback_sentiment and its libraries absent): tickets and NPS answers
    are not analysed, and nothing follows from a sentiment (priority)."""

    def setUp(self):
        super().setUp()
        # crm_feedback_sentiment may be installed beside: restore crm_feedback's own method for this test
        registry_class = type(self.env["crm.feedback.ticket"])
        patcher = patch.object(registry_class, "_sentiment_score", CrmFeedbackTicket._sentiment_score)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_ticket_not_analysed(self):
        ticket = self._ticket(description="<p>产品质量很差，非常失望，太糟糕了. Terrible, broken, awful!</p>")
        self.assertIsNone(self.env["crm.feedback.ticket"]._sentiment_score(ticket.description))
        self.assertEqual((ticket.sentiment, ticket.sentiment_score), (False, 0.0))
        self.assertEqual(ticket.priority, "1", "not raised: nothing says the ticket is negative")
        ticket.message_post(
            body="This is the worst service ever, I am furious.", message_type="email", author_id=self.customer.id
        )
        self.assertEqual((ticket.sentiment, ticket.sentiment_score), (False, 0.0))

    def test_nps_comment_not_analysed(self):
        answer = self.env["crm.feedback.nps"].create(
            {"partner_id": self.customer.id, "score": 2, "comment": "Terrible service, never again."}
        )
        self.assertEqual((answer.sentiment, answer.sentiment_score), (False, 0.0))
