import random
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, Form, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..tools.deferred_revenue import replay

# IFRS 15 Illustrative Example 52, on days of two years
Y1_SALE, Y1_REDEEM, Y1_END = date(2025, 3, 3), date(2025, 6, 2), date(2025, 12, 31)
Y2_ESTIMATE, Y2_REDEEM, Y2_END = date(2026, 1, 5), date(2026, 6, 1), date(2026, 12, 31)


def cents(amount):
    return round(amount, 2)


class TestDeferredRevenueKernel(BaseCase):
    """The pool's arithmetic alone (no database): Example 52 and the expiry of what is left."""

    def test_example_52(self):
        days = [
            (Y1_SALE, {"deferred": (100000 * 9500 / 109500, 10000)}),
            (Y1_REDEEM, {"redeemed": 4500}),
            (Y2_ESTIMATE, {"rate": 0.97}),
            (Y2_REDEEM, {"redeemed": 4000}),
        ]
        year1 = replay(days[:2], 0.95, cents)
        self.assertEqual(year1.totals["deferred"], 8675.80)
        self.assertEqual(round(year1.totals["recognised"]), -4110)
        pool = replay(days, 0.95, cents)
        self.assertEqual(round(pool.totals["estimate"]), 85)
        self.assertEqual(round(pool.totals["recognised"] - year1.totals["recognised"]), -3578)
        year2 = pool.totals["recognised"] - year1.totals["recognised"] + pool.totals["estimate"]
        self.assertEqual(round(year2), -3493)
        self.assertEqual(pool.liability, cents(8675.80 - 4109.59 + 84.73 - 3577.65))

    def test_expiry_releases_what_is_left(self):
        days = [
            (Y1_SALE, {"deferred": (950.0, 1000)}),
            (Y1_REDEEM, {"redeemed": 900}),
            (Y1_END, {"expired": 100}),
        ]
        pool = replay(days, 0.95, cents)
        # 950 x 900 / 950 recognised; 50 left for the 50 points still expected, released at their expiry
        self.assertEqual(pool.totals["recognised"], -900.0)
        self.assertEqual(pool.totals["released"], -50.0)
        self.assertEqual(pool.liability, 0.0)


