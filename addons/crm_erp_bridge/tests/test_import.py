import csv
import io

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

CSV_OPTIONS = {
    "has_headers": True,
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "date_format": "%Y-%m-%d",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
}


@tagged("post_install", "-at_install")
class TestStandardImport(TransactionCase):
    """Odoo's standard import (base_import, as in the web client) of our records: a file with an invalid
    row is rejected with the row and the reason, and nothing of it is written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["res.lang"]._activate_lang("en_US")
        cls.company_b = env["res.company"].create({"name": "Import B Co"})
        cls.user = new_test_user(
            env,
            login="import_manager",
            groups="base.group_user,crm_loyalty.group_loyalty_manager,crm_feedback.group_feedback_manager,"
            "sales_team.group_sale_manager",
            lang="en_US",
        )
        cls.program = env["crm.loyalty.program"].create({"name": "Import Club", "point_value": 0.01})
        env["crm.loyalty.program"].with_company(cls.company_b).create(
            {"name": "Import B Club", "point_value": 0.01, "company_id": cls.company_b.id}
        )
        Partner = env["res.partner"]
        cls.alpha = Partner.create({"name": "Import Alpha", "is_company": True})
        cls.beta = Partner.create({"name": "Import Beta", "is_company": True})
        cls.beta_contact = Partner.create({"name": "Import Beta Buyer", "parent_id": cls.beta.id})
        cls.member = env["crm.loyalty.membership"].create({"partner_id": cls.beta.id, "program_id": cls.program.id})
        env["crm.loyalty.entry"].create(
            {"membership_id": cls.member.id, "entry_type": "adjust", "points": 100, "reason": "opening"}
        )
        cls.other_order = env["sale.order"].create({"partner_id": cls.alpha.id})

    def _import(self, model, header, rows):
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *rows])
        wizard = (
            self.env["base_import.import"]
            .with_user(self.user)
            .create(
                {
                    "res_model": model,
                    "file": buffer.getvalue().encode(),
                    "file_type": "text/csv",
                    "file_name": f"{model}.csv",
                }
            )
        )
        with mute_logger("odoo.sql_db", "odoo.models"):
            return wizard.execute_import(header, header, dict(CSV_OPTIONS))

    def _assert_bad_value(self, result, column, value):
        """A value that does not parse stops the file before any row is written, naming column and value."""
        self.assertFalse(result.get("ids"))
        message = " ".join(m["message"] for m in result["messages"] if m["type"] == "error")
        self.assertIn(column, message)
        self.assertIn(value, message)

    def _assert_rejected(self, result, expected):
        """``expected``: {row number in the file (1 = first data row): a piece of the reason}."""
        self.assertFalse(result.get("ids"), "a file with an invalid row must write nothing")
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertTrue(errors)
        found = {}
        for message in result["messages"]:
            rows = message.get("rows") or {}
            if "from" in rows:
                found[rows["from"] + 1] = found.get(rows["from"] + 1, "") + " | " + message["message"]
        for row, reason in expected.items():
            self.assertIn(row, found, f"row {row} not reported: {errors}")
            self.assertIn(reason, found[row])

    def test_members(self):
        Membership = self.env["crm.loyalty.membership"]
        before = Membership.search_count([])
        result = self._import(
            "crm.loyalty.membership",
            ["partner_id", "program_id"],
            [
                ["Import Alpha", "Import Club"],  # valid
                ["Nobody Ltd", "Import Club"],  # unknown partner
                ["Import Beta Buyer", "Import Club"],  # a contact, not the customer: not offered
                ["Import Alpha", "Import B Club"],  # another company's program
            ],
        )
        self._assert_rejected(result, {2: "Nobody Ltd", 3: "Import Beta Buyer", 4: "Import B Club"})
        self.assertEqual(Membership.search_count([]), before)

    def test_tiers(self):
        result = self._import(
            "crm.loyalty.tier",
            ["name", "program_id", "threshold", "multiplier"],
            [
                ["Import Silver", "Import Club", "100", "1.5"],
                ["Import Lead", "Import Club", "-5", "1"],  # negative threshold
            ],
        )
        self._assert_rejected(result, {2: "negative"})
        result = self._import(
            "crm.loyalty.tier",
            ["name", "program_id", "threshold", "multiplier"],
            [["Import Silver", "Import Club", "100", "1.5"], ["Import Gold", "Import Club", "a lot", "2"]],
        )
        self._assert_bad_value(result, "threshold", "a lot")
        self.assertFalse(self.program.tier_ids)

    def test_manual_point_adjustments(self):
        result = self._import(
            "crm.loyalty.entry",
            ["membership_id", "entry_type", "points", "reason"],
            [
                [self.member.display_name, "adjust", "50", "goodwill"],
                [self.member.display_name, "adjust", "-500", "typo"],  # more than the member has
                [self.member.display_name, "adjust", "-5", ""],  # no reason
            ],
        )
        self._assert_rejected(result, {2: "cannot be spent", 3: "reason"})
        result = self._import(
            "crm.loyalty.entry",
            ["membership_id", "entry_type", "points", "reason"],
            [[self.member.display_name, "adjust", "ten", "typo"]],
        )
        self._assert_bad_value(result, "points", "ten")
        self.member.invalidate_recordset()
        self.assertEqual(self.member.balance, 100)
        self.assertEqual(len(self.member.entry_ids), 1)

    def test_a_valid_adjustment_file_is_posted_and_approved(self):
        result = self._import(
            "crm.loyalty.entry",
            ["membership_id", "entry_type", "points", "reason"],
            [
                [self.member.display_name, "adjust", "-40", "correction"],
                [self.member.display_name, "adjust", "15", "gift"],
            ],
        )
        self.assertEqual(len(result["ids"]), 2, result["messages"])
        self.member.invalidate_recordset()
        self.assertEqual(self.member.balance, 75)
        self.assertEqual(self.env["crm.loyalty.entry"].browse(result["ids"]).approved_by_id, self.user)

    def test_rule_segments(self):
        result = self._import(
            "crm.rule.segment",
            ["name", "domain"],
            [["Import Shanghai", "[('city', '=', 'Shanghai')]"], ["Import Broken", "[('no_such_field', '=', 1)]"]],
        )
        self._assert_rejected(result, {2: "no_such_field"})
        self.assertFalse(self.env["crm.rule.segment"].search([("name", "like", "Import ")]))

    def test_tickets(self):
        result = self._import(
            "crm.feedback.ticket",
            ["subject", "description", "partner_id", "ticket_type", "sale_order_id"],
            [
                ["Import broken chair", "Broken", "Import Beta", "complaint", ""],
                ["Import wrong order", "Late", "Import Beta", "complaint", self.other_order.name],  # Alpha's order
                ["Import nobody", "Great", "Nobody Ltd", "praise", ""],  # unknown customer
            ],
        )
        self._assert_rejected(result, {2: "another customer", 3: "Nobody Ltd"})
        self.assertFalse(self.env["crm.feedback.ticket"].search([("subject", "like", "Import ")]))
