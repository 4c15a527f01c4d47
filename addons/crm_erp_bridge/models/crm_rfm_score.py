from odoo import api, models
from odoo.tools import SQL


class CrmRfmScore(models.Model):
    _inherit = "crm.rfm.score"

    @api.model
    def _value_amount_sql(self):
        """Value classes on net contribution (revenue - real COGS - cost to serve) instead of revenue."""
        return SQL("SUM(f.revenue - f.cogs - f.ticket_credit - f.loyalty_rewards)")