@tagged("post_install", "-at_install")
class TestLoyaltyDeferred(AccountTestInvoicingCommon):
    """The deferred revenue method through real documents: invoices posted, points redeemed on quotations,
    the daily accrual run, a change of estimate, a revaluation; the tie-out against the ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.user.lang = "en_US"
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.env.user.groups_id |= cls.env.ref("crm_loyalty.group_loyalty_manager") | cls.env.ref(
            "sales_team.group_sale_manager"
        )
        cls.company = cls.company_data["company"]
        cls.contract_liability = cls.env["account.account"].create(
            {
                "name": "Contract liability (points)",
                "code": "LOYD01",
                "account_type": "liability_current",
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.revenue = cls.product_a.property_account_income_id
        cls.program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Example 52",
                "company_id": cls.company.id,
                "point_value": 1.0,
                "earn_rate": 0.1,
                "validity_months": 0,
                "max_redeem_pct": 100.0,
                "expected_redemption_rate": 0.95,
                "reward_product_id": cls.env.ref("crm_loyalty.product_loyalty_reward").id,
                "liability_accounting": True,
                "liability_method": "deferred",
                "liability_journal_id": cls.company_data["default_journal_misc"].id,
                "loyalty_expense_account_id": cls.company_data["default_account_expense"].id,
                "loyalty_contract_liability_account_id": cls.contract_liability.id,
                "loyalty_revenue_account_id": cls.revenue.id,
                "loyalty_breakage_account_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "Example Customer", "is_company": True})
        cls.member = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.customer.id, "program_id": cls.program.id}
        )

    # ------------------------------------------------------------------ documents
    def _invoice(self, day, amount):
        with freeze_time(day):
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.product_a.id, "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
            invoice.action_post()
            # paid: a customer with overdue invoices may not redeem (the bridge's credit control)
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": day})._create_payments()
        return invoice

    def _redeem(self, day, points):
        """A quotation paid partly with points, confirmed on ``day``: the redemption of the loyalty tests."""
        with freeze_time(day):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_uom_qty": 1,
                                "price_unit": points * 2,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
            action = order.action_open_loyalty_redeem()
            wizard = Form(self.env["crm.loyalty.redeem.wizard"].with_context(**action["context"]))
            wizard.points = points
            wizard.save().action_apply()
            order.action_confirm()
        return order

    def _cron(self, day):
        with freeze_time(day):
            return self.env["crm.loyalty.accrual"]._cron_accrue()

    def _balance(self, account, moves):
        lines = moves.line_ids.filtered(lambda l: l.account_id == account)
        return sum(lines.mapped("credit")) - sum(lines.mapped("debit"))

    def _gl(self, account, day):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted"), ("date", "<=", day)]
        )
        return self.program.currency_id.round(sum(lines.mapped("credit")) - sum(lines.mapped("debit")))

    # ------------------------------------------------------------------ Example 52
    def test_ifrs15_illustrative_example_52(self):
        invoices = self._invoice(Y1_SALE, 60000) | self._invoice(Y1_SALE, 40000)
        self.assertEqual(self.member.balance, 10000, "one point per 10 of sales")
        sale = self._cron(Y1_SALE.replace(day=4))
        self.assertEqual(len(sale), 1)
        lines = sale.move_id.line_ids
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.contract_liability).credit), 8676)
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.revenue).debit), 8676)
        self.assertEqual(round(self._balance(self.revenue, invoices | sale.move_id)), 91324, "to the goods")

        self._redeem(Y1_REDEEM, 4500)
        year1 = self._cron(Y1_REDEEM.replace(day=3))
        lines = year1.move_id.line_ids
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.contract_liability).debit), 4110)
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.revenue).credit), 4110)
        self.assertEqual(self.program._contract_liability(Y1_END), 4566.21)
        self.assertEqual(self._gl(self.contract_liability, Y1_END), 4566.21)

        # year 2: 9,700 points now expected to be redeemed; a cumulative catch-up, one entry of the day
        with freeze_time(Y2_ESTIMATE):
            self.program.with_context(breakage_reason="Example 52: 9,700 points now expected").write(
                {"expected_redemption_rate": 0.97}
            )
        catch_up = self.program.accrual_ids.filtered(lambda a: a.kind == "estimate")
        self.assertEqual(len(catch_up), 1)
        self.assertEqual(catch_up.move_id.date, Y2_ESTIMATE)
        self.assertEqual(catch_up.move_id.state, "posted")
        lines = catch_up.move_id.line_ids
        self.assertEqual(len(lines), 2)
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.revenue).debit), 85)
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.contract_liability).credit), 85)

        self._redeem(Y2_REDEEM, 4000)
        year2 = self._cron(Y2_REDEEM.replace(day=2))
        lines = year2.move_id.line_ids
        self.assertEqual(round(lines.filtered(lambda l: l.account_id == self.revenue).credit), 3578)
        year2_revenue = self._balance(self.revenue, year2.move_id | catch_up.move_id)
        self.assertEqual(round(year2_revenue), 3493)
        self.assertEqual(self.program._contract_liability(Y2_END), 1073.29)
        self.assertEqual(self._gl(self.contract_liability, Y2_END), 1073.29)
        self.assertFalse(self._cron(Y2_REDEEM.replace(day=3)), "nothing left to book")
        for row in self.program._liability_tie_out(Y1_SALE, Y2_END):
            self.assertEqual(row["difference"], 0.0, row["date"])
        last = self.program._liability_tie_out(Y2_END, Y2_END)[-1]
        self.assertEqual(
            (last["date"], last["ledger_points"], last["liability"], last["gl_balance"]),
            (Y2_END, 1500, 1073.29, 1073.29),
        )

    # ------------------------------------------------------------------ the other movements
    def _bonus(self, day, points):
        return self.env["crm.loyalty.entry"].create(
            {
                "membership_id": self.member.id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": points,
                "date": day,
                "reason": "welcome",
            }
        )

    def _lines(self, accrual, account):
        lines = accrual.move_id.line_ids.filtered(lambda l: l.account_id == account)
        return sum(lines.mapped("credit")) - sum(lines.mapped("debit"))

    def test_credit_note_bonus_and_expiry(self):
        d1, d2, d3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
        invoice = self._invoice(d1, 1000)  # 100 points: 1,000 x 95 / 1,095 = 86.76 deferred
        self._bonus(d1, 50)  # granted without a sale: 50 x 1 x 0.95 = 47.50 to the expense account
        with freeze_time(d2):
            refund = invoice._reverse_moves([{"invoice_date": d2, "date": d2}])
            refund.invoice_line_ids.price_unit = 500
            refund.action_post()
        self.assertEqual(self.member.balance, 100, "the credit note took back half the points")
        self.env["crm.loyalty.entry"].create(
            {"membership_id": self.member.id, "entry_type": "expire", "points": -100, "date": d3}
        )
        accruals = self._cron(d3 + timedelta(days=1)).sorted("date")
        self.assertEqual(accruals.mapped("date"), [d1, d2, d3])
        first, second, third = accruals
        self.assertEqual(self._lines(first, self.contract_liability), 134.26)
        self.assertEqual(self._lines(first, self.revenue), -86.76)
        self.assertEqual(self._lines(first, self.company_data["default_account_expense"]), -47.50)
        self.assertEqual(self._lines(second, self.revenue), 43.38, "the credit note reverses half the share")
        self.assertEqual(self._lines(second, self.contract_liability), -43.38)
        # nothing is expected to be redeemed any more: the expiry releases what is left
        self.assertEqual(self._lines(third, self.company_data["default_account_revenue"]), 90.88)
        self.assertEqual(self._lines(third, self.contract_liability), -90.88)
        self.assertEqual(self.program._contract_liability(d3), 0.0)
        self.assertEqual(self.program._liability_reconciliation(d1), (134.26, 134.26, 0.0))
        tie_out = self.program._liability_tie_out(d1, date(2026, 4, 30))
        self.assertEqual(
            [(r["date"], r["ledger_points"], r["liability"], r["gl_balance"], r["difference"]) for r in tie_out],
            [(date(2026, 3, 31), 0, 0.0, 0.0, 0.0), (date(2026, 4, 30), 0, 0.0, 0.0, 0.0)],
        )
        self.assertEqual(tie_out[0]["account"], self.contract_liability)
        # the reconciliation screen shows the contract liability account and the computed liability
        Report = self.env["crm.loyalty.liability.report"]
        Report.invalidate_model()
        row = Report.search([("program_id", "=", self.program.id), ("date", "=", d1)])
        self.assertEqual(row.account_id, self.contract_liability)
        self.assertEqual((row.liability, row.gl_balance, row.liability_difference), (134.26, 134.26, 0.0))
        self.assertFalse(row.explanation)

    def test_point_value_revaluation_by_a_loyalty_manager(self):
        d1, d2, d3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 10)
        self._invoice(d1, 10000)  # 1,000 points: 10,000 x 950 / 10,950 = 867.58
        self._cron(d2)
        manager = new_test_user(
            self.env, login="loyalty_boss", groups="base.group_user,crm_loyalty.group_loyalty_manager"
        )
        with freeze_time(d3):
            self.program.with_user(manager).point_value = 1.2
        revaluation = self.program.accrual_ids.filtered(lambda a: a.kind == "revaluation")
        self.assertEqual(len(revaluation), 1, "one dated entry")
        self.assertEqual(revaluation.move_id.date, d3)
        self.assertEqual((revaluation.value_before, revaluation.value_after), (1.0, 1.2))
        self.assertEqual(self._lines(revaluation, self.contract_liability), 173.52, "867.58 x (1.2 / 1 - 1)")
        self.assertEqual(self._lines(revaluation, self.company_data["default_account_expense"]), -173.52)
        self.assertEqual(self.program._contract_liability(d3), 1041.10)
        self.assertEqual(self._gl(self.contract_liability, d3), 1041.10)
        # an invoice earned before the revaluation keeps its allocation; the tie-out stays at zero
        for row in self.program._liability_tie_out(d1, d3):
            self.assertEqual(row["difference"], 0.0, row["date"])
        # the liability is in the ledger: its method is fixed
        with self.assertRaises(UserError):
            self.program.liability_method = "provision"
        with self.assertRaises(AccessError):
            self.program.with_user(manager).accrual_ids.move_id.line_ids.read(["debit"])

    def test_point_value_revaluation_under_provision(self):
        """Provision: a new point value revalues the points of the ledger with one dated entry; past month
        ends keep the value then in force, and tie out at zero before and after the change."""
        d1, d2, d3, d4 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 11, 30), date(2026, 12, 1)
        provision_account = self.env["account.account"].create(
            {
                "name": "Points provision",
                "code": "LOYD03",
                "account_type": "liability_current",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        self.program.write({"liability_method": "provision", "loyalty_liability_account_id": provision_account.id})
        unbooked = self.program.copy({"name": "No ledger", "liability_accounting": False})
        expense = self.company_data["default_account_expense"]
        self._invoice(d1, 30000)  # 3,000 points at 1.0
        self._cron(d2)
        self.assertEqual(self._gl(provision_account, d2), 3000.0)
        manager = new_test_user(
            self.env,
            login="provision_boss",
            groups="base.group_user,crm_loyalty.group_loyalty_manager,account.group_account_invoice",
        )
        with freeze_time(d3):
            self.program.with_user(manager).point_value = 1.2
            unbooked.with_user(manager).point_value = 1.2
        self.assertFalse(unbooked.accrual_ids, "no liability accounting: nothing booked")
        revaluation = self.program.accrual_ids.filtered(lambda a: a.kind == "revaluation")
        self.assertEqual(len(revaluation), 1, "one dated entry")
        self.assertEqual((revaluation.date, revaluation.move_id.date), (d3, d3))
        self.assertEqual((revaluation.value_before, revaluation.value_after), (1.0, 1.2))
        self.assertEqual(len(revaluation.move_id.line_ids), 2)
        self.assertEqual(self._lines(revaluation, provision_account), 600.0, "3,000 x (1.2 - 1.0)")
        self.assertEqual(self._lines(revaluation, expense), -600.0)
        self._cron(d3 + timedelta(days=1))  # nothing left to accrue: no second revaluation
        self.assertEqual(len(self.program.accrual_ids.filtered(lambda a: a.kind == "revaluation")), 1)
        with freeze_time(d4):
            self.program.with_user(manager).point_value = 1.1
        decrease = self.program.accrual_ids.filtered(lambda a: a.kind == "revaluation" and a.date == d4)
        self.assertEqual(self._lines(decrease, provision_account), -300.0, "Dr liability 3,000 x 0.1")
        self.assertEqual(self._lines(decrease, expense), 300.0)
        tie_out = self.program._liability_tie_out(d1, d4)
        values = [(row["date"], row["ledger_value"], row["gl_balance"], row["difference"]) for row in tie_out]
        self.assertEqual(
            values,
            [(date(2026, 10, 31), 3000.0, 3000.0, 0.0), (d3, 3600.0, 3600.0, 0.0), (d4, 3300.0, 3300.0, 0.0)],
            "past month ends valued at the value then in force",
        )
        self.assertEqual([row["point_value"] for row in tie_out], [1.0, 1.2, 1.1])
        export = self.env["crm.accounting.export"].create(
            {
                "company_id": self.company.id,
                "date_from": d1,
                "date_to": d4,
                "program_ids": [Command.set(self.program.ids)],
            }
        )
        self.assertEqual(
            [(row[2], row[4], row[5]) for row in export._tie_out_rows() if row[0] == self.program.name],
            [(date(2026, 10, 31), 1.0, 3000.0), (d3, 1.2, 3600.0), (d4, 1.1, 3300.0)],
            "the workbook's tie-out: the point value then in force",
        )
        self.assertEqual(
            [(row[8], row[9], row[10]) for row in export._liability_rows()],
            [(1.0, 0.0, 3000.0), (1.2, 3000.0, 3600.0), (1.1, 3600.0, 3300.0)],
            "the workbook's points roll-forward: opening and closing at the values then in force",
        )
        self.assertEqual(self.program._liability_reconciliation(date(2026, 10, 31)), (3000.0, 3000.0, 0.0))
        self.assertEqual(self.program._liability_reconciliation(d3), (3600.0, 3600.0, 0.0))
        self.assertEqual(self.program._liability_reconciliation(d4), (3300.0, 3300.0, 0.0))
        Report = self.env["crm.loyalty.liability.report"]
        Report.invalidate_model()
        rows = Report.search([("program_id", "=", self.program.id)], order="date")
        self.assertEqual([(row.date, row.point_value) for row in rows], [(d1, 1.0), (d3, 1.2), (d4, 1.1)])
        self.assertFalse(any(rows.mapped("explanation")))
        # an invoice of the first day posted after both changes: its own day at 1.0, the revaluations it
        # missed on the days of the changes; every month end still ties out
        self._invoice(d1, 1000)  # 100 points
        late = self._cron(d4 + timedelta(days=1))
        self.assertEqual(
            sorted((a.date, self._lines(a, provision_account)) for a in late),
            [(d1, 100.0), (d3, 20.0), (d4, -10.0)],
        )
        self.assertTrue(all(late.mapped("catch_up")))
        tie_out = self.program._liability_tie_out(d1, d4)
        self.assertEqual([row["ledger_value"] for row in tie_out], [3100.0, 3720.0, 3410.0])
        self.assertEqual([row["difference"] for row in tie_out], [0.0, 0.0, 0.0])

    def test_configuration_of_the_method(self):
        self.program.loyalty_contract_liability_account_id = False
        self.assertIn("contract liability account", self.program._check_liability_config())
        self.program.loyalty_revenue_account_id = False
        self.assertIn("revenue account", self.program._check_liability_config())
        provision = self.program.copy({"name": "Provision Club", "liability_method": "provision"})
        self.assertIn("liability account", provision._check_liability_config())
        self.assertNotIn("contract", provision._check_liability_config())

    def test_late_posting_and_locked_change_of_estimate(self):
        d1, d2, d3, d4, d5 = (date(2026, 3, day) for day in range(2, 7))
        self._invoice(d1, 1000)  # 100 points, 86.76 deferred
        self._cron(d2)
        self.env["crm.loyalty.entry"].create(
            {"membership_id": self.member.id, "entry_type": "redeem", "points": -50, "date": d2}
        )
        self._cron(d3)  # 86.76 x 50 / 95 = 45.66 recognised
        self._bonus(d1, 100)  # posted late, dated the first day: 95.00 granted
        late, later = self._cron(d4).sorted("date")
        self.assertEqual((late.date, late.catch_up), (d1, True))
        self.assertEqual(self._lines(late, self.company_data["default_account_expense"]), -95.0)
        self.assertEqual((late.granted_amount, late.recognised_amount), (95.0, 0.0), "its own effect only")
        # the redemption of the second day is recognised against the larger pool: 181.76 x 50 / 190 = 47.83,
        # booked on that day
        self.assertEqual((later.date, later.catch_up, later.recognised_amount), (d2, True, -2.17))
        self.assertEqual(self._lines(later, self.revenue), 2.17)
        self.assertIn("posted late", later.move_id.line_ids.filtered(lambda l: l.account_id == self.revenue).name)
        self.assertEqual(self.program._contract_liability(d3), 133.93)
        self.assertEqual(self.program._liability_reconciliation(d3), (133.93, 133.93, 0.0))
        self.assertEqual(self.program._liability_reconciliation(d1), (181.76, 181.76, 0.0))
        # a change of estimate in a locked period: dated the first open day, nothing rewritten
        moves_before = self.program.accrual_ids.move_id
        self.company.fiscalyear_lock_date = d5
        with freeze_time(d5):
            self.program.with_context(breakage_reason="test").expected_redemption_rate = 0.5
        change = self.program.accrual_ids.filtered(lambda a: a.kind == "estimate")
        self.assertEqual((change.date, change.move_id.date), (d5, d5 + timedelta(days=1)))
        self.assertIn("locked", change.move_id.narration)
        self.assertEqual(
            change.estimate_amount,
            change.move_id.line_ids.filtered(lambda l: l.account_id == self.contract_liability).balance * -1,
        )
        self.assertEqual(self.program.accrual_ids.move_id - change.move_id, moves_before, "nothing rewritten")
        self.assertTrue(all(move.state == "posted" for move in moves_before))

    def test_same_day_change_of_estimate_keeps_the_allocation(self):
        """Example 52 on one day: sales, redemption and the new rate all dated the same day. The day's
        movements come first, then the change: the sales keep their allocation at 95%."""
        day = date(2026, 3, 2)
        self._invoice(day, 60000)
        self._invoice(day, 40000)
        with freeze_time(day):
            self.program.action_accrue_now()
        self._redeem(day, 4500)
        with freeze_time(day):
            self.program.action_accrue_now()
            self.program.with_context(breakage_reason="9,700 points now expected").expected_redemption_rate = 0.97
        change = self.program.accrual_ids.filtered(lambda a: a.kind == "estimate")
        lines = change.move_id.line_ids
        self.assertEqual(len(lines), 2, "the catch-up alone, no re-allocation of the day's sales")
        self.assertEqual(change.estimate_amount, 84.73)
        self.assertEqual(lines.filtered(lambda l: l.account_id == self.revenue).debit, 84.73)
        self.assertIn("cumulative catch-up", lines[0].name)
        self.assertEqual(self.program._contract_liability(day), 4650.94)
        self._redeem(day + timedelta(days=1), 4000)
        year2 = self._cron(day + timedelta(days=2))
        self.assertEqual(self._lines(year2, self.revenue), 3577.65)
        for row in self.program._liability_tie_out(day, date(2026, 3, 31)):
            self.assertEqual(row["difference"], 0.0, row["date"])

    def test_point_value_change_after_the_day_redemption_and_expiry(self):
        """A new point value revalues the liability left after the day's redemptions and expiries: one line
        L x (new / old - 1) to the expense account, nothing to revenue or breakage."""
        d1, d2 = date(2026, 3, 2), date(2026, 3, 3)
        self._invoice(d1, 10000)  # 1,000 points, 867.58 deferred
        self._cron(d2)
        for entry_type, points in (("redeem", -300), ("expire", -100)):
            self.env["crm.loyalty.entry"].create(
                {"membership_id": self.member.id, "entry_type": entry_type, "points": points, "date": d2}
            )
        with freeze_time(d2):
            self.program.action_accrue_now()
            liability = self.program._contract_liability(d2)
            self.program.point_value = 1.2
        revaluation = self.program.accrual_ids.filtered(lambda a: a.kind == "revaluation")
        expected = round(liability * 0.2, 2)
        self.assertEqual(len(revaluation.move_id.line_ids), 2)
        self.assertEqual(
            set(revaluation.move_id.line_ids.account_id.ids),
            {self.contract_liability.id, self.company_data["default_account_expense"].id},
        )
        self.assertEqual(self._lines(revaluation, self.contract_liability), expected)
        self.assertEqual(
            (revaluation.recognised_amount, revaluation.released_amount, revaluation.revalued_amount),
            (0.0, 0.0, expected),
        )
        self.assertEqual(self.program._contract_liability(d2), round(liability + expected, 2))

    def test_late_posting_after_a_revaluation_ties_out_every_month(self):
        """Points granted in January posted in March, after a February redemption and a March revaluation: its
        entry carries its own allocation only; the redemption recognised again and the revaluation of its
        share are booked on their own days; every month end ties out."""
        jan, late_day, feb, mar = date(2026, 1, 5), date(2026, 1, 12), date(2026, 2, 2), date(2026, 3, 2)
        self._invoice(jan, 10000)  # 1,000 points, 867.58 deferred
        self._cron(jan + timedelta(days=1))
        self.env["crm.loyalty.entry"].create(
            {"membership_id": self.member.id, "entry_type": "redeem", "points": -300, "date": feb}
        )
        self._cron(feb + timedelta(days=1))
        with freeze_time(mar):
            self.program.point_value = 1.2
        self._bonus(late_day, 100)  # posted late: its 100 points granted at the value of January, 95.00
        accruals = self._cron(mar + timedelta(days=1)).sorted("date")
        late = accruals.filtered(lambda a: a.date == late_day)
        self.assertFalse(late.catch_up, "no regular accrual of that day before")
        self.assertEqual(late.move_id.date, late_day)
        self.assertEqual(late.granted_amount, 95.0)
        self.assertEqual(
            (late.deferred_amount, late.recognised_amount, late.revalued_amount, late.released_amount),
            (0.0, 0.0, 0.0, 0.0),
            "later events are not booked on the posting's own early date",
        )
        self.assertEqual(len(late.move_id.line_ids), 2)
        later = accruals - late
        self.assertEqual(later.mapped("date"), [feb, mar], "the late posting's effect on the later days")
        self.assertTrue(all(later.mapped("catch_up")))
        # February: 962.58 x 300 / 1,045 = 276.34 recognised instead of 273.97;
        # March: the revaluation of the 92.63 more left, 20%
        self.assertEqual([a.recognised_amount for a in later], [-2.37, 0.0])
        self.assertEqual(later[1].revalued_amount, 18.53)
        self.assertIn("posted late", later[0].move_id.line_ids[0].name)
        for row in self.program._liability_tie_out(jan, date(2026, 4, 30)):
            self.assertEqual(row["difference"], 0.0, row["date"])
        self.assertEqual(self.program._liability_reconciliation(late_day)[2], 0.0)
        self.assertFalse(self._cron(mar + timedelta(days=2)), "nothing left to book")

    def test_late_posting_in_a_locked_period_after_a_revaluation(self):
        """Points granted in a locked February, posted after a March revaluation: their entry lands on the
        first open day with their own 95.00 only; the revaluation of their share is booked on its own day."""
        jan, late_day, mar = date(2026, 1, 5), date(2026, 2, 10), date(2026, 3, 2)
        self._invoice(jan, 10000)
        self._cron(jan + timedelta(days=1))
        with freeze_time(mar):
            self.program.point_value = 1.2
        self.company.fiscalyear_lock_date = date(2026, 2, 28)
        self._bonus(late_day, 100)
        late, later = self._cron(mar + timedelta(days=1)).sorted("date")
        self.assertEqual((late.date, late.move_id.date), (late_day, date(2026, 3, 1)))
        self.assertEqual((late.granted_amount, late.revalued_amount), (95.0, 0.0))
        self.assertEqual((later.date, later.move_id.date, later.revalued_amount), (mar, mar, 19.0))
        self.assertIn("posted late", later.move_id.line_ids[0].name)
        self.assertEqual(self.program._liability_tie_out(mar, mar)[-1]["difference"], 0.0)
        self.assertEqual(self.program._liability_tie_out(mar, date(2026, 3, 31))[-1]["difference"], 0.0)

    def _generated_week(self, rng, day):
        week = []
        for index in range(4):
            amount = rng.randint(100, 1000)
            week.append(("earn", index, amount // 10, amount))
            if rng.random() < 0.2:
                week.append(("bonus", index, 5, 0))
            if rng.random() < 0.5:
                week.append(("redeem", index, rng.random() * 0.4, 0))
            if rng.random() < 0.1:
                week.append(("reverse", index, 0, 0))
            if day.day <= 7:
                week.append(("expire", index, 0.1, 0))
        return week

    def _post_generated(self, member, day, kind, points, amount, balances, earns):
        balance = balances.get(member.id, 0)
        vals = {"membership_id": member.id, "date": day}
        if kind == "earn":
            vals.update(entry_type="earn", points=points, amount_base=amount)
        elif kind == "bonus":
            vals.update(entry_type="bonus", bonus_kind="other", points=points, reason="year")
        elif kind in ("redeem", "expire"):
            points = int(max(balance, 0) * points)
            if not points:
                return
            vals.update(entry_type=kind, points=-points)
        else:
            earn = earns[member.id]
            vals.update(
                entry_type="reverse",
                points=-(earn.points // 2),
                amount_base=-earn.amount_base / 2,
                reversed_entry_id=earn.id,
            )
        entry = self.env["crm.loyalty.entry"].create(vals)
        balances[member.id] = balance + entry.points
        if kind == "earn":
            earns[member.id] = entry

    def test_a_year_ties_out_every_month_under_both_methods(self):
        """A year of generated activity (earns, points granted, redemptions, credit notes, expiries, a change
        of estimate, a revaluation), accrued each week: GL = computed liability at every month end."""
        provision_account = self.env["account.account"].create(
            {
                "name": "Points provision",
                "code": "LOYD02",
                "account_type": "liability_current",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        provision = self.program.copy(
            {
                "name": "Provision Club",
                "liability_method": "provision",
                "loyalty_liability_account_id": provision_account.id,
                "point_value": 0.01,
            }
        )
        self.program.point_value = 0.01
        members = {}
        for index in range(4):
            partner = self.env["res.partner"].create({"name": f"Year member {index}"})
            for program in (self.program, provision):
                members[(program.id, index)] = self.env["crm.loyalty.membership"].create(
                    {"partner_id": partner.id, "program_id": program.id}
                )
        rng = random.Random(20)
        balances, earns = {}, {}
        day, end = date(2026, 1, 5), date(2026, 12, 28)
        while day <= end:
            week = self._generated_week(rng, day)  # the same movements for both programs
            for program in (self.program, provision):
                for kind, index, points, amount in week:
                    self._post_generated(members[(program.id, index)], day, kind, points, amount, balances, earns)
            self._cron(day + timedelta(days=1))
            if day == date(2026, 6, 1):
                with freeze_time(day + timedelta(days=1)):
                    self.program.with_context(breakage_reason="mid-year review").expected_redemption_rate = 0.8
            if day == date(2026, 9, 7):
                with freeze_time(day + timedelta(days=1)):
                    self.program.point_value = 0.02
            day += timedelta(days=7)
        self.assertEqual(len(self.program.accrual_ids.filtered(lambda a: a.kind != "day")), 2)
        with freeze_time(end):
            provision.with_context(breakage_reason="no effect").write(
                {"expected_redemption_rate": 0.5, "point_value": 0.02}
            )
        self.assertFalse(provision.accrual_ids.filtered(lambda a: a.kind == "estimate"), "provision: no rate")
        with freeze_time(end):
            provision.point_value = 0.01
        self.assertEqual(len(provision.accrual_ids.filtered(lambda a: a.kind == "revaluation")), 2)
        for program in (self.program, provision):
            tie_out = program._liability_tie_out(date(2026, 1, 1), date(2026, 12, 31))
            self.assertEqual(len(tie_out), 12)
            for row in tie_out:
                self.assertEqual(row["difference"], 0.0, f"{program.name} {row['date']}")
                self.assertEqual(row["gl_balance"], self._gl(row["account"], row["date"]))
            self.assertTrue(tie_out[-1]["liability"] > 0)


@tagged("post_install", "-at_install")
class TestLoyaltyDeferredMultiCompany(AccountTestInvoicingCommon):
    """A program of another company: its entries in that company, out of reach of the first one's users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("crm_loyalty.group_loyalty_manager")

    def test_other_company(self):
        company_b = self.setup_other_company(name="Deferred B")
        account = self.env["account.account"].create(
            {
                "name": "Contract liability B",
                "code": "LOYDB1",
                "account_type": "liability_current",
                "company_ids": [Command.set(company_b["company"].ids)],
            }
        )
        program = self.env["crm.loyalty.program"].create(
            {
                "name": "B Club",
                "company_id": company_b["company"].id,
                "point_value": 1.0,
                "earn_rate": 0.1,
                "liability_accounting": True,
                "liability_method": "deferred",
                "liability_journal_id": company_b["default_journal_misc"].id,
                "loyalty_expense_account_id": company_b["default_account_expense"].id,
                "loyalty_contract_liability_account_id": account.id,
                "loyalty_revenue_account_id": company_b["default_account_revenue"].id,
                "loyalty_breakage_account_id": company_b["default_account_revenue"].id,
            }
        )
        partner = self.env["res.partner"].create({"name": "B Customer"})
        member = self.env["crm.loyalty.membership"].create({"partner_id": partner.id, "program_id": program.id})
        self.env["crm.loyalty.entry"].create(
            {
                "membership_id": member.id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": 10,
                "date": date(2026, 3, 2),
                "reason": "welcome",
            }
        )
        with freeze_time(date(2026, 3, 3)):
            accrual = self.env["crm.loyalty.accrual"]._cron_accrue()
        self.assertEqual(accrual.move_id.company_id, company_b["company"])
        self.assertEqual(program._contract_liability(date(2026, 3, 2)), 10.0)
        accountant_a = new_test_user(
            self.env,
            login="accountant_a",
            groups="account.group_account_manager",
            company_id=self.company_data["company"].id,
            company_ids=self.company_data["company"].ids,
        )
        self.assertFalse(self.env["crm.loyalty.accrual"].with_user(accountant_a).search([("id", "=", accrual.id)]))
        Report = self.env["crm.loyalty.liability.report"].with_user(accountant_a)
        self.assertFalse(Report.search([("program_id", "=", program.id)]))
