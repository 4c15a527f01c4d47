from odoo import fields, models


class CrmFeedbackTeam(models.Model):
    _inherit = "crm.feedback.team"

    currency_id = fields.Many2one(related="company_id.currency_id")
    crm_hourly_cost = fields.Monetary(
        string="Hourly Cost",
        help="Cost of one hour this team spends on a ticket: the ticket handling cost of a customer is the time "
        "spent on their closed tickets times this rate. Empty: the company's ticket handling cost per hour.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "crm_hourly_cost" in vals:
            self._crm_enqueue_ticket_customers()
        return res

    def _crm_enqueue_ticket_customers(self):
        """The customers of the teams' closed tickets: their ticket handling cost follows the new rate."""
        groups = self.env["crm.feedback.ticket"]._read_group(
            [("team_id", "in", self.ids), ("is_closed", "=", True)],
            ["commercial_partner_id"],
        )
        partners = self.env["res.partner"].union(*(partner for (partner,) in groups))
        self.env["crm.figures.queue"]._enqueue(partners, "ticket")
