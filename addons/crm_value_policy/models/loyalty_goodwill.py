from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class CrmLoyaltyGoodwill(models.Model):
    _inherit = "crm.loyalty.goodwill"

    @api.model
    def _goodwill_caps(self, partners, companies):
        caps = super()._goodwill_caps(partners, companies)
        Policy = self.env["crm.value.policy"]
        for company in companies:
            for partner_id, policy in Policy._for_partners(partners, company).items():
                if policy.use_goodwill_cap:
                    caps[(partner_id, company.id)] = policy.goodwill_cap_points
        return caps

    def action_approve(self):
        """A proposal whose points (edited since, or proposed under another policy) would take the customer
        over the cap of their value policy over the company's period is refused."""
        self._check_value_policy_cap()
        return super().action_approve()

    def _check_value_policy_cap(self):
        now = fields.Datetime.now()
        # sudo: the points already granted to the customer count whoever approves (a Loyalty Manager limited
        # to some companies reads only these customers' proposals of the approval's companies)
        Goodwill_sudo = self.sudo()
        for company in self.company_id:
            proposals = self.filtered(lambda g, c=company: g.company_id == c)
            caps = self._goodwill_caps(proposals.partner_id, company)
            policies = self.env["crm.value.policy"]._for_partners(proposals.partner_id, company)
            since = now - timedelta(days=company.goodwill_cap_days)
            granted = defaultdict(float)
            for partner, points in Goodwill_sudo._read_group(
                [
                    ("partner_id", "in", proposals.partner_id.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "approved"),
                    ("create_date", ">=", since),
                ],
                ["partner_id"],
                ["points:sum"],
            ):
                granted[partner.id] = points
            for goodwill in proposals:
                policy = policies.get(goodwill.partner_id.id)
                if not policy or not policy.use_goodwill_cap:
                    continue
                cap = caps[(goodwill.partner_id.id, company.id)]
                total = granted[goodwill.partner_id.id] + goodwill.points
                if float_compare(total, cap, precision_digits=6) > 0:
                    raise UserError(
                        _(
                            "%(customer)s may receive at most %(cap)s goodwill points over %(days)s days under the "
                            "value policy %(policy)s: %(granted)s granted already, %(points)s proposed.",
                            customer=goodwill.partner_id.display_name,
                            cap=goodwill.membership_id.program_id._format_points(cap),
                            days=company.goodwill_cap_days,
                            policy=policy.name,
                            granted=goodwill.membership_id.program_id._format_points(granted[goodwill.partner_id.id]),
                            points=goodwill.membership_id.program_id._format_points(goodwill.points),
                        )
                    )
                granted[goodwill.partner_id.id] = total
