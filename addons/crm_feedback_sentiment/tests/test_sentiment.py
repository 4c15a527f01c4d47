from odoo.tests import BaseCase, tagged

from ..tools import sentiment


@tagged("post_install", "-at_install")
class TestSentiment(BaseCase):
    """Real sentences in both languages: the sign must be right (no database, no network)."""

    def test_english(self):
        self.assertLess(sentiment.score("The desk arrived broken and support was terrible."), 0)
        self.assertGreater(sentiment.score("Great service, very happy with the fast delivery!"), 0)

    def test_chinese(self):
        self.assertLess(sentiment.score("产品质量很差，非常失望"), 0)
        self.assertGreater(sentiment.score("服务很好，非常满意"), 0)

    def test_mixed_html_and_empty(self):
        self.assertLess(sentiment.score("<p>Order SO042: 包装破了，东西也坏了，太糟糕了</p>"), 0)
        self.assertGreater(sentiment.score("<p>谢谢！ Thank you, excellent work.</p>"), 0)
        self.assertEqual(sentiment.score(""), 0.0)
        self.assertEqual(sentiment.score("<p> </p>"), 0.0)
