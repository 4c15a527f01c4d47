from odoo import api, fields, models


class ResPartner(models.Model):
    """The customer's lifetime value on contribution against the cost to serve them over its horizon, on the
    360° view (crm.clv.contribution's figures of the current company)."""

    _inherit = "res.partner"

    crm_clv_service_cost = fields.Monetary(
        compute="_compute_crm_clv_contribution",
        currency_field="crm360_currency_id",
        string="Cost to Serve over the CLV Horizon",
        help="The service cost of the last 12 months scaled to a year, spread over the months of the CLV horizon "
        "and discounted at the CLV rate like the predicted purchases.",
    )
    crm_clv_ratio = fields.Float(
        compute="_compute_crm_clv_contribution",
        string="CLV : Cost to Serve",
        digits=(16, 2),
        help="Predicted CLV on contribution / cost to serve over the same horizon. Empty without a prediction or "
        "without service cost.",
    )

    @api.depends_context("company")
    def _compute_crm_clv_contribution(self):
        """One query for all the partners shown (contacts read their commercial partner's figures)."""
        # sudo: like the rest of the 360° panel, the customer's figures in the current company for whoever may
        # open the customer; the query keeps to this company and these customers
        report_sudo = self.env["crm.clv.contribution"].sudo()
        figures = report_sudo._clv_contribution(self.commercial_partner_id._origin, self.env.company)
        for partner in self:
            row = figures.get(partner.commercial_partner_id.id) or {}
            partner.crm_clv_service_cost = row.get("service_cost_horizon") or 0.0
            partner.crm_clv_ratio = row.get("clv_ratio") or False
