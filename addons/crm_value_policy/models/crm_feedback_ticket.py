from odoo import api, fields, models


class CrmFeedbackTicket(models.Model):
    _inherit = "crm.feedback.ticket"

    value_policy_id = fields.Many2one(
        "crm.value.policy",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The customer's value policy when the ticket came in: its SLA policy, priority and team.",
    )

    @api.onchange("partner_id")
    def _onchange_partner_id_value_policy(self):
        """On a new ticket in the form, show the team and priority the customer's policy gives (the form sends
        every field, so ``create`` would see them as chosen): the user may still change them."""
        if self._origin or not self.partner_id:
            return
        company = self.company_id or self.env.company
        customer = self.partner_id.commercial_partner_id
        policy = self.env["crm.value.policy"]._for_partners(customer, company).get(customer.id)
        if not policy:
            return
        if policy.team_id and not self.team_id:
            self.team_id = policy.team_id.id
        if policy.ticket_priority:
            self.priority = policy.ticket_priority

    @api.model_create_multi
    def create(self, vals_list):
        """A ticket of a customer takes the team, priority and SLA of the customer's value policy, unless it
        names its own team or priority (the policy's team comes before the usual routing)."""
        Partner = self.env["res.partner"]
        wanted = {}
        for vals in vals_list:
            if vals.get("partner_id"):
                company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
                wanted.setdefault(company, Partner)
                wanted[company] |= Partner.browse(vals["partner_id"])
        policies = {
            company: self.env["crm.value.policy"]._for_partners(partners, company)
            for company, partners in wanted.items()
        }
        for vals in vals_list:
            if not vals.get("partner_id"):
                continue
            company_id = vals.get("company_id") or self.env.company.id
            customer = Partner.browse(vals["partner_id"]).commercial_partner_id
            policy = policies[self.env["res.company"].browse(company_id)].get(customer.id)
            if not policy:
                continue
            vals["value_policy_id"] = policy.id
            if not vals.get("team_id") and policy.team_id:
                vals["team_id"] = policy.team_id.id
            if "priority" not in vals and policy.ticket_priority:
                vals["priority"] = policy.ticket_priority
        return super().create(vals_list)

    def _sla_match(self, policies):
        # sudo: the ticket's value policy is the company's rule, read whoever handles the ticket
        sla_sudo = self.sudo().value_policy_id.sla_id
        if sla_sudo and sla_sudo.active and sla_sudo.team_id == self.team_id:
            return self.env["crm.feedback.sla"].browse(sla_sudo.id)
        return super()._sla_match(policies)
