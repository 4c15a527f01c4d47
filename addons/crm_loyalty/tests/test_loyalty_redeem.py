from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyRedeem(LoyaltyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._invoice(cls.customer, [(cls.product, 1, 10000)])  # 10,000 points = 100.00 at 0.01
        cls.order = cls._order(cls.customer, 2, 300.0)  # 600 + 15% tax = 690 total

    @classmethod
    def _order(cls, partner, qty, price, **extra):
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": qty, "price_unit": price})
                ],
                **extra,
            }
        )

    def _redeem(self, points, order=None):
        order = order or self.order
        action = order.action_open_loyalty_redeem()
        wizard = Form(self.env["crm.loyalty.redeem.wizard"].with_context(**action["context"]))
        self.assertEqual(wizard.membership_id, self.member)
        wizard.points = points
        return wizard.save().action_apply()

    def test_preview_and_redeem_line(self):
        self.assertEqual(self.order.loyalty_balance, 10000)
        self.assertEqual(self.member.tier_id, self.silver)
        self.assertEqual(self.order.loyalty_points_preview, 900)  # 600 untaxed x Silver's 1.5
        self._redeem(5000)
        line = self.order.order_line.filtered("loyalty_redeem_points")
        self.assertEqual(line.product_id, self.reward_product)
        self.assertEqual(line.price_unit, -50.0)
        self.assertFalse(line.tax_id, "points are a means of payment: no tax on the discount line")
        self.assertAlmostEqual(self.order.amount_total, 640.0)
        self.assertEqual(self.order.loyalty_points_redeemed, 5000)
        self.assertEqual(self.order.loyalty_points_preview, 825, "(600 - 50 paid with points) x 1.5")
        # nothing is spent until the order is confirmed
        self.assertEqual(self.member.balance, 10000)
        self.order.action_confirm()
        redeem = self._entries(entry_type="redeem")
        self.assertEqual((redeem.points, redeem.sale_order_id), (-5000, self.order))
        self.assertEqual(self.member.balance, 5000)
        # the invoice earns what the quotation announced
        invoice = self.order._create_invoices()
        invoice.action_post()
        earn = self._entries(entry_type="earn").filtered(lambda e: e.move_id == invoice)
        self.assertEqual(earn.points, 825)
        self.assertLedgerConsistent()

    def test_redeem_again_replaces_line(self):
        self._redeem(1000)
        self._redeem(2000)
        self.assertEqual(self.order.loyalty_points_redeemed, 2000)
        self.assertEqual(len(self.order.order_line.filtered("loyalty_redeem_points")), 1)

    def test_cancel_order_gives_points_back(self):
        self._redeem(3000)
        self.order.action_confirm()
        self.order._action_cancel()
        self.assertEqual(self.member.balance, 10000)
        reverse = self._entries(entry_type="reverse")
        self.assertEqual(reverse.points, 3000)
        self.assertLedgerConsistent()

    def test_redeem_consumes_lots_fifo(self):
        self._invoice(self.customer, [(self.product, 1, 500)])  # a younger lot: 500 x Silver's 1.5
        self._redeem(10200)
        self.order.action_confirm()
        old_lot, young_lot = self._entries(entry_type="earn")
        self.assertEqual(old_lot.remaining, 0)
        self.assertEqual(young_lot.remaining, 550)
        self.assertLedgerConsistent()

    def test_cap_minimum_and_balance_limits(self):
        self.program.max_redeem_pct = 10  # 10% of 690 = 69.00 = 6,900 points
        with self.assertRaises(ValidationError):
            self._redeem(7000)
        self.program.min_redeem_points = 500
        with self.assertRaises(ValidationError):
            self._redeem(100)
        with self.assertRaises(ValidationError):
            self._redeem(-5)
        big = self._order(self.customer, 100, 1000.0)
        with self.assertRaises(ValidationError):
            self._redeem(10001, big)
        self.assertFalse(self.order.order_line.filtered("loyalty_redeem_points"))
        self._redeem(6900)
        self.assertEqual(self.order.loyalty_points_redeemed, 6900)

    def test_confirm_refuses_overdraw(self):
        self._redeem(6000)
        other = self._order(self.customer, 2, 300.0)
        self._redeem(6000, other)
        self.order.action_confirm()
        with self.assertRaises(UserError):
            other.action_confirm()
        self.assertEqual(other.state, "draft")
        self.assertEqual(self.member.balance, 4000)
        self.assertLedgerConsistent()

    def test_no_active_membership(self):
        stranger = self.env["res.partner"].create({"name": "Stranger", "is_company": True})
        order = self._order(stranger, 1, 100)
        self.assertFalse(order.loyalty_membership_ids)
        wizard = self.env["crm.loyalty.redeem.wizard"].create(
            {
                "order_id": order.id,
                "membership_id": self.member.id,
                "points": 10,
            }
        )
        with self.assertRaises(ValidationError):
            wizard.action_apply()
        self.member.action_suspend()
        self.assertFalse(self.order.loyalty_membership_ids)
        wizard = self.env["crm.loyalty.redeem.wizard"].create(
            {
                "order_id": self.order.id,
                "membership_id": self.member.id,
                "points": 10,
            }
        )
        with self.assertRaises(UserError):
            wizard.action_apply()

    def test_currency_and_archived_program(self):
        other_currency = self.setup_other_currency("EUR")
        order = self._order(
            self.customer,
            1,
            500,
            pricelist_id=self.env["product.pricelist"]
            .create(
                {
                    "name": "EUR",
                    "currency_id": other_currency.id,
                }
            )
            .id,
        )
        wizard = self.env["crm.loyalty.redeem.wizard"].create(
            {
                "order_id": order.id,
                "membership_id": self.member.id,
                "points": 10,
            }
        )
        with self.assertRaises(ValidationError):
            wizard.action_apply()
        self.program.active = False
        wizard = self.env["crm.loyalty.redeem.wizard"].create(
            {
                "order_id": self.order.id,
                "membership_id": self.member.id,
                "points": 10,
            }
        )
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertFalse((order | self.order).order_line.filtered("loyalty_redeem_points"))

    def test_confirmed_order_cannot_redeem(self):
        self.order.action_confirm()
        with self.assertRaises(UserError):
            self.order.action_open_loyalty_redeem()
