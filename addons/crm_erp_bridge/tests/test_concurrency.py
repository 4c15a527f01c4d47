from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.crm_loyalty.tests.common import CommittedRaceCase


@tagged("post_install", "-at_install")
class TestLiabilityConcurrency(CommittedRaceCase):
    """The liability accrual run twice at once (the cron and an "Accrue now", or two workers)."""

    def setUp(self):
        super().setUp()

        def make(env):
            company = env.company
            Account = env["account.account"].with_company(company)
            accounts = {
                key: Account.create({"name": f"Race {key}", "code": code, "account_type": kind}).id
                for key, code, kind in (
                    ("loyalty_expense_account_id", "RACE61", "expense"),
                    ("loyalty_liability_account_id", "RACE21", "liability_current"),
                    ("loyalty_breakage_account_id", "RACE71", "income_other"),
                )
            }
            journal = env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "general")], limit=1
            )
            program = env["crm.loyalty.program"].create(
                {
                    "name": "Race Liability Club",
                    "point_value": 0.05,
                    "liability_accounting": True,
                    "liability_journal_id": journal.id,
                    **accounts,
                }
            )
            partner = env["res.partner"].create({"name": "Race Liability Co"})
            member = env["crm.loyalty.membership"].create({"partner_id": partner.id, "program_id": program.id})
            yesterday = fields.Date.today() - timedelta(days=1)
            env["crm.loyalty.entry"].create(
                [
                    {
                        "membership_id": member.id,
                        "entry_type": "adjust",
                        "points": pts,
                        "reason": "race",
                        "date": yesterday,
                    }
                    for pts in (1000, 600, -200)
                ]
            )
            return program.id, partner.id, list(accounts.values())

        self.program_id, self.partner_id, self.account_ids = self._committed(make)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        def drop(env):
            # posted entries and the immutable ledger: the test rows are removed with SQL
            program = SQL("%s", self.program_id)
            env.cr.execute(SQL("SELECT move_id FROM crm_loyalty_accrual WHERE program_id = %s", program))
            move_ids = [row[0] for row in env.cr.fetchall() if row[0]]
            env.cr.execute(SQL("DELETE FROM crm_loyalty_accrual WHERE program_id = %s", program))
            if move_ids:
                env.cr.execute(SQL("DELETE FROM account_move WHERE id = ANY(%s)", move_ids))
            self._purge_ledger(env, SQL("SELECT id FROM crm_loyalty_membership WHERE program_id = %s", program))
            env.cr.execute(SQL("DELETE FROM crm_loyalty_membership WHERE program_id = %s", program))
            record = env["crm.loyalty.program"].browse(self.program_id)
            sequence = record.sequence_id
            record.unlink()
            sequence.unlink()
            env["account.account"].browse(self.account_ids).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

        self._committed(drop)

    def test_accrual_twice_at_once(self):
        def accrue(env):
            env["crm.loyalty.accrual"]._accrue(env["crm.loyalty.program"].browse(self.program_id))

        # the loser's insert meets the winner's accrual of the same day (unique program and day) or its
        # row lock: either way it writes nothing, and its retry finds nothing left to accrue
        self._race(accrue, accrue, errors=psycopg2.DatabaseError)

        def state(env):
            program = env["crm.loyalty.program"].browse(self.program_id)
            accruals = env["crm.loyalty.accrual"].search([("program_id", "=", program.id)])
            yesterday = fields.Date.today() - timedelta(days=1)
            return (
                len(accruals),
                len(accruals.move_id),
                accruals.move_id.mapped("state"),
                program._liability_reconciliation(yesterday),
            )

        count, moves, states, (ledger, gl, difference) = self._committed(state)
        self.assertEqual((count, moves, states), (1, 1, ["posted"]))
        self.assertEqual(ledger, 70.0)  # 1,400 points at 0.05
        self.assertEqual((gl, difference), (70.0, 0.0))
