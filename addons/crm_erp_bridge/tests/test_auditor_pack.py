import base64
import io
import logging
from datetime import timedelta

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .test_loyalty_deferred import TestLoyaltyDeferred

_logger = logging.getLogger(__name__)
PACK = ["Liability Tie-out", "Redemption Cohorts", "Breakage Estimates", "Adjustments and Goodwill", "Ledger Integrity"]
OTHER_ITEMS = "Other journal items (not from the accruals)"


@tagged("post_install", "-at_install")
class TestAuditorPack(AccountTestInvoicingCommon):
    """The auditor pack of the accounting workbook through real documents: invoices and a redemption on a
    program under deferred revenue, the ledger of a program under provision, the daily accrual, a change of
    estimate, a manual adjustment, goodwill, the hash chain; the XLSX read back with openpyxl."""

    # the documents of the deferred revenue tests: an invoice paid, a quotation paid partly with points
    _invoice = TestLoyaltyDeferred._invoice
    _redeem = TestLoyaltyDeferred._redeem

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

        def account(code, name):
            return cls.env["account.account"].create(
                {
                    "name": name,
                    "code": code,
                    "account_type": "liability_current",
                    "company_ids": [Command.set(cls.company.ids)],
                }
            )

        cls.contract_liability = account("LOYA01", "Contract liability (points)")
        cls.provision_account = account("LOYA02", "Points provision")
        common = {
            "company_id": cls.company.id,
            "earn_rate": 0.1,
            "validity_months": 0,
            "max_redeem_pct": 100.0,
            "reward_product_id": cls.env.ref("crm_loyalty.product_loyalty_reward").id,
            "liability_accounting": True,
            "liability_journal_id": cls.company_data["default_journal_misc"].id,
            "loyalty_expense_account_id": cls.company_data["default_account_expense"].id,
            "loyalty_breakage_account_id": cls.company_data["default_account_revenue"].id,
        }
        cls.deferred = cls.env["crm.loyalty.program"].create(
            dict(
                common,
                name="Deferred Club",
                point_value=1.0,
                expected_redemption_rate=0.95,
                liability_method="deferred",
                loyalty_contract_liability_account_id=cls.contract_liability.id,
                loyalty_revenue_account_id=cls.product_a.property_account_income_id.id,
            )
        )
        cls.provision = cls.env["crm.loyalty.program"].create(
            dict(
                common,
                name="Provision Club",
                point_value=0.5,
                liability_method="provision",
                loyalty_liability_account_id=cls.provision_account.id,
            )
        )
        cls.customer = cls.env["res.partner"].create({"name": "Deferred Customer", "is_company": True})
        cls.member = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.customer.id, "program_id": cls.deferred.id}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Provision Customer", "is_company": True})
        cls.provision_member = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.other_customer.id, "program_id": cls.provision.id}
        )
        cls.boss = new_test_user(
            cls.env,
            login="pack_loyalty_boss",
            name="Loyalty Boss",
            groups="base.group_user,crm_loyalty.group_loyalty_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.accountant = new_test_user(
            cls.env,
            login="pack_accountant",
            groups="account.group_account_invoice,base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.today = fields.Date.context_today(cls.env.user)
        cls.start = cls.today.replace(day=1) - relativedelta(months=2)

    def _activity(self):
        """Two months of documents and ledger entries on both programs, accrued by the daily run."""
        d1, d2 = self.start + timedelta(days=2), self.start + relativedelta(months=1, days=5)
        self._invoice(d1, 10000)  # 1,000 points of the deferred program
        self._redeem(d2, 300)
        Entry = self.env["crm.loyalty.entry"]
        Entry.create(
            [
                {
                    "membership_id": self.provision_member.id,
                    "entry_type": "earn",
                    "points": 400,
                    "amount_base": 4000,
                    "date": d1,
                },
                {"membership_id": self.provision_member.id, "entry_type": "redeem", "points": -100, "date": d2},
            ]
        )
        # a manual adjustment and goodwill points, each approved by the loyalty manager
        Entry.with_user(self.boss).create(
            {
                "membership_id": self.provision_member.id,
                "entry_type": "adjust",
                "points": -20,
                "date": d2,
                "reason": "Duplicate earn at the till",
            }
        )
        # sudo: the test stands in for the feedback flow that proposes goodwill (a loyalty manager only decides)
        goodwill = (
            self.env["crm.loyalty.goodwill"]
            .sudo()
            .create(
                {
                    "trigger": "sla_breach",
                    "partner_id": self.customer.id,
                    "membership_id": self.member.id,
                    "company_id": self.company.id,
                    "points": 30,
                }
            )
        )
        goodwill.with_user(self.boss).action_approve()
        (self.deferred | self.provision).action_accrue_now()
        return d1, d2

    def _export(self, user=None, date_from=None, date_to=None):
        wizard = (
            self.env["crm.accounting.export"]
            .with_user(user or self.accountant)
            .create(
                {
                    "company_id": self.company.id,
                    "date_from": date_from or self.start,
                    "date_to": date_to or self.today,
                }
            )
        )
        wizard.action_export()
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))

    def _rows(self, book, sheet):
        sheet = book[sheet]
        header = [cell.value for cell in sheet[1]]
        rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] != "Total"]
        return header, rows

    def _tie_out(self, book):
        """{(program, month end): (ledger points, computed liability, GL balance, difference)}."""
        _header, rows = self._rows(book, "Liability Tie-out")
        return {(row[0], row[2].date()): (row[3], row[6], row[8], row[9]) for row in rows}

    # ------------------------------------------------------------------ tie-out
    def test_tie_out_zero_after_the_accrual_and_equal_to_the_reconciliation_screen(self):
        self._activity()
        book = self._export()
        self.assertEqual(book.sheetnames[-5:], PACK)
        header, rows = self._rows(book, "Liability Tie-out")
        self.assertEqual(
            header,
            [
                "Program",
                "Method",
                "Month End",
                "Ledger Points",
                "Point Value",
                "Ledger Value",
                "Computed Liability",
                "Account",
                "GL Balance",
                "Difference",
            ],
        )
        tie_out = self._tie_out(book)
        month_ends = [
            self.start + relativedelta(day=31),
            self.start + relativedelta(months=1, day=31),
            self.today,
        ]
        self.assertEqual(set(tie_out), {(p, d) for p in ("Deferred Club", "Provision Club") for d in month_ends})
        self.assertEqual({row[1] for row in rows}, {"Provision", "Deferred revenue (IFRS 15 / CAS 14)"})
        for key, (_points, liability, gl_balance, difference) in tie_out.items():
            self.assertEqual(difference, 0, key)
            self.assertAlmostEqual(liability, gl_balance, places=2, msg=key)
        # provision: 400 - 100 - 20 points at 0.5; deferred: 1,000 - 300 + 30 points, a computed contract liability
        self.assertEqual(tie_out[("Provision Club", self.today)][:3], (280, 140, 140))
        self.assertEqual(tie_out[("Deferred Club", self.today)][0], 730)
        self.assertGreater(tie_out[("Deferred Club", self.today)][1], 0)
        # the reconciliation screen shows the same figures, day by day
        Report = self.env["crm.loyalty.liability.report"]
        Report.invalidate_model()
        for program in self.deferred | self.provision:
            for day in month_ends:
                screen = Report.search(
                    [("program_id", "=", program.id), ("date", "<=", day)], order="date desc", limit=1
                )
                self.assertEqual(
                    tie_out[(program.name, day)],
                    (screen.ledger_points, screen.liability, screen.gl_balance, screen.liability_difference),
                    f"{program.name} {day}",
                )
                self.assertEqual(
                    program._liability_reconciliation(day)[1:], tie_out[(program.name, day)][2:], program.name
                )
        self.assertFalse([row for row in rows if row[0] == OTHER_ITEMS], "nothing posted by hand")

    def test_tie_out_shows_a_journal_item_posted_by_hand(self):
        _d1, d2 = self._activity()
        manual = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": d2,
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create({"account_id": self.provision_account.id, "credit": 25.0, "name": "by hand"}),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_expense"].id,
                            "debit": 25.0,
                            "name": "by hand",
                        }
                    ),
                ],
            }
        )
        manual.action_post()
        book = self._export()
        tie_out = self._tie_out(book)
        first_end, second_end = self.start + relativedelta(day=31), self.start + relativedelta(months=1, day=31)
        self.assertEqual(tie_out[(OTHER_ITEMS, first_end)], (None, 0, 0, 0))
        self.assertEqual(tie_out[(OTHER_ITEMS, second_end)], (None, 0, 25, -25))
        self.assertEqual(tie_out[(OTHER_ITEMS, self.today)], (None, 0, 25, -25))
        _header, rows = self._rows(book, "Liability Tie-out")
        self.assertEqual({row[7] for row in rows if row[0] == OTHER_ITEMS}, {self.provision_account.display_name})
        self.assertEqual(tie_out[("Provision Club", self.today)][3], 0, "the program's own accruals still tie out")
        sheet = book["Liability Tie-out"]
        self.assertEqual(sheet.cell(sheet.max_row, 1).value, "Total")
        self.assertEqual(sheet.cell(sheet.max_row, 10).value[:7], "=SUMIFS")

    # ------------------------------------------------------------------ cohorts, estimates, adjustments
    def test_cohorts_estimates_and_approvals(self):
        self._activity()
        with self.subTest("an override of the expected redemption rate, with its reason"):
            self.deferred.with_user(self.boss).with_context(breakage_reason="Auditor review: fewer redemptions").write(
                {"expected_redemption_rate": 0.9}
            )
        book = self._export()

        header, rows = self._rows(book, "Redemption Cohorts")
        self.assertEqual(
            header,
            ["Program", "Month of Earning", "Earned", "Redeemed", "Expired", "Open", "Open Past Expiry",
             "Redemption Rate", "Closed"],
        )  # fmt: skip
        names = {self.deferred.id: "Deferred Club", self.provision.id: "Provision Club"}
        expected = [
            (
                names[c["program_id"]],
                c["month"],
                c["earned"],
                c["redeemed"],
                c["expired"],
                c["open"],
                c["lapsed"],
                c["redemption_rate"],
                "Yes" if c["closed"] else "No",
            )
            for c in (self.deferred | self.provision)._redemption_cohorts()
        ]
        self.assertEqual([(r[0], r[1].date(), *r[2:]) for r in rows], expected)
        self.assertIn(("Deferred Club", self.start, 1000, 300, 0, 700, 0, None, "No"), expected)

        header, rows = self._rows(book, "Breakage Estimates")
        self.assertEqual(header[:3], ["Program", "Date", "Change"])
        deferred_rows = [row for row in rows if row[0] == "Deferred Club"]
        self.assertEqual(deferred_rows[0][2:5], ("In force at the end of the period", None, 0.9))
        override = next(row for row in deferred_rows if row[9] == "Auditor review: fewer redemptions")
        self.assertEqual((override[2], override[3], override[4], override[8]), ("Override", 0.95, 0.9, "Loyalty Boss"))
        self.assertTrue(override[1], "when")

        header, rows = self._rows(book, "Adjustments and Goodwill")
        self.assertEqual(header, ["Date", "Program", "Customer", "Type", "Reason", "Points", "Value", "Approved By"])
        self.assertEqual(
            sorted((r[1], r[2], r[3], r[4] if r[3] == "Adjustment" else "", r[5], r[6], r[7]) for r in rows),
            [
                ("Deferred Club", "Deferred Customer", "Goodwill", "", 30, 30, "Loyalty Boss"),
                ("Provision Club", "Provision Customer", "Adjustment", "Duplicate earn at the till", -20, -10,
                 "Loyalty Boss"),
            ],
        )  # fmt: skip

    # ------------------------------------------------------------------ queries
    def test_queries_do_not_grow_with_the_months(self):
        """The whole workbook takes as many queries for a year and a quarter as for a quarter: the tie-out
        reads each program's month ends in one statement per figure, never one query per month."""
        self._activity()

        def queries(date_from):
            wizard = self.env["crm.accounting.export"].create(
                {"company_id": self.company.id, "date_from": date_from, "date_to": self.today}
            )
            wizard._build_workbook()  # the caches of the ORM warm
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            wizard._build_workbook()
            return self.cr.sql_log_count - before

        queries(self.start)  # once for what the registry caches on a first export (rules, translations)
        quarter, longer = queries(self.start), queries(self.start - relativedelta(months=12))
        _logger.info("auditor pack: whole workbook in %s queries (two programs)", quarter)
        self.assertEqual(quarter, longer)

    # ------------------------------------------------------------------ integrity of the ledger
    def test_ledger_integrity_intact_then_broken(self):
        self._activity()
        Entry = self.env["crm.loyalty.entry"]
        Entry._secure_ledger(self.company)
        header, rows = self._rows(self._export(), "Ledger Integrity")
        self.assertEqual(
            header[:5], ["Company", "Status", "Entries Checked", "Not Yet Secured", "First Broken Entry ID"]
        )
        entries = Entry.search([("company_id", "=", self.company.id)], order="id")
        self.assertEqual(rows, [rows[0]], "one company: the export's")
        company, status, checked, unsecured, broken = rows[0][:5]
        self.assertEqual(
            (company, status, checked, unsecured, broken), (self.company.name, "Intact", len(entries), 0, None)
        )
        self.assertEqual(rows[0][7], entries[-1].inalterable_hash)

        victim = entries[1]
        self.env.execute_query(SQL("UPDATE crm_loyalty_entry SET points = points + 1 WHERE id = %s", victim.id))
        Entry.invalidate_model()
        _header, rows = self._rows(self._export(), "Ledger Integrity")
        self.assertEqual(rows[0][1:5], ("Broken", 1, 0, victim.id))
        self.assertIn(str(victim.id), rows[0][6])

    def test_other_company_programs_are_left_out(self):
        """A program of another company picked in the wizard stays out of every sheet of the pack."""
        other = self.env["res.company"].create({"name": "Other Co"})
        # sudo: the program of a company the test user does not work in
        elsewhere = self.env["crm.loyalty.program"].sudo().create({"name": "Elsewhere Club", "company_id": other.id})
        self._activity()
        wizard = self.env["crm.accounting.export"].create(
            {
                "company_id": self.company.id,
                "date_from": self.start,
                "date_to": self.today,
                "program_ids": [Command.set((self.deferred | self.provision | elsewhere).ids)],
            }
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        for sheet in ("Liability Tie-out", "Redemption Cohorts", "Breakage Estimates", "Adjustments and Goodwill"):
            _header, rows = self._rows(book, sheet)
            column = 1 if sheet == "Adjustments and Goodwill" else 0
            self.assertNotIn("Elsewhere Club", {row[column] for row in rows}, sheet)
            self.assertIn("Deferred Club", {row[column] for row in rows}, sheet)
