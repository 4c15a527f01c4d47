from odoo import Command
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyPartner(LoyaltyCommon):
    def test_summary_per_program(self):
        """Two programs of one company and one of another: figures are never added across programs."""
        second = self.env["crm.loyalty.program"].create(
            {
                "name": "Second Club",
                "company_id": self.company.id,
                "sequence": 20,
                "tier_ids": [Command.create({"name": "Star", "threshold": 0})],
            }
        )
        self.program.sequence = 5
        other_company = self.setup_other_company()["company"]
        env_sudo = self.env(su=True)  # sudo: the other company's program is set up by its own administrator
        other = env_sudo["crm.loyalty.program"].create({"name": "Far Club", "company_id": other_company.id})
        second_member = self.env["crm.loyalty.membership"].create(
            {"partner_id": self.customer.id, "program_id": second.id}
        )
        env_sudo["crm.loyalty.membership"].create({"partner_id": self.customer.id, "program_id": other.id})
        self.env["crm.loyalty.entry"].create(
            [
                {"membership_id": self.member.id, "entry_type": "adjust", "points": 550, "reason": "seed"},
                {"membership_id": second_member.id, "entry_type": "adjust", "points": 30, "reason": "seed"},
            ]
        )
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        for partner in (self.customer, contact):
            partner = partner.with_company(self.company).with_context(allowed_company_ids=self.company.ids)
            self.assertEqual(partner.loyalty_program_id, self.program)
            self.assertEqual(partner.loyalty_balance, 550, "the current company's program, not 580")
            self.assertEqual(partner.loyalty_tier_id, self.bronze)
            self.assertEqual(partner.loyalty_summary, "Club: 550 points (Bronze)\nSecond Club: 30 points (Star)")
        # the current company's program comes first by sequence
        self.program.sequence = 30
        self.env.invalidate_all()
        customer = self.customer.with_context(allowed_company_ids=self.company.ids)
        self.assertEqual((customer.loyalty_program_id, customer.loyalty_balance), (second, 30))
        self.assertEqual(customer.loyalty_tier_id, second.tier_ids)
        # another company sees its own program only
        far = self.customer.with_company(other_company).with_context(allowed_company_ids=other_company.ids)
        self.assertEqual((far.loyalty_program_id, far.loyalty_balance), (other, 0))
        self.assertEqual(far.loyalty_summary, "Far Club: 0 points")
