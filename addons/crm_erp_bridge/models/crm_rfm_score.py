from odoo import api, models
from odoo.tools import SQL


class CrmRfmScore(models.Model):
    _inherit = "crm.rfm.score"

    @api.model
    def _value_contribution_sql(self, company, date_from, date_to):
        """Value classes on net contribution (revenue - real COGS - cost to serve) instead of revenue."""
        source = self.env["crm.customer.profitability"]._profitability_source(
            company.id, date_from, date_to, detail=False
        )
        return SQL(
            "SELECT partner_id, SUM(revenue - cogs - ticket_credit - loyalty_rewards) AS amount"
            " FROM (%s) src GROUP BY partner_id",
            source,
        )
