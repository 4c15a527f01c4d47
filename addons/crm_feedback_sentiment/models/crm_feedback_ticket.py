from odoo import api, models

from ..tools import sentiment


class CrmFeedbackTicket(models.Model):
    _inherit = "crm.feedback.ticket"

    @api.model
    def _sentiment_score(self, text):
        """Sentiment of ``text`` in [-1, 1] by the offline analysers (VADER for English, SnowNLP for Chinese)."""
        return sentiment.score(text)
