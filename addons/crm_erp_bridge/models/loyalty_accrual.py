import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero

_logger = logging.getLogger(__name__)


class CrmLoyaltyAccrual(models.Model):
    """The journal entry that carries one program's points movements of one day into the ledger.

    A day's movements posted after its accrual (an invoice dated yesterday posted today, a back-dated credit
    note, a second "Accrue Now" the same day) are booked by a catch-up accrual of the same day: dated that
    day while its period is open, else on the first open date after the lock dates. One regular accrual per
    program and day, any number of catch-ups."""

    _name = "crm.loyalty.accrual"
    _description = "Loyalty Liability Accrual"
    _order = "date desc, id desc"

    program_id = fields.Many2one("crm.loyalty.program", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    date = fields.Date(required=True, index=True, help="Day of the ledger entries covered.")
    catch_up = fields.Boolean(
        readonly=True,
        help="Movements of a day that was already accrued, posted later (late postings, back-dated credit "
        "notes, a second run the same day).",
    )
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, ondelete="restrict")
    accounting_date = fields.Date(related="move_id.date", string="Accounting Date")
    entry_ids = fields.Many2many(
        "crm.loyalty.entry",
        "crm_loyalty_accrual_entry_rel",
        "accrual_id",
        "entry_id",
        string="Ledger Entries",
        readonly=True,
    )
    entry_count = fields.Integer(compute="_compute_entry_count")

    _sql_constraints = [
        (
            "program_date_uniq",
            "EXCLUDE USING btree (program_id WITH =, date WITH =) WHERE (catch_up IS NOT TRUE)",
            "One regular accrual per program and day; later movements of the day go to catch-up accruals.",
        )
    ]

    def _compute_entry_count(self):
        for accrual in self:
            accrual.entry_count = len(accrual.entry_ids)

    @api.model
    def _cron_accrue(self):
        programs = self.env["crm.loyalty.program"].search([("liability_accounting", "=", True)])
        valid = self.env["crm.loyalty.program"]
        for program in programs:
            problem = program._check_liability_config()
            if problem:
                _logger.error("crm_erp_bridge: loyalty accrual skipped: %s", problem)
                program._notify_accrual_problem(problem)
                continue
            valid |= program
        return self._accrue(valid, include_today=False, isolate=True)

    @api.model
    def _accrue(self, programs, include_today=False, isolate=False):
        """Post the ledger entries not yet accrued: one journal entry per program and day. Idempotent.

        ``isolate`` (the nightly run): each program in its own savepoint, so that a program whose entry
        cannot be posted (a deprecated account, a lock date...) is logged and reported to a Loyalty Manager
        while the others are accrued."""
        accruals = self.browse()
        for program in programs:
            if not isolate:
                accruals |= self._accrue_program(program, include_today)
                continue
            try:
                with self.env.cr.savepoint():
                    accruals |= self._accrue_program(program, include_today)
            except (UserError, psycopg2.IntegrityError, psycopg2.DataError) as error:
                problem = _(
                    "Program %(program)s: the liability accrual failed: %(error)s",
                    program=program.name,
                    error=error.args[0] if error.args else repr(error),
                )
                _logger.error("crm_erp_bridge: %s", problem)
                program._notify_accrual_problem(problem)
        return accruals

    @api.model
    def _accrue_program(self, program, include_today):
        today = fields.Date.context_today(self)
        # serialise concurrent runs on the same program; the loser waits, then finds nothing left
        self.env.cr.execute(SQL("SELECT id FROM crm_loyalty_program WHERE id = %s FOR UPDATE", program.id))
        self.env.flush_all()
        cutoff = SQL("AND e.date <= %s", today) if include_today else SQL("AND e.date < %s", today)
        rows = self.env.execute_query(
            SQL(
                """SELECT e.id, e.date, e.entry_type, e.points,
                          EXISTS (SELECT 1 FROM crm_loyalty_accrual a
                                   WHERE a.program_id = e.program_id AND a.date = e.date AND a.catch_up IS NOT TRUE)
                     FROM crm_loyalty_entry e
                    WHERE e.program_id = %s %s
                      AND NOT EXISTS (SELECT 1 FROM crm_loyalty_accrual_entry_rel r WHERE r.entry_id = e.id)
                 ORDER BY e.date, e.id""",
                program.id,
                cutoff,
            )
        )
        by_date = defaultdict(list)
        accrued = set()
        for entry_id, date, entry_type, points, day_accrued in rows:
            by_date[date].append((entry_id, entry_type, points))
            if day_accrued:
                accrued.add(date)
        accruals = self.browse()
        for date, day_rows in by_date.items():
            accruals |= self._accrue_day(program, date, day_rows, catch_up=date in accrued)
        return accruals

    @api.model
    def _accrue_day(self, program, date, rows, catch_up=False):
        # a journal entry is a document of the company: its ref and labels are written in the company's
        # language, not in the language of whoever runs the cron or presses Accrue Now
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        program = program.with_env(doc_env)
        value = program.point_value
        currency = program.currency_id
        groups = {"earn": [], "release": [], "expire": []}
        for entry_id, entry_type, points in rows:
            key = "earn" if points > 0 else ("expire" if entry_type == "expire" else "release")
            groups[key].append((entry_id, points))
        line_specs = []  # (account, debit, credit, label, entry ids)
        for key, items in groups.items():
            if not items:
                continue
            amount = currency.round(abs(sum(p for _e, p in items)) * value)
            if float_is_zero(amount, precision_rounding=currency.rounding):
                continue
            ids = [e for e, _p in items]
            pts = program._format_points(abs(sum(p for _e, p in items)))  # "1,560", never "1560.0"
            if key == "earn":
                label = doc_env._("Points earned: %(points)s (%(count)s entries)", points=pts, count=len(ids))
                line_specs += [
                    (program.loyalty_expense_account_id, amount, 0.0, label, ids),
                    (program.loyalty_liability_account_id, 0.0, amount, label, ids),
                ]
            elif key == "release":
                label = doc_env._(
                    "Points redeemed or reversed: %(points)s (%(count)s entries)", points=pts, count=len(ids)
                )
                line_specs += [
                    (program.loyalty_liability_account_id, amount, 0.0, label, ids),
                    (program.loyalty_expense_account_id, 0.0, amount, label, ids),
                ]
            else:
                label = doc_env._("Points expired: %(points)s (%(count)s entries)", points=pts, count=len(ids))
                line_specs += [
                    (program.loyalty_liability_account_id, amount, 0.0, label, ids),
                    (program.loyalty_breakage_account_id, 0.0, amount, label, ids),
                ]
        move = self.env["account.move"]
        if line_specs:
            Move = self.env["account.move"].with_company(program.company_id)
            probe = Move.new({"move_type": "entry", "journal_id": program.liability_journal_id.id, "date": date})
            locks = probe._get_violated_lock_dates(date, False)
            accounting_date = max(lock for lock, _name in locks) + timedelta(days=1) if locks else date
            narration = False
            if accounting_date != date:
                narration = doc_env._(
                    "Ledger entries of %(day)s posted on %(date)s: the period was locked.",
                    day=date,
                    date=accounting_date,
                )
            ref = doc_env._("Loyalty liability %(program)s %(day)s", program=program.name, day=date)
            if catch_up:
                ref = doc_env._(
                    "Loyalty liability %(program)s %(day)s: movements posted after the day's accrual",
                    program=program.name,
                    day=date,
                )
            move = Move.create(
                {
                    "move_type": "entry",
                    "journal_id": program.liability_journal_id.id,
                    "date": accounting_date,
                    "ref": ref,
                    "narration": narration,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "account_id": account.id,
                                "debit": debit,
                                "credit": credit,
                                "name": label,
                                "loyalty_entry_ids": [fields.Command.set(ids)],
                            }
                        )
                        for account, debit, credit, label, ids in line_specs
                    ],
                }
            )
            move.action_post()
        return self.create(
            {
                "program_id": program.id,
                "date": date,
                "catch_up": catch_up,
                "move_id": move.id or False,
                "entry_ids": [fields.Command.set([r[0] for r in rows])],
            }
        )
