from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    value_policy_id = fields.Many2one(
        "crm.value.policy",
        compute="_compute_value_policy",
        help="The customer's value policy in the current company: the first rule of the policy table they match.",
    )
    value_policy_reason = fields.Char(compute="_compute_value_policy", string="Why this Policy")
    value_policy_since = fields.Datetime(compute="_compute_value_policy")
    value_policy_history_ids = fields.One2many(
        "crm.value.policy.history",
        compute="_compute_value_policy",
    )

    @api.depends_context("company", "lang")
    def _compute_value_policy(self):
        company = self.env.company
        customers = self.commercial_partner_id
        assignments = {
            a.partner_id: a
            for a in self.env["crm.value.policy.assignment"].search(
                [("partner_id", "in", customers.ids), ("company_id", "=", company.id)]
            )
        }
        live = self.env["crm.value.policy"]._for_partners(customers.filtered(lambda c: c not in assignments), company)
        history = self.env["crm.value.policy.history"].search(
            [("partner_id", "in", customers.ids), ("company_id", "=", company.id)]
        )
        for partner in self:
            customer = partner.commercial_partner_id
            assignment = assignments.get(customer)
            if assignment:
                partner.value_policy_id = assignment.policy_id
                partner.value_policy_reason = assignment.reason
                partner.value_policy_since = assignment.policy_since
            else:
                policy = live.get(customer.id)
                partner.value_policy_id = policy.id if policy else False
                partner.value_policy_reason = policy._describe() if policy else False
                partner.value_policy_since = False
            partner.value_policy_history_ids = history.filtered(lambda h, c=customer: h.partner_id == c)

    def _crm_credit_overdue_days(self, company):
        """The credit tolerance of the customer's value policy, where it sets one."""
        days = super()._crm_credit_overdue_days(company)
        for partner_id, policy in self.env["crm.value.policy"]._for_partners(self, company).items():
            if policy.use_credit_tolerance and partner_id in days:
                days[partner_id] = policy.credit_overdue_days
        return days
