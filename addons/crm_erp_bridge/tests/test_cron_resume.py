from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class Crash(Exception):
    """The worker dies here (out of memory, killed, server restarted)."""


@contextmanager
def crash_on_call(model, method, call):
    """Fault injection: the ``call``-th call of ``method`` on ``model`` raises ``Crash``, as a worker killed
    in the middle of a cron would stop; the earlier calls run for real."""
    cls = type(model)
    original = getattr(cls, method)
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise Crash(f"{method} killed at call {call}")
        return original(self, *args, **kwargs)

    with patch.object(cls, method, failing):
        yield calls


@tagged("post_install", "-at_install")
class TestCronResume(AccountTestInvoicingCommon):
    """Each cron killed midway and run again ends where a clean run ends, and a further run finds nothing.

    A killed run's own transaction is rolled back by Odoo (the cron runner, or here the savepoint of
    ``assertRaises``): asserting "nothing half-written" right after the crash would test Odoo, not us, so
    these tests assert what is ours: the re-run converges to the clean result, without duplicates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.user.groups_id |= env.ref("crm_loyalty.group_loyalty_manager")
        cls.company = cls.company_data["company"]
        liability = env["account.account"].create(
            {"name": "Loyalty liability", "code": "LOYR01", "account_type": "liability_current"}
        )
        cls.program = env["crm.loyalty.program"].create(
            {
                "name": "Resume Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "validity_months": 12,
                "liability_accounting": True,
                "liability_journal_id": cls.company_data["default_journal_misc"].id,
                "loyalty_expense_account_id": cls.company_data["default_account_expense"].id,
                "loyalty_liability_account_id": liability.id,
                "loyalty_breakage_account_id": cls.company_data["default_account_revenue"].id,
            }
        )
        partners = env["res.partner"].create([{"name": f"Resume {i}", "is_company": True} for i in range(5)])
        cls.members = env["crm.loyalty.membership"].create(
            [{"partner_id": p.id, "program_id": cls.program.id} for p in partners]
        )
        # one lot per member per day on three days, expired since 2026-03-01
        Entry = env["crm.loyalty.entry"]
        for day in (date(2025, 2, 10), date(2025, 2, 11), date(2025, 2, 12)):
            Entry.create(
                [
                    {
                        "membership_id": m.id,
                        "entry_type": "bonus",
                        "bonus_kind": "other",
                        "points": 100,
                        "date": day,
                        "expiry_date": date(2026, 3, 1),
                        "reason": "resume",
                    }
                    for m in cls.members
                ]
            )

    def _ledger(self):
        self.env.flush_all()
        self.members.invalidate_recordset()
        entries = self.members.entry_ids
        return {
            "balances": self.members.mapped("balance"),
            "ledger": [sum(m.entry_ids.mapped("points")) for m in self.members],
            "expire_entries": len(entries.filtered(lambda e: e.entry_type == "expire")),
            "open_lots": len(entries.filtered(lambda e: e.points > 0 and e.remaining > 0)),
        }

    def test_expiry_cron_killed_midway(self):
        Membership = self.env["crm.loyalty.membership"]
        with freeze_time("2026-03-05"):
            with crash_on_call(Membership, "_invalidate_balance", call=2), self.assertRaises(Crash):
                Membership._cron_expire_points(batch_size=4)
            Membership._cron_expire_points(batch_size=4)
        self.assertEqual(
            self._ledger(),
            {"balances": [0.0] * 5, "ledger": [0.0] * 5, "expire_entries": 15, "open_lots": 0},
        )
        with freeze_time("2026-03-06"):
            self.assertEqual(Membership._cron_expire_points(batch_size=4), 0, "a second run finds nothing")

    def test_liability_accrual_killed_midway(self):
        Accrual = self.env["crm.loyalty.accrual"]
        moves_before = self.env["account.move"].search_count([])
        with freeze_time("2026-03-05"):
            with crash_on_call(Accrual, "_accrue_day", call=2), self.assertRaises(Crash):
                Accrual._cron_accrue()
            accruals = Accrual._cron_accrue()
            self.assertEqual(len(accruals), 3, "one entry per day, each day once")
            self.assertFalse(Accrual._cron_accrue(), "a second run finds nothing")
        self.assertEqual(self.env["account.move"].search_count([]), moves_before + 3)
        ledger, gl, difference = self.program._liability_reconciliation(date(2026, 3, 4))
        self.assertEqual((ledger, gl, difference), (15.0, 15.0, 0.0))

    def test_figures_queue_killed_between_batches(self):
        """The queue commits batch by batch under the cron runner: after a crash in a batch the next runs
        finish the work, each customer refreshed and dequeued once."""
        Queue = self.env["crm.figures.queue"].sudo()  # the queue is technical: only the cron touches it
        Queue.search([]).unlink()
        customers = self.members.partner_id
        Queue._enqueue(customers, "delivery")
        self.assertEqual(Queue._process(batch_size=2), (2, 3))  # first batch, committed by the runner
        with crash_on_call(self.env["res.partner"], "_crm_refresh_figures", call=1), self.assertRaises(Crash):
            Queue._process(batch_size=2)
        while Queue._process(batch_size=2)[1]:
            pass
        self.assertEqual(Queue.search_count([]), 0)
        self.assertTrue(all(customers.mapped("crm_figures_refreshed_at")))

    def test_tier_review_and_rfm_recompute_are_idempotent(self):
        Membership = self.env["crm.loyalty.membership"]
        self.program.write({"tier_ids": [Command.create({"name": "Resume Silver", "threshold": 0, "multiplier": 1.0})]})
        Membership._cron_review_tiers()
        first = self.members.mapped("tier_id")
        Membership._cron_review_tiers()
        self.assertEqual(self.members.mapped("tier_id"), first)
        Score = self.env["crm.rfm.score"]
        Score._recompute(self.company, today=date(2026, 3, 5))
        once = Score.search_read([("company_id", "=", self.company.id)], ["partner_id", "rfm_code"], order="id")
        Score._recompute(self.company, today=date(2026, 3, 5))
        twice = Score.search_read([("company_id", "=", self.company.id)], ["partner_id", "rfm_code"], order="id")
        self.assertEqual(once, twice)
