from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

D1, D2, D3, D4, D5, D6 = (date(2026, 3, day) for day in range(2, 8))
LOGGER = "odoo.addons.crm_erp_bridge.models.loyalty_accrual"


@tagged("post_install", "-at_install")
class TestLoyaltyLiability(AccountTestInvoicingCommon):
    """The daily liability run books every movement once, whenever it is posted: late postings, back-dated
    credit notes, a second run the same day, locked periods; one program's failure never stops the others;
    and at every date the GL liability equals the ledger points times the point value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.user.lang = "en_US"
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.env.user.groups_id |= cls.env.ref("crm_loyalty.group_loyalty_manager")
        cls.company = cls.company_data["company"]
        cls.program = cls._liability_program("Ledger Club", "LOYT01", 0.01)
        cls.customer = cls.env["res.partner"].create({"name": "Ledger Customer", "is_company": True})
        cls.member = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.customer.id, "program_id": cls.program.id}
        )

    @classmethod
    def _liability_program(cls, name, code, point_value):
        liability = cls.env["account.account"].create(
            {
                "name": f"{name} liability",
                "code": code,
                "account_type": "liability_current",
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        return cls.env["crm.loyalty.program"].create(
            {
                "name": name,
                "company_id": cls.company.id,
                "point_value": point_value,
                "liability_accounting": True,
                "liability_journal_id": cls.company_data["default_journal_misc"].id,
                "loyalty_expense_account_id": cls.company_data["default_account_expense"].id,
                "loyalty_liability_account_id": liability.id,
                "loyalty_breakage_account_id": cls.company_data["default_account_revenue"].id,
            }
        )

    def _invoice(self, invoice_date, amount, partner=None):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.customer).id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_a.id, "quantity": 1, "price_unit": amount, "tax_ids": False}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _bonus(self, day, points, member=None):
        return self.env["crm.loyalty.entry"].create(
            {
                "membership_id": (member or self.member).id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": points,
                "date": day,
                "reason": "test",
            }
        )

    def _cron(self, day):
        with freeze_time(day):
            return self.env["crm.loyalty.accrual"]._cron_accrue()

    def _ledger_value(self, program, day):
        entries = self.env["crm.loyalty.entry"].search([("program_id", "=", program.id), ("date", "<=", day)])
        return program.currency_id.round(sum(entries.mapped("points")) * program.point_value)

    def _gl_balance(self, program, day):
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", program.loyalty_liability_account_id.id),
                ("parent_state", "=", "posted"),
                ("date", "<=", day),
            ]
        )
        return program.currency_id.round(sum(lines.mapped("credit")) - sum(lines.mapped("debit")))

    def assertReconciled(self, program, first, last):
        """GL liability = ledger points x point value at the end of every day from first to last, both from
        the documents themselves and as the reconciliation shows them."""
        day = first
        while day <= last:
            expected = self._ledger_value(program, day)
            self.assertEqual(self._gl_balance(program, day), expected, f"GL at {day}")
            self.assertEqual(program._liability_reconciliation(day), (expected, expected, 0.0), day)
            day += timedelta(days=1)

    def test_late_posting_is_booked_on_its_day(self):
        """An invoice dated yesterday and posted after yesterday's accrual: the next night books it on its day
        (the period is open) instead of failing that night and every night after."""
        with freeze_time(D1):
            self._invoice(D1, 100)
        first = self._cron(D2)
        self.assertEqual(first.mapped("date"), [D1])
        with freeze_time(D2):
            late = self._invoice(D1, 200)
            self._invoice(D2, 50)
        second = self._cron(D3)
        self.assertEqual(len(second), 2)
        catch_up = second.filtered("catch_up")
        self.assertEqual(catch_up.date, D1)
        self.assertEqual(catch_up.move_id.date, D1, "an open period: amended on the day itself")
        self.assertEqual(catch_up.entry_ids.move_id, late)
        self.assertEqual(catch_up.move_id.state, "posted")
        self.assertEqual(second.filtered(lambda a: not a.catch_up).date, D2)
        self.assertFalse(self._cron(D4), "nothing left: each movement booked once")
        self.assertReconciled(self.program, D1, D4)
        self.assertEqual(self.program._liability_reconciliation(D4)[0], 3.5)

    def test_journal_item_labels_format_points(self):
        """Labels of the accrual's journal items print points as the program formats them ("1,560"), never
        as a float ("1560.0")."""
        self._bonus(D1, 1560)
        self._bonus(D1, 250)
        accrual = self._cron(D2)
        labels = set(accrual.move_id.line_ids.mapped("name"))
        self.assertEqual(labels, {"Points earned: 1,810 (2 entries)"})
        self.assertEqual(self.program._format_points(1810.0), "1,810")

    def test_journal_entry_in_the_company_language(self):
        """The accrual's journal entry is a document of the company: ref and labels in the company partner's
        language, whoever runs it and in whatever language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        self.env.user.lang = "zh_CN"
        self.company.partner_id.lang = "en_US"
        self._bonus(D1, 100)
        with freeze_time(D2):
            english = zh["crm.loyalty.accrual"]._cron_accrue()
        self.assertEqual(english.move_id.ref, f"Loyalty liability Ledger Club {D1}")
        self.assertEqual(set(english.move_id.line_ids.mapped("name")), {"Points earned: 100 (1 entries)"})
        # a Chinese company: its entries are written in Chinese even when an English user runs the accrual
        self.env.user.lang = "en_US"
        self.company.partner_id.lang = "zh_CN"
        self._bonus(D2, 100)
        with freeze_time(D3):
            chinese = self.env["crm.loyalty.accrual"].with_context(lang="en_US")._cron_accrue()
        ref = zh._("Loyalty liability %(program)s %(day)s", program="Ledger Club", day=D2)
        self.assertNotEqual(ref, f"Loyalty liability Ledger Club {D2}", "a Chinese translation exists")
        self.assertEqual(chinese.move_id.ref, ref)
        self.assertEqual(
            set(chinese.move_id.line_ids.mapped("name")),
            {zh._("Points earned: %(points)s (%(count)s entries)", points="100", count=1)},
        )

    def test_accrue_now_twice_a_day(self):
        with freeze_time(D1):
            self._invoice(D1, 100)
            first = self.program.action_accrue_now() and self.program.accrual_ids
            self._invoice(D1, 40)
            self.program.action_accrue_now()
        accruals = self.program.accrual_ids
        self.assertEqual(len(accruals), 2)
        self.assertEqual(accruals.mapped("date"), [D1, D1])
        self.assertEqual((accruals - first).catch_up, True)
        self.assertFalse(self._cron(D2), "the nightly run finds the day already booked")
        self.assertReconciled(self.program, D1, D2)
        self.assertEqual(self.program._liability_reconciliation(D1)[1], 1.4)

    def test_back_dated_credit_note(self):
        with freeze_time(D1):
            invoice = self._invoice(D1, 1000)
        self._cron(D2)
        with freeze_time(D3):
            self.program.action_accrue_now()  # today included
            refund = invoice._reverse_moves([{"invoice_date": D1, "date": D1}])
            refund.invoice_line_ids.price_unit = 400
            refund.action_post()
        self.assertTrue(self.env["crm.loyalty.entry"].search([("move_id", "=", refund.id)]))
        accruals = self._cron(D4)
        self.assertTrue(accruals)
        self.assertReconciled(self.program, D1, D4)
        self.assertEqual(self.program._liability_reconciliation(D4)[0], 6.0)

    def test_one_program_failing_never_stops_the_others(self):
        other = self._liability_program("Second Club", "LOYT02", 0.05)
        other_member = self.env["crm.loyalty.membership"].create(
            {"partner_id": self.customer.id, "program_id": other.id}
        )
        self._bonus(D1, 100)
        self._bonus(D1, 100, member=other_member)
        # a late posting on the first program, and a second whose expense account cannot be posted to
        self._cron(D2)
        self._bonus(D1, 20)
        self._bonus(D2, 30, member=other_member)
        expense = self.company_data["default_account_expense"].copy({"code": "EXPT02"})
        other.loyalty_expense_account_id = expense
        expense.deprecated = True
        with self.assertLogs(LOGGER, "ERROR") as logs:
            accruals = self._cron(D3)
        self.assertEqual(accruals.program_id, self.program)
        self.assertIn("Second Club", logs.output[0])
        self.assertEqual(len(other.activity_ids), 1, "a Loyalty Manager is told")
        self.assertReconciled(self.program, D1, D3)
        # once the account is fixed, the next night catches the other program up
        expense.deprecated = False
        self.assertEqual(self._cron(D4).program_id, other)
        self.assertReconciled(other, D1, D4)
        self.assertReconciled(self.program, D1, D4)
        self.assertEqual(other._liability_reconciliation(D4)[0], 6.5)

    def test_late_posting_into_a_locked_period(self):
        self._bonus(D1, 1000)
        self._bonus(D2, 500)
        self._cron(D3)
        self.company.fiscalyear_lock_date = D3
        late = self._bonus(D2, 100)  # dated in the locked period
        self._bonus(D4, 10)
        accruals = self._cron(D5)
        catch_up = accruals.filtered("catch_up")
        self.assertEqual(catch_up.entry_ids, late)
        self.assertEqual(catch_up.date, D2)
        self.assertEqual(catch_up.move_id.date, D4, "the first open date after the lock")
        self.assertIn("locked", catch_up.move_id.narration)
        # the locked days keep their GL balance; the difference is shown and explained, and gone from D4
        Report = self.env["crm.loyalty.liability.report"]
        locked = Report.search([("program_id", "=", self.program.id), ("date", "=", D2)])
        self.assertRecordValues(
            locked,
            [{"ledger_points": 1600, "ledger_value": 16.0, "gl_balance": 15.0, "difference": 1.0, "booked_later": 1.0}],
        )
        self.assertIn("booked on a later date", locked.explanation)
        self.assertEqual(self.program._liability_reconciliation(D3), (16.0, 15.0, 1.0))
        self.assertReconciled(self.program, D4, D6)

    def test_reconciliation_report(self):
        """Analysis > Loyalty Liability: per program and day, ledger points, value, GL balance, difference;
        a difference explained; drill-down to the entries and the journal items; stable ids."""
        earn = self._bonus(D1, 1000)
        redeem = self.env["crm.loyalty.entry"].create(
            {"membership_id": self.member.id, "entry_type": "redeem", "points": -300, "date": D2}
        )
        self._cron(D3)
        pending = self._bonus(D3, 50)  # not accrued yet
        Report = self.env["crm.loyalty.liability.report"]
        domain = [("program_id", "=", self.program.id)]
        rows = Report.search(domain, order="date")
        self.assertRecordValues(
            rows,
            [
                {"date": D1, "points_day": 1000, "ledger_points": 1000, "ledger_value": 10.0, "gl_day": 10.0,
                 "gl_balance": 10.0, "difference": 0.0, "unaccrued_points": 0},
                {"date": D2, "points_day": -300, "ledger_points": 700, "ledger_value": 7.0, "gl_day": -3.0,
                 "gl_balance": 7.0, "difference": 0.0, "unaccrued_points": 0},
                {"date": D3, "points_day": 50, "ledger_points": 750, "ledger_value": 7.5, "gl_day": 0.0,
                 "gl_balance": 7.0, "difference": 0.5, "unaccrued_points": 50},
            ],
        )  # fmt: skip
        self.assertEqual(rows.mapped("explanation")[:2], [False, False], "no difference, nothing to explain")
        self.assertIn("50 points not accrued yet", rows[2].explanation)
        # drill-down: the ledger entries up to the day, the journal items on the liability account
        action = rows[1].action_open_entries()
        self.assertEqual(self.env["crm.loyalty.entry"].search(action["domain"]), earn | redeem)
        lines = self.env["account.move.line"].search(rows[1].action_open_move_lines()["domain"])
        self.assertEqual(sorted(lines.mapped("balance")), [-10.0, 3.0])
        self.assertEqual(self.env["crm.loyalty.entry"].search(rows[2].action_open_unaccrued()["domain"]), pending)
        # the same row keeps its id whatever the order and filter of the read
        again = Report.search(domain, order="ledger_value desc, date desc")
        self.assertEqual({r.date: r.id for r in again}, {r.date: r.id for r in rows})
        self.assertEqual(Report.browse(rows[1].id).ledger_points, 700)
        # the run books the pending entry: no difference left
        self._cron(D4)
        self.assertReconciled(self.program, D1, D4)
