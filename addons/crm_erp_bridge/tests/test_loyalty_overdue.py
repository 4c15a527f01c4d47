from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestLoyaltyOverdue(AccountTestInvoicingCommon):
    """Credit control's "no redemption while overdue" holds when the order is confirmed, whatever wrote the
    reward line, not only in the redemption wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("sales_team.group_sale_manager") | cls.env.ref(
            "crm_loyalty.group_loyalty_manager"
        )
        cls.company = cls.company_data["company"]
        cls.company.write({"credit_overdue_days": 0, "loyalty_block_overdue": True})
        cls.reward = cls.env.ref("crm_loyalty.product_loyalty_reward")
        cls.program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Overdue Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "reward_product_id": cls.reward.id,
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "Late Payer", "is_company": True})
        cls.member = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.customer.id, "program_id": cls.program.id}
        )
        cls.env["crm.loyalty.entry"].create(
            {"membership_id": cls.member.id, "entry_type": "adjust", "points": 5000, "reason": "seed"}
        )
        cls.product = cls.env["product.product"].create({"name": "Lamp", "list_price": 100.0, "taxes_id": False})
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": fields.Date.today() - timedelta(days=40),
                "invoice_date_due": fields.Date.today() - timedelta(days=10),
                "invoice_line_ids": [Command.create({"product_id": cls.product.id, "price_unit": 100.0})],
            }
        )
        cls.invoice.action_post()
        cls.seller = new_test_user(
            cls.env,
            login="overdue_seller",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _quotation_with_reward_line(self, points=1000):
        """A salesperson writes the reward line as an outside client would (RPC), without the wizard."""
        order = (
            self.env["sale.order"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 5, "price_unit": 100, "tax_id": False}
                        ),
                        Command.create(
                            {
                                "product_id": self.reward.id,
                                "price_unit": -points * 0.01,
                                "tax_id": False,
                                "loyalty_redeem_points": points,
                                "loyalty_membership_id": self.member.id,
                            }
                        ),
                    ],
                }
            )
        )
        return order

    def test_confirmation_refuses_redemption_while_overdue(self):
        self.assertTrue(self.customer.with_company(self.company).credit_overdue)
        balance = self.member.balance  # the seed and the overdue invoice's points
        order = self._quotation_with_reward_line()
        with self.assertRaises(UserError) as catcher:
            order.action_confirm()
        self.assertIn("overdue invoices", str(catcher.exception))
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.member.balance, balance)
        # the wizard says the same
        wizard = (
            self.env["crm.loyalty.redeem.wizard"]
            .with_user(self.seller)
            .create({"order_id": order.id, "membership_id": self.member.id, "points": 1000})
        )
        with self.assertRaises(UserError):
            wizard.action_apply()
        # once the rule is off, the same order spends its points
        self.company.loyalty_block_overdue = False
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.member.balance, balance - 1000)
