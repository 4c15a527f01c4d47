import importlib.util
from datetime import date
from pathlib import Path

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL

from ..tools import ledger_hash
from .common import CommittedRaceCase, LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLedgerHash(LoyaltyCommon):
    """The ledger's hash chain: secured in id order per company, checked by recomputing every hash."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["crm.loyalty.entry"]
        cls.invoice = cls._invoice(cls.customer, [(cls.product, 1, 10000)])  # 10,000 points
        cls._invoice(cls.customer, [(cls.product, 1, 2000)])  # 2,000 points
        cls._refund(cls.invoice, [(cls.product, 1, 1000)])  # -1,000 points
        cls.order = cls._redeemed_order(3000)

    @classmethod
    def _redeemed_order(cls, points):
        """A confirmed quotation paid partly with ``points``."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": 2, "price_unit": 300.0})
                ],
            }
        )
        action = order.action_open_loyalty_redeem()
        wizard = Form(cls.env["crm.loyalty.redeem.wizard"].with_context(**action["context"]))
        wizard.points = points
        wizard.save().action_apply()
        order.action_confirm()
        return order

    def _company_entries(self):
        return self.Entry.search([("company_id", "=", self.company.id)], order="id")

    def _check(self):
        self.env.invalidate_all()
        return self.Entry._check_chain_integrity(self.company)

    def test_database_writes_the_canonical_text_of_python(self):
        """The check hashes in the database (record_sql) what securing hashed in Python (entry_record): the same
        text for the values entries hold; where the database writes a value otherwise (a float of 1e15 in
        exponent notation), the row fails only the database's comparison and the Python check still finds it
        intact."""
        entries = self._company_entries()
        for entry in entries:
            text, values = self._texts(entry)
            self.assertEqual(text, ledger_hash.entry_record(values))
        # every float notation of the check: zero, negative zero, integral, fractional, tiny, huge
        first = entries[0]
        # (points are never zero: the zeros on the invoiced base)
        for column, value in [("amount_base", 0.0), ("amount_base", -0.0), ("amount_base", 1234.5)] + [
            ("points", points) for points in (-400.0, 0.1 + 0.2, 1e-7, 12345.678, 1e16, 1e15)
        ]:
            self.env.execute_query(
                SQL("UPDATE crm_loyalty_entry SET %s = %s WHERE id = %s", SQL.identifier(column), value, first.id)
            )
            text, values = self._texts(first)
            if value != 1e15:  # "1e+15" in the database, "1000000000000000.0" in Python
                self.assertEqual(text, ledger_hash.entry_record(values), (column, value))
        # secured with 1e15 (written otherwise by the database): the check still finds the chain intact
        self.Entry._secure_ledger(self.company)
        result = self._check()
        self.assertEqual((result["status"], result["checked"]), ("intact", len(entries)), result["message"])
        self.env.execute_query(SQL("UPDATE crm_loyalty_entry SET points = 2e15 WHERE id = %s", first.id))
        result = self._check()
        self.assertEqual((result["status"], result["first_broken_entry_id"]), ("broken", first.id))

    def _texts(self, entry):
        """(the canonical text written by the database, the stored values) of ``entry``."""
        columns = SQL(", ").join(SQL.identifier("e", name) for name in ledger_hash.HASHED_FIELDS)
        record = ledger_hash.record_sql("e")
        [(text, *row)] = self.env.execute_query(
            SQL("SELECT %s, %s FROM crm_loyalty_entry e WHERE e.id = %s", record, columns, entry.id)
        )
        return text, dict(zip(ledger_hash.HASHED_FIELDS, row, strict=True))

    def test_chain_intact_after_invoices_and_orders(self):
        entries = self._company_entries()
        self.assertEqual(set(entries.mapped("entry_type")), {"earn", "reverse", "redeem"})
        before = self._check()
        self.assertEqual((before["status"], before["checked"], before["unsecured"]), ("empty", 0, len(entries)))

        self.Entry._secure_ledger(self.company)
        result = self._check()
        self.assertEqual(result["status"], "intact", result["message"])
        self.assertEqual((result["checked"], result["unsecured"]), (len(entries), 0))
        self.assertFalse(result["first_broken_entry_id"])
        entries.invalidate_recordset()
        self.assertEqual(entries.mapped("secure_sequence_number"), list(range(1, len(entries) + 1)), "id order")
        self.assertTrue(all(h.startswith("$1$") and len(h) == 67 for h in entries.mapped("inalterable_hash")))
        self.assertEqual(result["last_hash"], entries[-1].inalterable_hash)
        # each hash is chained to the previous one: the same data after another predecessor hashes differently
        first, second = entries[:2]
        self.assertNotEqual(
            second._calculate_hashes(first.inalterable_hash)[second.id],
            second._calculate_hashes("")[second.id],
        )
        self.assertEqual(second._calculate_hashes(first.inalterable_hash)[second.id], second.inalterable_hash)

        # securing again adds nothing; new entries continue the chain where it stopped
        self.assertEqual(self.Entry._secure_ledger(self.company), 0)
        self._invoice(self.customer, [(self.product, 1, 500)])
        self.assertEqual(self.Entry._secure_ledger(self.company), 1)
        result = self._check()
        self.assertEqual((result["status"], result["checked"]), ("intact", len(entries) + 1))

    def test_changing_state_and_personal_data_keeps_the_chain(self):
        """Only immutable fields are hashed: a lot consumed later, a merged or pseudonymised customer, a typed
        note rewritten by an erasure leave the chain intact."""
        self.Entry._secure_ledger(self.company)
        lot = self._company_entries().filtered(lambda e: e.entry_type == "earn")[0]
        remaining = lot.remaining
        self._redeemed_order(1000)
        lot.invalidate_recordset()
        self.assertLess(lot.remaining, remaining, "the redemption consumed the secured lot")
        other = self.env["res.partner"].create({"name": "Pseudonym 7f3a", "is_company": True})
        self.env.cr.execute(
            SQL(
                "UPDATE crm_loyalty_entry SET partner_id = %s, reason = 'redacted' WHERE company_id = %s",
                other.id,
                self.company.id,
            )
        )
        self.customer.name = "Pseudonym 42"
        result = self._check()
        self.assertEqual(result["status"], "intact", result["message"])
        self.assertEqual(result["unsecured"], 1, "the new redemption waits for the next securing")

    def test_points_edited_in_sql_names_the_row(self):
        self.Entry._secure_ledger(self.company)
        entries = self._company_entries()
        tampered = entries[2]
        self.env.cr.execute(SQL("UPDATE crm_loyalty_entry SET points = points + 1 WHERE id = %s", tampered.id))
        result = self._check()
        self.assertEqual(result["status"], "broken")
        self.assertEqual(result["first_broken_entry_id"], tampered.id)
        self.assertEqual((result["problem"], result["checked"]), ("altered", 2))
        self.assertIn(str(tampered.id), result["message"])

        # any hashed field: a date moved by a day in another entry is found once the first one is repaired
        self.env.cr.execute(SQL("UPDATE crm_loyalty_entry SET points = points - 1 WHERE id = %s", tampered.id))
        self.env.cr.execute(
            SQL("UPDATE crm_loyalty_entry SET date = date - 1 WHERE id = %s", entries[-1].id),
        )
        result = self._check()
        self.assertEqual((result["status"], result["first_broken_entry_id"]), ("broken", entries[-1].id))

    def test_row_deleted_in_sql_is_detected(self):
        self.Entry._secure_ledger(self.company)
        entries = self._company_entries()
        deleted = entries[1]
        self.env.cr.execute(SQL("DELETE FROM crm_loyalty_entry WHERE id = %s", deleted.id))
        result = self._check()
        self.assertEqual((result["status"], result["problem"]), ("broken", "missing"))
        self.assertEqual(result["first_broken_entry_id"], deleted.id, "the hash row names the deleted entry")
        self.assertEqual(result["checked"], 1)

        # the tamperer deletes its hash too: the chain has a gap, the next entry is named
        self.env.cr.execute(SQL("DELETE FROM crm_loyalty_ledger_hash WHERE entry_id = %s", deleted.id))
        result = self._check()
        self.assertEqual((result["status"], result["problem"]), ("broken", "gap"))
        self.assertEqual(result["first_broken_entry_id"], entries[2].id)

        # and renumbers the hashes after it: the next entry's hash no longer matches its predecessor
        self.env.cr.execute(
            SQL(
                "UPDATE crm_loyalty_ledger_hash SET sequence = sequence - 1 WHERE company_id = %s AND sequence > 2",
                self.company.id,
            )
        )
        result = self._check()
        self.assertEqual((result["status"], result["problem"]), ("broken", "altered"))
        self.assertEqual(result["first_broken_entry_id"], entries[2].id)

    def test_expiry_written_in_sql_is_chained(self):
        with freeze_time("2026-01-10"):
            self._invoice(self.customer, [(self.product, 1, 700)], date=date(2026, 1, 10))  # expires 2027-01-10
        with freeze_time("2027-02-01"):
            self.env["crm.loyalty.membership"]._cron_expire_points()
        expiries = self._company_entries().filtered(lambda e: e.entry_type == "expire")
        self.assertTrue(expiries, "the SQL path wrote expire entries")
        self.Entry._cron_secure_ledger()
        expiries.invalidate_recordset()
        self.assertTrue(all(expiries.mapped("inalterable_hash")))
        result = self._check()
        self.assertEqual((result["status"], result["unsecured"]), ("intact", 0), result["message"])
        self.env.cr.execute(SQL("UPDATE crm_loyalty_entry SET points = -1 WHERE id = %s", expiries[0].id))
        self.assertEqual(self._check()["first_broken_entry_id"], expiries[0].id)

    def test_companies_have_their_own_chain(self):
        env_sudo = self.env(su=True)  # a second company and its member, outside the test user's companies
        other_company = env_sudo["res.company"].create({"name": "Other Loyalty Co"})
        program = env_sudo["crm.loyalty.program"].create(
            {"name": "Other club", "company_id": other_company.id, "point_value": 0.01, "earn_rate": 1.0}
        )
        partner = env_sudo["res.partner"].create({"name": "Elsewhere Ltd", "is_company": True})
        member = env_sudo["crm.loyalty.membership"].create({"partner_id": partner.id, "program_id": program.id})
        env_sudo["crm.loyalty.entry"].create(
            [{"membership_id": member.id, "entry_type": "bonus", "bonus_kind": "other", "points": 10}] * 2
        )
        self.Entry._secure_ledger(self.company | other_company)
        other = self.Entry._check_chain_integrity(other_company)
        self.assertEqual((other["status"], other["checked"]), ("intact", 2))
        self.assertEqual(self._check()["checked"], len(self._company_entries()))
        self.env.cr.execute(
            SQL("SELECT sequence FROM crm_loyalty_ledger_hash WHERE company_id = %s ORDER BY 1", other_company.id)
        )
        self.assertEqual([row[0] for row in self.env.cr.fetchall()], [1, 2])

    def test_migration_chains_existing_entries(self):
        """The upgrade to 18.0.1.3.0 chains the entries already written, in id order per company."""
        self.env.cr.execute(SQL("DELETE FROM crm_loyalty_ledger_hash"))
        path = Path(__file__).parents[1] / "migrations" / "18.0.1.3.0" / "post-migrate.py"
        spec = importlib.util.spec_from_file_location("crm_loyalty_migrate_18_0_1_3_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.2.0")
        entries = self._company_entries()
        result = self._check()
        self.assertEqual((result["status"], result["checked"]), ("intact", len(entries)))
        entries.invalidate_recordset()
        self.assertEqual(entries.mapped("secure_sequence_number"), list(range(1, len(entries) + 1)))

    def test_verification_report_for_managers_and_accountants(self):
        self.Entry._secure_ledger(self.company)
        accountant = new_test_user(
            self.env,
            login="accountant",
            groups="base.group_user,account.group_account_manager",
            company_id=self.company.id,
        )
        wizard = self.env["crm.loyalty.ledger.check"].with_user(accountant).create({})
        wizard.action_verify()
        line = wizard.line_ids.filtered(lambda line: line.company_id == self.company)
        self.assertEqual((line.status, line.checked, line.unsecured), ("intact", len(self._company_entries()), 0))

        tampered = self._company_entries()[0]
        self.env.cr.execute(SQL("UPDATE crm_loyalty_entry SET amount_base = 1 WHERE id = %s", tampered.id))
        wizard.action_verify()
        line = wizard.line_ids.filtered(lambda line: line.company_id == self.company)
        self.assertEqual((line.status, line.first_broken_entry_ref), ("broken", tampered.id))
        self.assertEqual(line.with_user(self.env.user).first_broken_entry_id, tampered)

        auditor = new_test_user(
            self.env,
            login="auditor2",
            groups="base.group_user,account.group_account_readonly",
            company_id=self.company.id,
        )
        self.env["crm.loyalty.ledger.check"].with_user(auditor).create({}).action_verify()
        salesman = new_test_user(
            self.env, login="seller", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.ledger.check"].with_user(salesman).create({})
        # an accountant of another company reads none of this company's results
        other = self.env["res.company"].create({"name": "Other Ledger Co"})
        outsider = new_test_user(
            self.env,
            login="outside_accountant",
            groups="base.group_user,account.group_account_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Line = self.env["crm.loyalty.ledger.check.line"].with_user(outsider)
        self.assertFalse(Line.search([("company_id", "=", self.company.id)]))
        with self.assertRaises(AccessError):
            Line.browse(line.id).read(["status"])


@tagged("post_install", "-at_install")
class TestLedgerHashRace(CommittedRaceCase):
    """Two securing runs at once (the cron and a button): neither waits, the chain gets each entry once."""

    def setUp(self):
        super().setUp()

        def make(env):
            program = env["crm.loyalty.program"].create({"name": "Hash Race Club", "point_value": 0.01})
            partner = env["res.partner"].create({"name": "Hash Race Co", "is_company": True})
            member = env["crm.loyalty.membership"].create({"partner_id": partner.id, "program_id": program.id})
            entries = env["crm.loyalty.entry"].create(
                [{"membership_id": member.id, "entry_type": "bonus", "bonus_kind": "other", "points": 5}] * 2
            )
            return program.id, partner.id, member.id, entries.ids, program.company_id.id

        self.program_id, self.partner_id, self.member_id, self.entry_ids, self.company_id = self._committed(make)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        def drop(env):
            self._purge_ledger(env, SQL("%s", self.member_id))
            env["crm.loyalty.membership"].browse(self.member_id).unlink()
            program = env["crm.loyalty.program"].browse(self.program_id)
            program.sequence_id.unlink()
            program.unlink()
            env["res.partner"].browse(self.partner_id).unlink()

        self._committed(drop)

    def test_two_runs_secure_each_entry_once(self):
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            company1 = env1["res.company"].browse(self.company_id)
            company2 = env2["res.company"].browse(self.company_id)
            cr2.execute(SQL("SELECT 1"))  # the second run's snapshot starts before the first commits
            self.assertGreaterEqual(env1["crm.loyalty.entry"]._secure_ledger(company1), 2)
            # the first run holds the company's chain: the second skips it at once instead of waiting
            self.assertEqual(env2["crm.loyalty.entry"]._secure_ledger(company2), 0)
            cr1.commit()
            # the lock is free, but the second run's snapshot does not see the committed chain: its insert is
            # refused by the unique position, the company skipped, nothing written twice
            self.assertEqual(env2["crm.loyalty.entry"]._secure_ledger(company2), 0)
            cr2.commit()
        finally:
            cr1.close()
            cr2.close()

        def check(env):
            env.cr.execute(
                SQL(
                    "SELECT entry_id, COUNT(*) FROM crm_loyalty_ledger_hash WHERE entry_id = ANY(%s) GROUP BY 1",
                    self.entry_ids,
                )
            )
            self.assertEqual(dict(env.cr.fetchall()), dict.fromkeys(self.entry_ids, 1))
            result = env["crm.loyalty.entry"]._check_chain_integrity(env["res.company"].browse(self.company_id))
            self.assertEqual((result["status"], result["unsecured"]), ("intact", 0), result["message"])

        self._committed(check)
