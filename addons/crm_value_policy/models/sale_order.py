from odoo import _, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _crm_value_policy(self):
        """The value policy of this order's customer in the order's company (superuser), or an empty one."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        policies = self.env["crm.value.policy"]._for_partners(customer, self.company_id)
        # sudo: an empty policy, of the same kind as those ``_for_partners`` returns
        no_policy_sudo = self.env["crm.value.policy"].sudo()
        return policies.get(customer.id, no_policy_sudo)

    def _crm_loyalty_redeem_pct(self, program):
        policy = self._crm_value_policy()
        return policy.redeem_cap_pct if policy.redeem_cap_pct else super()._crm_loyalty_redeem_pct(program)

    def _crm_loyalty_redeem_cap(self, program):
        cap = super()._crm_loyalty_redeem_cap(program)
        policy = self._crm_value_policy()
        return min(cap, policy.redeem_cap_points) if policy.redeem_cap_points else cap

    def _crm_loyalty_check_redemption(self, membership, points, spent=0.0):
        """The cap in points of the customer's value policy, named in the refusal (the share of the order is
        checked, with the policy's share, by the lower addon)."""
        policy = self._crm_value_policy()
        if policy.redeem_cap_points and float_compare(points, policy.redeem_cap_points, precision_digits=6) > 0:
            raise ValidationError(
                _(
                    "At most %(max)s points may pay one order of %(customer)s (value policy %(policy)s).",
                    max=membership.program_id._format_points(policy.redeem_cap_points),
                    customer=self.partner_id.commercial_partner_id.display_name,
                    policy=policy.name,
                )
            )
        return super()._crm_loyalty_check_redemption(membership, points, spent=spent)
