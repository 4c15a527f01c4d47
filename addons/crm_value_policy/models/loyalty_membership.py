from odoo import api, models


class CrmLoyaltyMembership(models.Model):
    _inherit = "crm.loyalty.membership"

    @api.model_create_multi
    def create(self, vals_list):
        memberships = super().create(vals_list)
        memberships._resolve_value_policies()
        return memberships

    def write(self, vals):
        moved = {"tier_id", "state", "partner_id", "program_id"} & set(vals)
        before = self.partner_id if moved else self.browse().partner_id
        res = super().write(vals)
        if moved and not self.env.context.get("crm_value_policy_deferred"):
            self._resolve_value_policies(before)
        return res

    def _apply_tiers(self, allow_downgrade=False):
        """Tiers move member by member: their value policies are resolved once, after all the moves."""
        changed = super(CrmLoyaltyMembership, self.with_context(crm_value_policy_deferred=True))._apply_tiers(
            allow_downgrade=allow_downgrade
        )
        changed.with_env(self.env)._resolve_value_policies()
        return changed

    def _resolve_value_policies(self, partners=None):
        """A tier changed (``_apply_tiers``, the review cron, by hand) or a membership began or ended: the value
        policies of these members (and of ``partners``, its former customers) are resolved at once, one
        statement per company."""
        # sudo: the policy is derived data, resolved whoever moved the tier (an accountant posting an invoice)
        Assignment_sudo = self.env["crm.value.policy.assignment"].sudo()
        for company in self.company_id:
            members = self.filtered(lambda m, c=company: m.company_id == c)
            customers = members.partner_id | (partners or members.partner_id.browse())
            Assignment_sudo._resolve(company, partner_ids=customers.ids, reason="change")
