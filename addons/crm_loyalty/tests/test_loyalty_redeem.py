from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

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

    def test_other_company_sees_no_redemption(self):
        """A loyalty user of another company neither reads this company's redemptions nor opens one on its order."""
        self.env["crm.loyalty.redeem.wizard"].create(
            {"order_id": self.order.id, "membership_id": self.member.id, "points": 100}
        )
        other = self.env["res.company"].create({"name": "Other Redeem Co"})
        outsider = new_test_user(
            self.env,
            login="redeem_outsider",
            groups="crm_loyalty.group_loyalty_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Wizard = self.env["crm.loyalty.redeem.wizard"].with_user(outsider)
        self.assertFalse(Wizard.search([]))
        with self.assertRaises(AccessError):
            Wizard.create({"order_id": self.order.id, "membership_id": self.member.id, "points": 100})

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

    # ------------------------------------------------------------------ the rules hold at confirmation
    def _reward_line(self, order, member, points, price=None):
        """A reward line written as an outside client would (RPC, import), without the wizard."""
        program = member.sudo().program_id
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.reward_product.id,
                            "price_unit": -points * program.point_value if price is None else price,
                            "tax_id": [Command.clear()],
                            "loyalty_redeem_points": points,
                            "loyalty_membership_id": member.id,
                        }
                    )
                ]
            }
        )
        return order.order_line.filtered("loyalty_redeem_points")

    def _assert_nothing_spent(self, order, member=None, balance=10000):
        member = member or self.member
        self.assertEqual(order.state, "draft")
        self.assertEqual(member.balance, balance)
        self.assertFalse(self._entries(member, entry_type="redeem"))

    def test_confirm_refuses_points_of_the_previous_customer(self):
        """Redeem on Alice's quotation, change the customer to Bob, confirm: Alice pays nothing for Bob."""
        self._redeem(3000)
        bob = self.env["res.partner"].create({"name": "Bob Ltd", "is_company": True})
        self.order.partner_id = bob
        with self.assertRaisesText(ValidationError, "another customer"):
            self.order.action_confirm()
        self._assert_nothing_spent(self.order)

    def test_salesperson_cannot_spend_another_customers_points(self):
        """A salesperson writes a reward line with Alice's membership on Bob's order (RPC)."""
        seller = new_test_user(
            self.env,
            login="seller_rpc",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        bob = self.env["res.partner"].create({"name": "Bob Ltd", "is_company": True})
        order = self._order(bob, 2, 300.0, user_id=seller.id).with_user(seller)
        self._reward_line(order, self.member.with_user(seller), 3000)
        with self.assertRaisesText(ValidationError, "another customer"):
            order.action_confirm()
        self._assert_nothing_spent(order)

    def test_salesperson_cannot_spend_points_of_another_company(self):
        """The membership belongs to another company, out of the salesperson's reach: refused, not spent."""
        other_company = self.setup_other_company()["company"]
        # sudo: the other company's data is set up by its own administrator
        env_sudo = self.env(su=True)
        other_program = env_sudo["crm.loyalty.program"].create(
            {"name": "Other Club", "company_id": other_company.id, "reward_product_id": self.reward_product.id}
        )
        other_member = env_sudo["crm.loyalty.membership"].create(
            {"partner_id": self.customer.id, "program_id": other_program.id}
        )
        env_sudo["crm.loyalty.entry"].create(
            {"membership_id": other_member.id, "entry_type": "adjust", "points": 10000, "reason": "seed"}
        )
        seller = new_test_user(
            self.env,
            login="seller_other",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            other_member.with_user(seller).read(["balance"])
        order = self._order(self.customer, 2, 300.0, user_id=seller.id).with_user(seller)
        self._reward_line(order, other_member.with_user(seller), 3000, price=-30.0)
        with self.assertRaisesText(ValidationError, "another company"):
            order.action_confirm()
        self._assert_nothing_spent(order, other_member)
        self._assert_nothing_spent(order)

    def test_confirm_checks_minimum_cap_balance_and_amount(self):
        """A reward line written without the wizard obeys the wizard's rules at confirmation."""
        self.program.min_redeem_points = 500
        order = self._order(self.customer, 2, 300.0)
        self._reward_line(order, self.member, 100)
        with self.assertRaisesText(ValidationError, "At least 500 points"):
            order.action_confirm()
        self.program.min_redeem_points = 0
        self.program.max_redeem_pct = 10  # 10% of 690 = 6,900 points
        order = self._order(self.customer, 2, 300.0)
        self._reward_line(order, self.member, 7000)
        with self.assertRaisesText(ValidationError, "At most 6,900 points"):
            order.action_confirm()
        self.program.max_redeem_pct = 100
        big = self._order(self.customer, 100, 1000.0)
        self._reward_line(big, self.member, 10001)
        with self.assertRaisesText(ValidationError, "Only 10,000 points are available"):
            big.action_confirm()
        # 1,000 points pay 10.00, not 100.00
        order = self._order(self.customer, 2, 300.0)
        self._reward_line(order, self.member, 1000, price=-100.0)
        with self.assertRaisesText(ValidationError, "does not match"):
            order.action_confirm()
        self._assert_nothing_spent(order)
        # within every rule: spent once
        order = self._order(self.customer, 2, 300.0)
        self._reward_line(order, self.member, 1000)
        order.action_confirm()
        self.assertEqual(self.member.balance, 9000)

    def test_order_confirmed_again_after_cancel_spends_again(self):
        """Cancelling gave the points back: the discount confirmed again is paid again."""
        self._redeem(3000)
        self.order.action_confirm()
        self.order._action_cancel()
        self.assertEqual(self.member.balance, 10000)
        self.order.action_draft()
        self.order.action_confirm()
        self.assertEqual(self.member.balance, 7000)
        self.assertLedgerConsistent()

    # ------------------------------------------------------------------ messages
    def test_points_print_with_the_programs_rounding(self):
        big = self._order(self.customer, 100, 1000.0)
        with self.assertRaisesText(ValidationError, "Only 10,000 points are available."):
            self._redeem(10001, big)
        self._redeem(5000)
        line = self.order.order_line.filtered("loyalty_redeem_points")
        self.assertEqual(line.name, "5,000 loyalty points redeemed (Club)")
        self.assertEqual(self.program._format_points(1560.0), "1,560")
        self.assertEqual(self.program._format_points(12.5), "12.5", "an off-grid amount is never rounded")
        self.program.rounding = 0.5
        self.assertEqual(self.program._format_points(1560.0), "1,560.0")

    def test_redeem_action_for_a_customer_without_membership(self):
        stranger = self.env["res.partner"].create({"name": "Stranger", "is_company": True})
        order = self._order(stranger, 1, 100)
        with self.assertRaisesText(UserError, "not a member of a loyalty program of"):
            order.action_open_loyalty_redeem()
        self.member.action_suspend()
        with self.assertRaisesText(UserError, "not a member of a loyalty program of"):
            self.order.action_open_loyalty_redeem()

    def test_quotation_figures_of_one_program(self):
        """A customer in two programs of the order's company: the quotation's balance and points to earn are
        those of the company's program (the first by sequence, as on the customer), never added up."""
        other = self.env["crm.loyalty.program"].create(
            {"name": "Second Club", "company_id": self.company.id, "sequence": self.program.sequence + 10}
        )
        second = self.env["crm.loyalty.membership"].create({"partner_id": self.customer.id, "program_id": other.id})
        self.env["crm.loyalty.entry"].create(
            {
                "membership_id": second.id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": 700,
                "reason": "welcome",
            }
        )
        order = self._order(self.customer, 2, 300.0)
        self.assertEqual(order.loyalty_membership_ids[:1], self.member)
        self.assertEqual(order.loyalty_balance, 10000, "Club's balance, not Club + Second Club")
        self.assertEqual(order.loyalty_points_preview, 900, "Club's estimate only")
        self.assertEqual(self.customer.with_company(self.company).loyalty_balance, order.loyalty_balance)
        other.sequence = self.program.sequence - 1
        order.invalidate_recordset()
        self.assertEqual(order.loyalty_balance, 700)
        self.assertEqual(order.loyalty_membership_ids[:1], second)
