from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.deferred_revenue import in_force


class CrmLoyaltyProgram(models.Model):
    _inherit = "crm.loyalty.program"

    liability_accounting = fields.Boolean(
        string="Post Liability to the Ledger",
        help="Earned points become a liability at their point value; redemptions release it, expiry turns it "
        "into breakage income. One journal entry per program and day.",
    )
    liability_journal_id = fields.Many2one(
        "account.journal", string="Journal", check_company=True, domain="[('type', '=', 'general')]"
    )
    loyalty_expense_account_id = fields.Many2one("account.account", check_company=True)
    loyalty_liability_account_id = fields.Many2one("account.account", check_company=True)
    loyalty_breakage_account_id = fields.Many2one(
        "account.account", string="Breakage Income Account", check_company=True
    )
    liability_method = fields.Selection(
        [("provision", "Provision"), ("deferred", "Deferred revenue (IFRS 15 / CAS 14)")],
        default="provision",
        required=True,
        tracking=True,
        help="Provision: the points' value is expensed when earned and breakage is income when they expire. "
        "Deferred revenue: the points are a material right; the points' share of the sale (by relative "
        "standalone selling price) is credited to a contract liability and recognised as revenue as points "
        "are redeemed, in proportion to the points expected to be redeemed. Fixed once entries are accrued.",
    )
    loyalty_contract_liability_account_id = fields.Many2one(
        "account.account",
        string="Contract Liability Account",
        check_company=True,
        help="Deferred revenue: the points' share of the sales, until redeemed or expired.",
    )
    loyalty_revenue_account_id = fields.Many2one(
        "account.account",
        string="Revenue Account",
        check_company=True,
        help="Deferred revenue: debited with the share of a sale deferred for its points, credited when it "
        "is recognised at redemption (and by a change of the expected redemption rate).",
    )
    accrual_ids = fields.One2many("crm.loyalty.accrual", "program_id", string="Accruals")

    def write(self, vals):
        if "liability_method" in vals:
            for program in self:
                if program.liability_method != vals["liability_method"] and program.accrual_ids:
                    raise UserError(
                        _(
                            "Program %(program)s: its liability is already in the ledger; the liability method "
                            "cannot change any more.",
                            program=program.name,
                        )
                    )
        if not {"expected_redemption_rate", "point_value"} & set(vals):
            return super().write(vals)
        before = {program.id: (program.expected_redemption_rate, program.point_value) for program in self}
        res = super().write(vals)
        self._book_change_of_estimate(before)
        return res

    def _book_change_of_estimate(self, before):
        """Under deferred revenue, a new expected redemption rate is a cumulative catch-up and a new point
        value a revaluation of the open contract liability; under provision, a new point value revalues the
        liability of the points accrued: one entry dated today, once the program's liability is in the
        ledger. ``before``: {program id: (rate, point value)} before the write."""
        for program in self:
            rate, value = before[program.id]
            if (rate, value) == (program.expected_redemption_rate, program.point_value):
                continue
            if not program.liability_accounting:
                continue
            if program.liability_method == "provision" and value == program.point_value:
                continue  # the expected redemption rate does not enter the provision
            if not program.accrual_ids:
                continue  # nothing booked yet: the first accrual books at the new figures
            # sudo: the entry is the accounting consequence of the figure just written by a user allowed to
            # write this program (the write above checked it; a loyalty manager needs no accounting rights);
            # it goes to the program's own journal and accounts, as the nightly run's entries do
            program_sudo = program.sudo()
            problem = program_sudo._check_liability_config()
            if problem:
                raise UserError(problem)
            accrual_sudo = self.env["crm.loyalty.accrual"].sudo()
            change = {
                "kind": "estimate" if rate != program.expected_redemption_rate else "revaluation",
                "rate_before": rate,
                "rate_after": program.expected_redemption_rate,
                "value_before": value,
                "value_after": program.point_value,
            }
            if program.liability_method == "provision":
                accrual_sudo._book_provision_revaluation(program_sudo, dict(change, kind="revaluation"))
            else:
                accrual_sudo._book_deferred_change(program_sudo, change)

    def _point_value_at(self, day, changes=None):
        """The point value in force at the end of ``day``: the value after the changes recorded up to that
        day (crm.loyalty.accrual._recorded_changes, both methods), the value before the first later change,
        or the current one. ``changes``: the recorded changes, when already read."""
        self.ensure_one()
        if changes is None:
            changes = self.env["crm.loyalty.accrual"]._recorded_changes(self)
        return in_force(changes, day, self.expected_redemption_rate, self.point_value, end_of_day=True)[1]

    def _check_liability_config(self):
        self.ensure_one()
        required = [
            (_("journal"), self.liability_journal_id),
            (_("expense account"), self.loyalty_expense_account_id),
        ]
        if self.liability_method == "deferred":
            required += [
                (_("contract liability account"), self.loyalty_contract_liability_account_id),
                (_("revenue account"), self.loyalty_revenue_account_id),
            ]
        else:
            required.append((_("liability account"), self.loyalty_liability_account_id))
        required.append((_("breakage account"), self.loyalty_breakage_account_id))
        missing = [label for label, value in required if not value]
        if missing:
            return _("Program %(program)s: set the %(missing)s.", program=self.name, missing=", ".join(missing))
        if not self.liability_journal_id.active:
            return _(
                "Program %(program)s: the journal %(journal)s is archived.",
                program=self.name,
                journal=self.liability_journal_id.name,
            )
        if self.point_value <= 0:
            return _("Program %(program)s: the point value must be positive.", program=self.name)
        return False

    def action_accrue_now(self):
        for program in self:
            problem = program._check_liability_config()
            if problem:
                raise UserError(problem)
        self.env["crm.loyalty.accrual"]._accrue(self, include_today=True)
        return True

    def _liability_reconciliation(self, date):
        """(ledger points x point value, GL liability balance, difference) at the end of ``date``, as the
        reconciliation report (crm.loyalty.liability.report) shows them; under deferred revenue (computed
        contract liability, GL contract liability balance, difference), as the tie-out shows them."""
        self.ensure_one()
        if self.liability_method == "deferred":
            row = self._liability_tie_out(date, date)[-1]
            return row["liability"], row["gl_balance"], row["difference"]
        Report = self.env["crm.loyalty.liability.report"]
        Report.invalidate_model()  # a view: its cached rows do not follow the entries and moves they sum
        row = Report.search([("program_id", "=", self.id), ("date", "<=", date)], order="date desc", limit=1)
        return row.ledger_value, row.gl_balance, row.difference

    def _liability_account(self):
        """The account that carries the program's liability: the contract liability under deferred revenue,
        the liability (provision) account otherwise."""
        self.ensure_one()
        if self.liability_method == "deferred":
            return self.loyalty_contract_liability_account_id
        return self.loyalty_liability_account_id

    def _contract_liability(self, date):
        """Contract liability at the end of ``date`` under deferred revenue, computed from the ledger (every
        entry up to that day, accrued or not) and the estimates (expected redemption rates and point values
        in force, their changes recorded by the accruals): see tools/deferred_revenue.py."""
        self.ensure_one()
        Accrual = self.env["crm.loyalty.accrual"]
        pool = Accrual._deferred_entries(self)
        return Accrual._deferred_pool(self, pool, until=date, pending_until=date).liability

    def _liability_tie_out(self, date_from, date_to):
        """Monthly tie-out of the liability, for the auditor and the accounting workbook: one dict per month
        end from ``date_from``'s to ``date_to`` (and ``date_to`` itself when it ends no month) with
        ``date``, ``ledger_points`` (points of the ledger at the end of the day), ``point_value`` (in force
        at the end of the day: ``_point_value_at``), ``ledger_value`` (ledger points x that point value),
        ``liability`` (what the ledger and the estimates say the liability is: the ledger value under
        provision, the computed contract liability under deferred revenue), ``account``
        (the liability account of the method), ``gl_balance`` (credit balance of that account from the
        program's accrual entries, posted, by accounting date) and ``difference`` (liability - GL)."""
        self.ensure_one()
        self.env.flush_all()
        currency = self.currency_id
        account = self._liability_account()
        dates = []
        day = date_from + relativedelta(day=31)
        while day <= date_to:
            dates.append(day)
            day = day + timedelta(days=1) + relativedelta(day=31)
        if not dates or dates[-1] != date_to:
            dates.append(date_to)
        points = dict(
            self.env.execute_query(
                SQL(
                    """SELECT d.day, COALESCE(SUM(e.points), 0)
                         FROM unnest(%s::date[]) AS d(day)
                    LEFT JOIN crm_loyalty_entry e ON e.program_id = %s AND e.date <= d.day
                     GROUP BY d.day""",
                    dates,
                    self.id,
                )
            )
        )
        gl = dict(
            self.env.execute_query(
                SQL(
                    """SELECT d.day, COALESCE(SUM(aml.credit - aml.debit), 0)
                         FROM unnest(%s::date[]) AS d(day)
                    LEFT JOIN account_move_line aml
                           ON aml.account_id = %s AND aml.parent_state = 'posted' AND aml.date <= d.day
                          AND aml.move_id IN (SELECT move_id FROM crm_loyalty_accrual WHERE program_id = %s)
                     GROUP BY d.day""",
                    dates,
                    account.id or 0,
                    self.id,
                )
            )
        )
        if self.liability_method == "deferred":
            Accrual = self.env["crm.loyalty.accrual"]
            pool = Accrual._deferred_entries(self)
        changes = self.env["crm.loyalty.accrual"]._recorded_changes(self)
        rows = []
        for day in dates:
            # valued at the point value in force that day, as the accruals and revaluations booked it
            point_value = self._point_value_at(day, changes)
            ledger_value = currency.round(points[day] * point_value)
            if self.liability_method == "deferred":
                liability = Accrual._deferred_pool(self, pool, until=day, pending_until=day).liability
            else:
                liability = ledger_value
            gl_balance = currency.round(gl[day])
            rows.append(
                {
                    "date": day,
                    "ledger_points": points[day],
                    "point_value": point_value,
                    "ledger_value": ledger_value,
                    "liability": liability,
                    "account": account,
                    "gl_balance": gl_balance,
                    "difference": currency.round(liability - gl_balance),
                }
            )
        return rows

    def _notify_accrual_problem(self, problem):
        """Tell a Loyalty Manager once that the accrual of this program is blocked (one open reminder per
        program, not one a night while the problem stays)."""
        self.ensure_one()
        summary = _("Loyalty accrual blocked")
        if not self.activity_ids.filtered(lambda a, s=summary: a.summary == s):
            manager = self.env.ref("crm_loyalty.group_loyalty_manager").users[:1] or self.env.user
            self.activity_schedule("mail.mail_activity_data_todo", user_id=manager.id, summary=summary, note=problem)
