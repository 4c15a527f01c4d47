from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class ValuePolicyCommon(AccountTestInvoicingCommon):
    """A company with a loyalty program in two tiers, a support team with two SLA policies, and customers;
    the policy table starts with the company's default rule only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= (
            cls.env.ref("sales_team.group_sale_manager")
            | cls.env.ref("crm_loyalty.group_loyalty_manager")
            | cls.env.ref("crm_feedback.group_feedback_manager")
        )
        cls.company = cls.company_data["company"]
        cls.Policy = cls.env["crm.value.policy"]
        cls.Assignment = cls.env["crm.value.policy.assignment"]
        cls.History = cls.env["crm.value.policy.history"]
        cls.default = cls.Policy.search([("company_id", "=", cls.company.id)])
        cls.reward = cls.env.ref("crm_loyalty.product_loyalty_reward")
        cls.program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Policy Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "earn_rate": 1.0,
                "max_redeem_pct": 100.0,
                "reward_product_id": cls.reward.id,
                "tier_ids": [
                    Command.create({"name": "Silver", "sequence": 1, "threshold": 0}),
                    Command.create({"name": "Gold", "sequence": 2, "threshold": 1e9}),
                ],
            }
        )
        cls.silver, cls.gold = cls.program.tier_ids.sorted("sequence")
        cls.product = cls.env["product.product"].create({"name": "Lamp", "list_price": 100.0, "taxes_id": False})
        cls.customer = cls._customer("Gold Customer")
        cls.other = cls._customer("Standard Customer")

    @classmethod
    def _customer(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _member(cls, partner, tier=None):
        member = cls.env["crm.loyalty.membership"].create({"partner_id": partner.id, "program_id": cls.program.id})
        if tier:
            member.tier_id = tier
        return member

    @classmethod
    def _score(cls, partner, company=None, **vals):
        """A customer's score as the nightly RFM run writes it (value class, segment, predicted CLV)."""
        # sudo: scores are written by the RFM run only; the test writes one as that run would
        Score_sudo = cls.env["crm.rfm.score"].sudo()
        return Score_sudo.create({"partner_id": partner.id, "company_id": (company or cls.company).id, **vals})

    @classmethod
    def _invoice(cls, partner, amount, invoice_date=None, due_date=None):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date or fields.Date.today(),
                "invoice_date_due": due_date or invoice_date or fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"product_id": cls.product.id, "price_unit": amount, "tax_ids": False})
                ],
            }
        )
        move.action_post()
        return move

    def _policy_of(self, partner, company=None):
        return self.Assignment.search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)]
        ).policy_id
