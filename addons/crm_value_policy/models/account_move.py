from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _crm_loyalty_customer_multipliers(self, memberships):
        """The earning multiplier of each member's value policy, one read per company."""
        res = super()._crm_loyalty_customer_multipliers(memberships)
        Policy = self.env["crm.value.policy"]
        for company in memberships.company_id:
            members = memberships.filtered(lambda m, c=company: m.company_id == c)
            for partner_id, policy in Policy._for_partners(members.partner_id, company).items():
                res[(partner_id, company.id)] = res.get((partner_id, company.id), 1.0) * policy.earn_multiplier
        return res
