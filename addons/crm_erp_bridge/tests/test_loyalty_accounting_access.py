from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.crm_loyalty.tests.common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyAccountingAccess(LoyaltyCommon):
    """Who may see and set the accounting of a loyalty program, the breakage history as an audit trail, the
    reconciliation screen against the liability account's real balance (issue 20, outside check)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        companies = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.accountant = new_test_user(
            cls.env, login="access_accountant", groups="account.group_account_manager", **companies
        )
        cls.loyalty_manager = new_test_user(
            cls.env, login="access_loyalty_manager", groups="crm_loyalty.group_loyalty_manager", **companies
        )
        cls.billing_loyalty_manager = new_test_user(
            cls.env,
            login="access_billing_loyalty_manager",
            groups="crm_loyalty.group_loyalty_manager,account.group_account_invoice",
            **companies,
        )
        cls.liability_account = cls.env["account.account"].create(
            {
                "name": "Loyalty liability (access)",
                "code": "LOYACC1",
                "account_type": "liability_current",
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.accounting_vals = {
            "liability_accounting": True,
            "liability_journal_id": cls.company_data["default_journal_misc"].id,
            "loyalty_expense_account_id": cls.company_data["default_account_expense"].id,
            "loyalty_liability_account_id": cls.liability_account.id,
            "loyalty_breakage_account_id": cls.company_data["default_account_revenue"].id,
        }

    # ------------------------------------------------------------------ defect 5: the history is not forged
    def test_history_rows_come_only_from_a_rate_change(self):
        forged = {
            "program_id": self.program.id,
            "kind": "override",
            "old_rate": 0.3,
            "new_rate": 0.9,
            "reason": "x",
        }
        Estimate = self.env["crm.loyalty.breakage.estimate"]
        for user in (self.accountant, self.loyalty_manager, self.env.ref("base.user_admin")):
            with self.assertRaises(UserError, msg=user.login):  # AccessError is a UserError
                Estimate.with_user(user).create(dict(forged))
        with self.assertRaisesText(UserError, "rate change"):
            Estimate.with_context(breakage_rate_change=True).create(dict(forged))
        self.assertEqual(self.program.breakage_estimate_ids.mapped("new_rate"), [1.0], "only the rate at creation")
        # the rate change itself still records its row
        self.program.with_user(self.accountant).with_context(breakage_reason="Closing")._apply_redemption_rate(
            0.9, reason="Closing"
        )
        last = Estimate.search([("program_id", "=", self.program.id)], limit=1)
        self.assertRecordValues(last, [{"kind": "override", "new_rate": 0.9, "user_id": self.accountant.id}])

    # ------------------------------------------------------------------ defect 6: an accountant alone
    def test_accountant_opens_the_program_list_and_form(self):
        self.program.write(self.accounting_vals)
        Program = self.env["crm.loyalty.program"].with_user(self.accountant)
        views = Program.get_views([(False, "list"), (False, "form")])["views"]
        list_fields = {node.get("name"): {} for node in etree.fromstring(views["list"]["arch"]).iter("field")}
        self.assertEqual(Program.web_search_read([("id", "=", self.program.id)], list_fields)["length"], 1)
        arch = etree.fromstring(views["form"]["arch"])
        self.assertTrue(arch.xpath("//page[@name='accounting']"), "the Accounting page is shown to accountants")
        self.assertTrue(arch.xpath("//page[@name='breakage']"), "the Breakage page is shown to accountants")
        self.assertTrue(arch.xpath("//button[@name='action_accrue_now']"))
        form = Form(self.program.with_user(self.accountant))
        self.assertEqual(form.member_count, len(self.program.membership_ids))
        self.assertTrue(self.program.with_user(self.accountant).action_accrue_now())

    def test_loyalty_manager_without_billing_cannot_set_the_accounting(self):
        program = self.program.with_user(self.loyalty_manager)
        for vals in (
            {"liability_method": "deferred"},
            {"loyalty_liability_account_id": self.liability_account.id},
            {"liability_journal_id": self.company_data["default_journal_misc"].id},
            {"liability_accounting": True},
        ):
            with self.assertRaisesText(UserError, "Billing"):
                program.write(vals)
        with self.assertRaisesText(UserError, "Billing"):
            self.env["crm.loyalty.program"].with_user(self.loyalty_manager).create(
                {"name": "Sneaky", "company_id": self.company.id, **self.accounting_vals}
            )
        # the rest of the program stays theirs, and a plain new program too
        program.write({"earn_rate": 2.0})
        self.env["crm.loyalty.program"].with_user(self.loyalty_manager).create(
            {"name": "Plain", "company_id": self.company.id}
        )
        self.program.with_user(self.billing_loyalty_manager).write(self.accounting_vals)
        self.assertEqual(self.program.loyalty_liability_account_id, self.liability_account)

    # ------------------------------------------------------------------ defect 7: the GL is the account's balance
    def test_reconciliation_screen_shows_manual_items_like_the_workbook(self):
        self.program.write(self.accounting_vals)
        member = self.env["crm.loyalty.membership"].create(
            {"partner_id": self.env["res.partner"].create({"name": "GL Co"}).id, "program_id": self.program.id}
        )
        self.env["crm.loyalty.entry"].create(
            {
                "membership_id": member.id,
                "entry_type": "bonus",
                "bonus_kind": "other",
                "points": 10000,
                "date": self.today - timedelta(days=10),
                "reason": "welcome",
            }
        )
        self.program.action_accrue_now()
        manual = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": self.today - timedelta(days=5),
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create({"account_id": self.liability_account.id, "debit": 100.0, "credit": 0.0}),
                    Command.create(
                        {"account_id": self.company_data["default_account_expense"].id, "debit": 0.0, "credit": 100.0}
                    ),
                ],
            }
        )
        manual.action_post()
        Report = self.env["crm.loyalty.liability.report"]
        Report.invalidate_model()
        row = Report.with_user(self.accountant).search(
            [("program_id", "=", self.program.id)], order="date desc", limit=1
        )
        self.assertEqual(row.date, self.today - timedelta(days=5))
        self.assertEqual((row.ledger_value, row.gl_balance, row.difference), (100.0, 0.0, 100.0))
        self.assertEqual(row.other_gl_balance, -100.0)
        self.assertIn("not from the accruals", row.explanation)
        # the workbook: the program's row plus the other journal items of the account give the same figures
        export = self.env["crm.accounting.export"].create(
            {"date_from": self.today - timedelta(days=40), "date_to": self.today, "company_id": self.company.id}
        )
        rows = [r for r in export._tie_out_rows() if r[2] == self.today]
        self.assertEqual(sum(r[8] for r in rows), row.gl_balance)
        self.assertEqual(sum(r[9] for r in rows), row.difference)
        move_lines = self.env[row.action_open_move_lines()["res_model"]].search(row.action_open_move_lines()["domain"])
        self.assertIn(manual, move_lines.move_id)
