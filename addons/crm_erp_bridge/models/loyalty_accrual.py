import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero

from ..tools.deferred_revenue import CATEGORIES, in_force, replay

# the cause of the contract liability's movement behind each kind of ledger entry (deferred revenue)
ENTRY_CAUSES = {"deferred": "deferred", "granted": "granted", "redeemed": "recognised", "expired": "released"}

_logger = logging.getLogger(__name__)


class CrmLoyaltyAccrual(models.Model):
    """The journal entry that carries one program's points movements of one day into the ledger.

    A day's movements posted after its accrual (an invoice dated yesterday posted today, a back-dated credit
    note, a second "Accrue Now" the same day) are booked by a catch-up accrual of the same day: dated that
    day while its period is open, else on the first open date after the lock dates. One regular accrual per
    program and day, any number of catch-ups.

    Under deferred revenue (IFRS 15 / CAS 14), each accrual books, by cause (the ``*_amount`` fields), what
    brings the contract liability to its replay from the ledger and the estimates (tools/deferred_revenue.py);
    a change of the expected redemption rate or of the point value is an accrual of its own (``kind``)."""

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
    kind = fields.Selection(
        [("day", "Day"), ("estimate", "Change of Estimate"), ("revaluation", "Revaluation")],
        default="day",
        required=True,
        readonly=True,
        help="Day: the ledger entries of a day. Change of Estimate (deferred revenue): the cumulative "
        "catch-up of a new expected redemption rate. Revaluation: the open liability (the contract liability "
        "under deferred revenue) revalued at a new point value.",
    )
    currency_id = fields.Many2one(related="program_id.currency_id")
    # deferred revenue: what the entry credited to the contract liability (negative: debited), by cause
    deferred_amount = fields.Monetary(
        string="Deferred from Sales", readonly=True, help="Share of the sales allocated to the points earned."
    )
    granted_amount = fields.Monetary(
        string="Points Granted", readonly=True, help="Standalone selling price of points granted without a sale."
    )
    estimate_amount = fields.Monetary(
        string="Change of Estimate", readonly=True, help="Cumulative catch-up of the expected redemption rate."
    )
    revalued_amount = fields.Monetary(string="Revaluation", readonly=True)
    recognised_amount = fields.Monetary(
        string="Recognised at Redemption", readonly=True, help="Revenue recognised for the points redeemed."
    )
    released_amount = fields.Monetary(
        string="Released at Expiry", readonly=True, help="Contract liability of the expired points released."
    )
    rate_before = fields.Float(digits=(16, 4), readonly=True, help="Expected redemption rate before the change.")
    rate_after = fields.Float(digits=(16, 4), readonly=True, help="Expected redemption rate after the change.")
    value_before = fields.Float(string="Point Value Before", digits="Product Price", readonly=True)
    value_after = fields.Float(string="Point Value After", digits="Product Price", readonly=True)

    _sql_constraints = [
        (
            "program_date_uniq",
            "EXCLUDE USING btree (program_id WITH =, date WITH =) WHERE (catch_up IS NOT TRUE AND kind = 'day')",
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
        if program.liability_method == "deferred":
            pool = self._deferred_entries(program)
            dates = list(by_date)  # in date order
            for index, date in enumerate(dates):
                accruals |= self._accrue_day_deferred(program, date, by_date[date], date in accrued, pool)
                following = dates[index + 1] if index + 1 < len(dates) else None
                accruals |= self._true_up_deferred(program, pool, date, following)
            return accruals
        for date, day_rows in by_date.items():
            accruals |= self._accrue_day(program, date, day_rows, catch_up=date in accrued)
        if by_date:
            late_points = {date: sum(r[2] for r in day_rows) for date, day_rows in by_date.items()}
            accruals |= self._true_up_provision(program, late_points)
        return accruals

    @api.model
    def _accrue_day(self, program, date, rows, catch_up=False):
        # a journal entry is a document of the company: its ref and labels are written in the company's
        # language, not in the language of whoever runs the cron or presses Accrue Now
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        program = program.with_env(doc_env)
        value = program._point_value_at(date)  # a later change of the value: _true_up_provision
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
        ref = doc_env._("Loyalty liability %(program)s %(day)s", program=program.name, day=date)
        if catch_up:
            ref = doc_env._(
                "Loyalty liability %(program)s %(day)s: movements posted after the day's accrual",
                program=program.name,
                day=date,
            )
        move = self._post_liability_move(program, date, line_specs, ref)
        return self.create(
            {
                "program_id": program.id,
                "date": date,
                "catch_up": catch_up,
                "move_id": move.id or False,
                "entry_ids": [fields.Command.set([r[0] for r in rows])],
            }
        )

    @api.model
    def _post_liability_move(self, program, date, line_specs, ref):
        """Post the journal entry of ``line_specs`` ((account, debit, credit, label, entry ids)) on the
        program's journal, dated ``date`` or, when a lock date forbids it, the first open date after it."""
        move = self.env["account.move"]
        if not line_specs:
            return move
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        Move = move.with_company(program.company_id)
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
        return move

    @api.model
    def _recorded_changes(self, program):
        """The program's changes of the expected redemption rate and of the point value, as its accruals of
        kind Change of Estimate and Revaluation recorded them (both methods): [(date, rate before, rate
        after, value before, value after)] in date order."""
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                """SELECT date, rate_before, rate_after, value_before, value_after
                     FROM crm_loyalty_accrual
                    WHERE program_id = %s AND kind IN ('estimate', 'revaluation')
                 ORDER BY date, id""",
                program.id,
            )
        )

    # ------------------------------------------------------------------ provision: change of the point value
    @api.model
    def _book_provision_revaluation(self, program, vals):
        """Provision: a new point value revalues the points of the ledger already accrued (what the liability
        account carries): one entry dated today, Dr expense / Cr liability of points x (new - old), the
        other way round for a decrease. Points not accrued yet are accrued at the value in force on their
        day (``_accrue_day``)."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        [(points,)] = self.env.execute_query(
            SQL(
                """SELECT COALESCE(SUM(e.points), 0)
                     FROM crm_loyalty_entry e
                    WHERE e.program_id = %s
                      AND EXISTS (SELECT 1 FROM crm_loyalty_accrual_entry_rel r WHERE r.entry_id = e.id)""",
                program.id,
            )
        )
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        program = program.with_env(doc_env)
        label = doc_env._(
            "Change of the point value: revaluation of the liability (%(points)s points)",
            points=program._format_points(abs(points)),
        )
        ref = doc_env._(
            "Loyalty liability %(program)s %(day)s: point value %(old)s -> %(new)s",
            program=program.name,
            day=today,
            old=vals["value_before"],
            new=vals["value_after"],
        )
        line_specs = self._provision_revaluation_lines(
            program, points * (vals["value_after"] - vals["value_before"]), label
        )
        move = self._post_liability_move(program, today, line_specs, ref)
        return self.create({"program_id": program.id, "date": today, "move_id": move.id or False, **vals})

    @api.model
    def _provision_revaluation_lines(self, program, amount, label):
        """Journal items crediting ``amount`` to the liability account (a negative amount debits it), the
        expense account as counterpart."""
        amount = program.currency_id.round(amount)
        if program.currency_id.is_zero(amount):
            return []
        debit, credit = (amount, 0.0) if amount > 0 else (0.0, -amount)
        return [
            (program.loyalty_expense_account_id, debit, credit, label, []),
            (program.loyalty_liability_account_id, credit, debit, label, []),
        ]

    @api.model
    def _true_up_provision(self, program, late_points):
        """Points accrued at the value in force on their day (``late_points``: {day: net points}), before a
        change of the point value recorded since: the revaluation they missed, one catch-up per change,
        dated that change's day."""
        accruals = self.browse()
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        program = program.with_env(doc_env)
        for change_date, _rb, _ra, value_before, value_after in self._recorded_changes(program):
            points = sum(p for day, p in late_points.items() if day < change_date)
            if value_after == value_before or not points:
                continue
            label = doc_env._(
                "Change of the point value: revaluation of points posted late (%(points)s points)",
                points=program._format_points(abs(points)),
            )
            ref = doc_env._(
                "Loyalty liability %(program)s %(day)s: point value %(old)s -> %(new)s for movements posted late",
                program=program.name,
                day=change_date,
                old=value_before,
                new=value_after,
            )
            line_specs = self._provision_revaluation_lines(program, points * (value_after - value_before), label)
            if not line_specs:
                continue
            move = self._post_liability_move(program, change_date, line_specs, ref)
            accruals |= self.create(
                {"program_id": program.id, "date": change_date, "catch_up": True, "move_id": move.id}
            )
        return accruals

    # ------------------------------------------------------------------ deferred revenue (IFRS 15 / CAS 14)
    @api.model
    def _deferred_entries(self, program, pending_change=None):
        """The program's ledger entries as the pool of deferred revenue sees them, with the changes of
        estimate and point value booked so far: a dict with ``entries`` [(id, date, accrued, category,
        amount, points)] (category deferred/granted with their allocation, redeemed/expired with points),
        ``changes`` [(date, rate before, rate after, value before, value after)] and ``rate`` (the rate
        before the first change).

        An earn's allocation is its share of the sale by relative standalone selling price, the points'
        standalone price being points x point value x expected redemption rate, both as they were on the
        earn's date, before a change made that day; points granted without a sale (bonuses, adjustments)
        are allocated their standalone price; a reversal (credit note, reset to draft, cancelled
        redemption) takes the same share of its original entry."""
        changes = self._recorded_changes(program)
        if pending_change:
            changes.append(pending_change)
        rate0 = changes[0][1] if changes else program.expected_redemption_rate

        def allocation(day, base, points):
            # a change of the sale's day comes after the day's sales (tools/deferred_revenue.py)
            rate, value = in_force(changes, day, program.expected_redemption_rate, program.point_value)
            standalone = points * value * rate
            if base <= 0:
                return "granted", standalone
            return "deferred", base * standalone / (base + standalone)

        rows = self.env.execute_query(
            SQL(
                """SELECT e.id, e.date, e.entry_type, e.points, COALESCE(e.amount_base, 0),
                          root.entry_type, root.points, COALESCE(root.amount_base, 0), root.date,
                          EXISTS (SELECT 1 FROM crm_loyalty_accrual_entry_rel r WHERE r.entry_id = e.id)
                     FROM crm_loyalty_entry e
                LEFT JOIN crm_loyalty_entry root ON root.id = e.reversed_entry_id
                    WHERE e.program_id = %s
                 ORDER BY e.date, e.id""",
                program.id,
            )
        )
        entries = []
        for entry_id, day, entry_type, points, base, root_type, root_points, root_base, root_day, done in rows:
            if root_type and root_points > 0:
                category, amount = allocation(root_day, root_base, root_points)
                entries.append((entry_id, day, done, category, amount * points / root_points, points))
            elif root_type:
                category = "expired" if root_type in ("expire", "adjust") else "redeemed"
                entries.append((entry_id, day, done, category, 0.0, -points))
            elif points > 0:
                category, amount = allocation(day, base if entry_type == "earn" else 0.0, points)
                entries.append((entry_id, day, done, category, amount, points))
            else:
                category = "expired" if entry_type in ("expire", "adjust") else "redeemed"
                entries.append((entry_id, day, done, category, 0.0, -points))
        # the day's movements summed per day and per state (accrued or not when read), once: each replay then
        # costs one step per day, whichever entries it keeps
        buckets = defaultdict(lambda: defaultdict(dict))
        by_date = defaultdict(list)
        for entry in entries:
            _id, day, done, category, amount, points = entry
            by_date[day].append(entry)
            moves = buckets[day][done]
            if category in ("deferred", "granted"):
                total = moves.get(category, (0.0, 0.0))
                moves[category] = (total[0] + amount, total[1] + points)
            else:
                moves[category] = moves.get(category, 0.0) + points
        return {"by_date": by_date, "buckets": buckets, "changes": changes, "rate": rate0}

    @api.model
    def _deferred_pool(self, program, pool, until=None, pending_until=None):
        """Replay, day after day (tools/deferred_revenue.py), every change of estimate and value and the
        entries accrued when ``pool`` was read up to ``until`` (None: all), the others up to
        ``pending_until`` (None: none)."""
        days = {}
        for day, states in pool["buckets"].items():
            kept = [
                moves
                for done, moves in sorted(states.items())
                if (done and (until is None or day <= until))
                or (not done and pending_until is not None and day <= pending_until)
            ]
            if not kept:
                continue
            merged = {}
            for moves in kept:
                for category, value in moves.items():
                    if category in ("deferred", "granted"):
                        total = merged.get(category, (0.0, 0.0))
                        merged[category] = (total[0] + value[0], total[1] + value[1])
                    else:
                        merged[category] = merged.get(category, 0.0) + value
            days[day] = merged
        for day, _rate_before, rate_after, value_before, value_after in pool["changes"]:
            if until is None or day <= until:
                moves = days.setdefault(day, {})
                moves["rate"] = rate_after
                if value_before and value_after != value_before:
                    moves["ratio"] = moves.get("ratio", 1.0) * value_after / value_before
        return replay(sorted(days.items()), pool["rate"], program.currency_id.round)

    @api.model
    def _deferred_booked(self, program, until=None):
        """What the program's accruals (of the days up to ``until``, None: all) credited to the contract
        liability so far, by cause."""
        domain = [("program_id", "=", program.id)]
        if until is not None:
            domain.append(("date", "<=", until))
        [sums] = self._read_group(domain, [], [f"{category}_amount:sum" for category in CATEGORIES])
        sums = [total or 0.0 for total in sums]
        return dict(zip(CATEGORIES, sums, strict=True))

    @api.model
    def _deferred_line_specs(self, program, deltas, entries_by_category, kind="day"):
        """Journal items of the amounts to credit to the contract liability ``deltas`` (by cause), for an
        accrual of ``kind``: a cause without movements of its own in a day's accrual is the effect of movements
        posted late (on a redemption, an expiry, a change of estimate or of value of a later day)."""
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        program = program.with_env(doc_env)
        currency = program.currency_id
        counterparts = {
            "deferred": program.loyalty_revenue_account_id,
            "granted": program.loyalty_expense_account_id,
            "estimate": program.loyalty_revenue_account_id,
            "revalued": program.loyalty_expense_account_id,
            "recognised": program.loyalty_revenue_account_id,
            "released": program.loyalty_breakage_account_id,
        }
        line_specs = []
        for category in CATEGORIES:
            amount = currency.round(deltas[category])
            if currency.is_zero(amount):
                continue
            items = entries_by_category.get(category, [])
            ids = [e[0] for e in items]
            net_points = sum(e[5] for e in items)
            pts = program._format_points(abs(net_points))
            if category == "estimate" and kind == "estimate":
                label = doc_env._("Change of the expected redemption rate: cumulative catch-up")
            elif category == "estimate":
                label = doc_env._(
                    "Change of the expected redemption rate: catch-up recomputed for movements posted late"
                )
            elif category == "revalued" and kind != "day":
                label = doc_env._("Change of the point value: revaluation of the contract liability")
            elif category == "revalued":
                label = doc_env._("Change of the point value: revaluation recomputed for movements posted late")
            elif not items:
                # no movement of its own: the effect of movements posted late on the days after them
                label = {
                    "deferred": doc_env._("Share of the sales deferred: recomputed for movements posted late"),
                    "granted": doc_env._("Points granted without a sale: recomputed for movements posted late"),
                    "recognised": doc_env._("Points redeemed: revenue recognised again for movements posted late"),
                    "released": doc_env._("Points expired: liability released again for movements posted late"),
                }[category]
            elif category == "deferred" and net_points < 0:
                label = doc_env._("Credit notes: share of the sales deferred reversed (%(points)s points)", points=pts)
            elif category == "deferred":
                label = doc_env._("Points earned: share of the sales deferred (%(points)s points)", points=pts)
            elif category == "granted" and net_points < 0:
                label = doc_env._("Points granted without a sale reversed: %(points)s", points=pts)
            elif category == "granted":
                label = doc_env._("Points granted without a sale: %(points)s", points=pts)
            elif category == "recognised":
                label = doc_env._("Points redeemed: revenue recognised (%(points)s points)", points=pts)
            else:
                label = doc_env._("Points expired: contract liability released (%(points)s points)", points=pts)
            # a credit to the contract liability is debited to the counterpart, and the other way round
            debit, credit = (amount, 0.0) if amount > 0 else (0.0, -amount)
            line_specs += [
                (counterparts[category], debit, credit, label, ids),
                (program.loyalty_contract_liability_account_id, credit, debit, label, ids),
            ]
        return line_specs

    @api.model
    def _book_deferred(self, program, date, pool, pending_until, entries, vals, skip_zero=False):
        """Book on ``date`` what brings the contract liability at the end of ``date`` to the pool's replay up
        to that day (the entries accrued and the changes of estimate and value up to ``date``, the others up
        to ``pending_until``), by cause: the difference between the replay's totals and what the accruals of
        the days up to ``date`` booked (nothing posted is rewritten). ``skip_zero``: nothing when there is
        nothing to book."""
        target = self._deferred_pool(program, pool, until=date, pending_until=pending_until).totals
        booked = self._deferred_booked(program, until=date)
        deltas = {c: program.currency_id.round(target[c] - booked[c]) for c in CATEGORIES}
        if skip_zero and all(program.currency_id.is_zero(delta) for delta in deltas.values()):
            return self.browse()
        by_category = defaultdict(list)
        for entry in entries:
            by_category[ENTRY_CAUSES[entry[3]]].append(entry)
        doc_env = self.with_context(lang=program.company_id.partner_id.lang or self.env.lang).env
        program = program.with_env(doc_env)  # its name in the company's language, as on the day's entries
        if vals.get("kind", "day") == "day":
            ref = doc_env._("Loyalty contract liability %(program)s %(day)s", program=program.name, day=date)
            if vals.get("catch_up") and not entries:
                ref = doc_env._(
                    "Loyalty contract liability %(program)s %(day)s: effect of movements posted late on the day",
                    program=program.name,
                    day=date,
                )
            elif vals.get("catch_up"):
                ref = doc_env._(
                    "Loyalty contract liability %(program)s %(day)s: movements posted after the day's accrual",
                    program=program.name,
                    day=date,
                )
        elif vals["kind"] == "estimate":
            ref = doc_env._(
                "Loyalty contract liability %(program)s %(day)s: expected redemption rate %(old)s -> %(new)s",
                program=program.name,
                day=date,
                old=vals["rate_before"],
                new=vals["rate_after"],
            )
        else:
            ref = doc_env._(
                "Loyalty contract liability %(program)s %(day)s: point value %(old)s -> %(new)s",
                program=program.name,
                day=date,
                old=vals["value_before"],
                new=vals["value_after"],
            )
        move = self._post_liability_move(
            program, date, self._deferred_line_specs(program, deltas, by_category, vals.get("kind", "day")), ref
        )
        return self.create(
            {
                "program_id": program.id,
                "date": date,
                "move_id": move.id or False,
                "entry_ids": [fields.Command.set([e[0] for e in entries])],
                **{f"{c}_amount": deltas[c] for c in CATEGORIES},
                **vals,
            }
        )

    @api.model
    def _accrue_day_deferred(self, program, date, rows, catch_up, pool):
        """The day's entries under deferred revenue: the pool replayed up to the end of this day (the entries
        accrued and those of this day or before), its difference with what the accruals of the days up to
        this day booked. A late posting's entry thus carries its own effects only; its effects on the days
        after it are booked on those days (``_true_up_deferred``)."""
        ids = {r[0] for r in rows}
        entries = [e for e in pool["by_date"][date] if e[0] in ids]
        return self._book_deferred(program, date, pool, date, entries, {"catch_up": catch_up})

    @api.model
    def _true_up_deferred(self, program, pool, after, before):
        """The effects of the movements posted late up to ``after`` (all accrued by now) on the later days
        already in the ledger, strictly between ``after`` and ``before`` (None: no bound): a redemption or an
        expiry recognised against another pool, a change of estimate or of value applied to it. One catch-up
        accrual per month, on the month's last day of movements or changes, so that the GL equals the
        computed contract liability at every month end."""
        days = {day for day, states in pool["buckets"].items() if True in states}
        days |= {change[0] for change in pool["changes"]}
        last_of_month = {}
        for day in days:
            if day > after and (before is None or day < before):
                key = (day.year, day.month)
                last_of_month[key] = max(last_of_month.get(key, day), day)
        accruals = self.browse()
        for day in sorted(last_of_month.values()):
            accruals |= self._book_deferred(program, day, pool, after, [], {"catch_up": True}, skip_zero=True)
        return accruals

    @api.model
    def _book_deferred_change(self, program, vals):
        """One dated entry for a change of the expected redemption rate (cumulative catch-up) or of the
        point value (revaluation) of a program under deferred revenue, on today's date."""
        today = fields.Date.context_today(self)
        change = (today, vals["rate_before"], vals["rate_after"], vals["value_before"], vals["value_after"])
        pool = self._deferred_entries(program, pending_change=change)
        return self._book_deferred(program, today, pool, None, [], vals)
