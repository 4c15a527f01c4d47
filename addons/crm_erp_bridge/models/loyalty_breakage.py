from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero

PRECISION = 1e-6
RATE_DIGITS = 4
# ir.config_parameter: how far (a fraction, 0.02 = 2 points of percentage) the nightly proposal may drift from the
# program's rate before a Loyalty Manager is asked to look
ALERT_THRESHOLD_PARAM = "crm_erp_bridge.breakage_alert_threshold"
ALERT_THRESHOLD_DEFAULT = 0.02
BREAKAGE_GROUPS = ("crm_loyalty.group_loyalty_manager", "account.group_account_manager")
# the accounting of a program (method, accounts, journal): set by Loyalty Managers who are also in Billing (Invoicing)
ACCOUNTING_GROUP = "account.group_account_invoice"
ACCOUNTING_FIELDS = (
    "liability_accounting",
    "liability_method",
    "liability_journal_id",
    "loyalty_expense_account_id",
    "loyalty_liability_account_id",
    "loyalty_contract_liability_account_id",
    "loyalty_revenue_account_id",
    "loyalty_breakage_account_id",
)


def redemption_cohorts_query(today, program_ids=None):
    """One row per program and month of earning: ``earned`` (net of the points taken back), ``redeemed``,
    ``expired``, ``open`` (points still unconsumed), ``lapsed`` (the open points already past their expiry date,
    which the expiry run will expire) and ``closed``, set-based over the lots and their allocations.

    Each positive ledger entry is a lot; the FIFO allocations say which debit consumed which lot: a redemption's
    points count as redeemed, an expiry's as expired, and a reversal's (a credit note, a manual deduction) are
    taken out of the points earned of the lot it consumed. A positive reversal of a debit (points given back
    when an order is cancelled) belongs to the cohort of the first lot that debit consumed and undoes it there:
    the cohort's points redeemed go down, and what happens to the points given back counts in that cohort.
    So per cohort: earned = redeemed + expired + open. A cohort is closed when nothing of it is open any more,
    or all it has open is past its expiry date.
    """
    program_filter = SQL("AND l.program_id = ANY(%s)", list(program_ids)) if program_ids is not None else SQL()
    return SQL(
        """
        WITH lot AS (
            SELECT l.id, l.program_id, l.company_id, l.date, l.points, l.remaining, l.expiry_date,
                   root.id AS root_id, root.entry_type AS root_type
              FROM crm_loyalty_entry l
              LEFT JOIN crm_loyalty_entry root
                     ON root.id = l.reversed_entry_id AND root.points < 0 AND l.entry_type = 'reverse'
             WHERE l.points > 0 %(program_filter)s
        ), root_first_lot AS (
            SELECT DISTINCT ON (a.entry_id) a.entry_id AS root_id, src.date
              FROM crm_loyalty_allocation a
              JOIN crm_loyalty_entry src ON src.id = a.lot_id
             WHERE a.entry_id IN (SELECT root_id FROM lot WHERE root_id IS NOT NULL)
          ORDER BY a.entry_id, src.date, src.id
        ), lot_cohort AS (
            SELECT lot.id, lot.program_id, lot.company_id, lot.points, lot.remaining, lot.expiry_date,
                   date_trunc('month', COALESCE(first.date, lot.date))::date AS month,
                   CASE WHEN first.root_id IS NOT NULL AND lot.root_type IN ('redeem', 'expire')
                        THEN lot.root_type ELSE 'earn' END AS kind
              FROM lot
              LEFT JOIN root_first_lot first ON first.root_id = lot.root_id
        ), movement AS (
            SELECT program_id, company_id, month,
                   CASE WHEN kind = 'earn' THEN points ELSE 0 END AS earned,
                   CASE WHEN kind = 'redeem' THEN -points ELSE 0 END AS redeemed,
                   CASE WHEN kind = 'expire' THEN -points ELSE 0 END AS expired,
                   remaining AS open,
                   CASE WHEN expiry_date < %(today)s THEN remaining ELSE 0 END AS lapsed
              FROM lot_cohort
         UNION ALL
            SELECT lc.program_id, lc.company_id, lc.month,
                   CASE WHEN debit.entry_type NOT IN ('redeem', 'expire') THEN -a.points ELSE 0 END,
                   CASE WHEN debit.entry_type = 'redeem' THEN a.points ELSE 0 END,
                   CASE WHEN debit.entry_type = 'expire' THEN a.points ELSE 0 END,
                   0, 0
              FROM crm_loyalty_allocation a
              JOIN lot_cohort lc ON lc.id = a.lot_id
              JOIN crm_loyalty_entry debit ON debit.id = a.entry_id
        )
        SELECT program_id, company_id, month,
               SUM(earned) AS earned, SUM(redeemed) AS redeemed, SUM(expired) AS expired,
               SUM(open) AS open, SUM(lapsed) AS lapsed,
               SUM(open) - SUM(lapsed) <= %(precision)s AS closed
          FROM movement
      GROUP BY program_id, company_id, month
        HAVING ABS(SUM(earned)) > %(precision)s OR ABS(SUM(redeemed)) > %(precision)s
            OR ABS(SUM(expired)) > %(precision)s OR ABS(SUM(open)) > %(precision)s
        """,
        program_filter=program_filter,
        today=today,
        precision=PRECISION,
    )


def format_rate(rate):
    """A rate as the field shows it (0.8000); kept out of the calls of ``_()``, whose arguments the term
    extraction evaluates."""
    return f"{rate:.{RATE_DIGITS}f}"


def cohort_rate(redeemed, expired, lapsed, closed=True):
    """Share of the settled points (redeemed, expired, or past their expiry date) that were redeemed; None for
    an open cohort (its rate is not known yet: what is settled so far is mostly what was redeemed early)."""
    settled = redeemed + expired + lapsed
    return redeemed / settled if closed and settled > PRECISION else None


class CrmLoyaltyProgram(models.Model):
    # the issue-20 split keeps the breakage estimate in its own file (models/loyalty_program.py holds the liability)
    _inherit = "crm.loyalty.program"  # pylint: disable=consider-merging-classes-inherited

    expected_redemption_rate = fields.Float(
        default=1.0,
        digits=(16, RATE_DIGITS),
        tracking=True,
        help="Share of the points earned that the program expects its members to redeem (a fraction: 0.8 = 80%). "
        "The rest is the expected breakage, recognised as the points are redeemed. Estimated from the closed "
        "cohorts of the program's own history (Estimate Breakage); an accountant may override it with a reason.",
    )
    breakage_estimate_ids = fields.One2many(
        "crm.loyalty.breakage.estimate", "program_id", string="Breakage Estimates", readonly=True
    )

    @api.constrains("expected_redemption_rate")
    def _check_expected_redemption_rate(self):
        for program in self:
            if not 0 < program.expected_redemption_rate <= 1:
                raise ValidationError(
                    _(
                        "Program %(program)s: the expected redemption rate must be above 0 and at most 1 "
                        "(a fraction of the points earned).",
                        program=program.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """The accounting of a new program is set by Billing users only; the rate it starts with is the first
        row of its breakage history."""
        for vals in vals_list:
            self._check_accounting_rights(
                [
                    name
                    for name in ACCOUNTING_FIELDS
                    if vals.get(name) and not (name == "liability_method" and vals[name] == "provision")
                ]
            )
        programs = super().create(vals_list)
        reason = (self.env.context.get("breakage_reason") or "").strip()
        for program in programs:
            program._log_rate_change(
                0.0,
                program.expected_redemption_rate,
                {
                    "program_id": program.id,
                    "kind": "initial",
                    "old_rate": 0.0,
                    "new_rate": program.expected_redemption_rate,
                    "reason": reason or False,
                },
                post=False,
            )
        return programs

    def write(self, vals):
        """The accounting of the program (method, accounts, journal) is written by Billing users only, whoever
        writes it (the page is hidden from the others, RPC is not).

        A change of the expected redemption rate is recorded where it is written, whoever writes it: the
        proposal of the closed cohorts needs no reason, any other rate (an override) does
        (context key ``breakage_reason``); each change is kept in ``crm.loyalty.breakage.estimate`` and logged
        in the chatter. Only the system itself (superuser: installation, migrations) may set a rate without a
        reason; it is recorded as such."""
        self._check_accounting_rights(
            [
                name
                for name in ACCOUNTING_FIELDS
                if name in vals
                and any(
                    program._fields[name].convert_to_write(program[name], program) != vals[name] for program in self
                )
            ]
        )
        if "expected_redemption_rate" not in vals:
            return super().write(vals)
        new_rate = vals["expected_redemption_rate"]
        changed = self.filtered(
            lambda p: float_compare(p.expected_redemption_rate, new_rate, precision_digits=RATE_DIGITS)
        )
        old_rates = {program.id: program.expected_redemption_rate for program in changed}
        changes = changed._prepare_rate_changes(new_rate, self.env.context.get("breakage_reason"))
        result = super().write(vals)
        for program in changed:
            program._log_rate_change(old_rates[program.id], new_rate, changes[program.id])
        return result

    # ------------------------------------------------------------------ actions
    def action_estimate_breakage(self):
        self.ensure_one()
        self._check_breakage_rights()
        return {
            "type": "ir.actions.act_window",
            "name": _("Estimate Breakage"),
            "res_model": "crm.loyalty.breakage.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_program_id": self.id},
        }

    def action_view_redemption_cohorts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Redemption Cohorts"),
            "res_model": "crm.loyalty.cohort.report",
            "view_mode": "list,pivot,graph",
            "domain": [("program_id", "=", self.id)],
            "context": {"search_default_closed": 0},
        }

    # ------------------------------------------------------------------ business methods
    def _redemption_cohorts(self, today=None):
        """The cohort table of the programs in ``self``: a list of dicts, one per program and month of earning
        (oldest first): ``program_id``, ``month`` (first day), ``earned``, ``redeemed``, ``expired``, ``open``,
        ``lapsed`` (open but past expiry), ``redemption_rate`` (redeemed over the settled points, None when
        nothing is settled) and ``closed``. Used by the breakage estimate, its report and the accounting
        workbook."""
        if not self:
            return []
        today = today or fields.Date.context_today(self)
        self.env["crm.loyalty.entry"].flush_model()
        self.env["crm.loyalty.allocation"].flush_model()
        rows = self.env.execute_query_dict(
            SQL("%s ORDER BY program_id, month", redemption_cohorts_query(today, self.ids))
        )
        for row in rows:
            row["redemption_rate"] = cohort_rate(row["redeemed"], row["expired"], row["lapsed"], row["closed"])
        return rows

    def _redemption_rate_proposal(self, today=None):
        """{program id: proposal} estimated from the closed cohorts: ``rate`` (rounded to the field's digits,
        None when no cohort is closed: not enough history), ``cohort_count``, ``points`` (the points settled
        in them), ``months`` (their first days), ``redeemed`` and ``expired`` (lapsed points included)."""
        proposals = {
            program.id: {"rate": None, "cohort_count": 0, "points": 0.0, "months": [], "redeemed": 0.0, "expired": 0.0}
            for program in self
        }
        for row in self._redemption_cohorts(today=today):
            if not row["closed"] or row["redemption_rate"] is None:
                continue
            proposal = proposals[row["program_id"]]
            proposal["cohort_count"] += 1
            proposal["months"].append(row["month"])
            proposal["redeemed"] += row["redeemed"]
            proposal["expired"] += row["expired"] + row["lapsed"]
        for proposal in proposals.values():
            proposal["points"] = proposal["redeemed"] + proposal["expired"]
            if proposal["cohort_count"] and proposal["points"] > PRECISION:
                proposal["rate"] = round(proposal["redeemed"] / proposal["points"], RATE_DIGITS)
        return proposals

    def _apply_redemption_rate(self, rate, reason=None):
        """Set the expected redemption rate of this program: the estimated rate, or an override with a reason.
        Loyalty Managers and accountants (Accounting Administrators) only. Goes through ``write`` (which records
        the change and is what the accounting of the program reacts to)."""
        self.ensure_one()
        self._check_breakage_rights()
        # sudo: accountants read loyalty programs but may not write them; the rate is theirs to set (checked above)
        program_sudo = self.sudo()
        program_sudo.with_context(breakage_reason=reason, breakage_user=not self.env.su).write(
            {"expected_redemption_rate": rate}
        )
        return True

    def _check_breakage_rights(self):
        if self.env.su or any(self.env.user.has_group(group) for group in BREAKAGE_GROUPS):
            return
        raise AccessError(
            _("Only Loyalty Managers and accountants (Accounting Administrators) may set the expected redemption rate.")
        )

    def _check_accounting_rights(self, field_names):
        """Refuse the accounting fields ``field_names`` to a user outside Billing (Invoicing): a Loyalty Manager
        runs the program, an accountant chooses how it is booked."""
        if not field_names or self.env.su or self.env.user.has_group(ACCOUNTING_GROUP):
            return
        raise UserError(
            _(
                "Only users of the Billing group (Accounting / Invoicing) may set the accounting of a loyalty "
                "program: %(fields)s.",
                fields=", ".join(self._fields[name]._description_string(self.env) for name in field_names),
            )
        )

    def _prepare_rate_changes(self, new_rate, reason):
        """{program id: values of its history row} for the change of the rate of ``self`` to ``new_rate``;
        raises when an override has no reason (unless the system itself writes it)."""
        reason = (reason or "").strip()
        proposals = self._redemption_rate_proposal()
        changes = {}
        for program in self:
            proposal = proposals[program.id]
            # a proposal of 0 (no point of the closed cohorts redeemed) is no estimate: any rate is an override
            estimated = bool(proposal["rate"]) and not float_compare(
                new_rate, proposal["rate"], precision_digits=RATE_DIGITS
            )
            if estimated:
                kind = "estimate"
            elif reason:
                kind = "override"
            elif self.env.su and not self.env.context.get("breakage_user"):
                kind = "system"
            else:
                raise UserError(
                    _(
                        "Program %(program)s: a redemption rate other than the one estimated from the closed "
                        "cohorts (%(proposal)s) is an override and needs a reason.",
                        program=program.name,
                        proposal=format_rate(proposal["rate"])
                        if proposal["rate"] is not None
                        else _("not enough history"),
                    )
                )
            changes[program.id] = {
                "program_id": program.id,
                "kind": kind,
                "old_rate": program.expected_redemption_rate,
                "new_rate": new_rate,
                "proposed_rate": proposal["rate"] or 0.0,
                "enough_history": proposal["rate"] is not None,
                "reason": reason or False,
                "cohort_count": proposal["cohort_count"],
                "cohort_points": proposal["points"],
                "cohort_months": ", ".join(month.strftime("%Y-%m") for month in proposal["months"]),
            }
        return changes

    def _log_rate_change(self, old_rate, new_rate, change_vals, post=True):
        """Record a change of the rate of this program in its history (the only writer of the history: see
        ``crm.loyalty.breakage.estimate.create``) and, unless ``post`` is False, in the chatter."""
        self.ensure_one()
        # sudo: nobody may create history rows by hand (no create right); the rate change itself, already allowed
        # by the program's write (rights and reason checked there), writes its row; user_id stays the real user
        estimate_sudo = (
            self.env["crm.loyalty.breakage.estimate"].sudo().with_context(breakage_rate_change=True).create(change_vals)
        )
        estimate = estimate_sudo.sudo(False)
        if not post:
            return estimate
        kind = dict(estimate._fields["kind"]._description_selection(self.env))[estimate.kind]
        body = _(
            "Expected redemption rate changed from %(old)s to %(new)s (%(kind)s; estimate from %(count)s closed "
            "cohorts, %(points)s points: %(proposal)s).",
            old=format_rate(old_rate),
            new=format_rate(new_rate),
            kind=kind,
            count=estimate.cohort_count,
            points=self._format_points(estimate.cohort_points),
            proposal=format_rate(estimate.proposed_rate) if estimate.enough_history else _("not enough history"),
        )
        if estimate.reason:
            body += " " + _("Reason: %(reason)s", reason=estimate.reason)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        return estimate

    # ------------------------------------------------------------------ crons
    @api.model
    def _cron_review_breakage_estimate(self):
        """Recompute the proposal of every active program with some closed history; when it has moved from the
        program's rate by more than the threshold (``crm_erp_bridge.breakage_alert_threshold``), ask a Loyalty
        Manager to review it (one open activity per program). The rate itself is never changed here."""
        # sudo: a system parameter of this cron, read by the cron user
        params_sudo = self.env["ir.config_parameter"].sudo()
        threshold = float(params_sudo.get_param(ALERT_THRESHOLD_PARAM, ALERT_THRESHOLD_DEFAULT))
        programs = self.search([])
        proposals = programs._redemption_rate_proposal()
        summary = _("Review the breakage estimate")
        manager = self.env.ref("crm_loyalty.group_loyalty_manager").users[:1] or self.env.user
        notified = self.browse()
        for program in programs:
            rate = proposals[program.id]["rate"]
            if rate is None or abs(rate - program.expected_redemption_rate) <= threshold:
                continue
            if program.activity_ids.filtered(lambda a, s=summary: a.summary == s):
                continue
            program.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=summary,
                note=_(
                    "The redemption rate estimated from %(count)s closed cohorts is %(proposal)s; the program "
                    "expects %(rate)s. Open Estimate Breakage to apply or override it.",
                    count=proposals[program.id]["cohort_count"],
                    proposal=format_rate(rate),
                    rate=format_rate(program.expected_redemption_rate),
                ),
            )
            notified |= program
        return notified


class CrmLoyaltyBreakageEstimate(models.Model):
    """Append-only history of a program's expected redemption rate: who set which rate, when, why, and the
    closed cohorts behind the estimate at that moment."""

    _name = "crm.loyalty.breakage.estimate"
    _description = "Loyalty Breakage Estimate"
    _order = "date desc, id desc"
    _check_company_auto = True

    program_id = fields.Many2one("crm.loyalty.program", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="program_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="Set By", required=True, readonly=True, default=lambda s: s.env.user)
    kind = fields.Selection(
        [
            ("initial", "Set at creation"),
            ("estimate", "Estimated"),
            ("override", "Override"),
            ("system", "Set by the system"),
        ],
        required=True,
        readonly=True,
    )
    old_rate = fields.Float(string="Previous Rate", digits=(16, RATE_DIGITS), readonly=True)
    new_rate = fields.Float(digits=(16, RATE_DIGITS), readonly=True)
    proposed_rate = fields.Float(
        string="Estimated Rate",
        digits=(16, RATE_DIGITS),
        readonly=True,
        help="Rate estimated from the closed cohorts when the change was made (0 when there was not enough history).",
    )
    reason = fields.Text(readonly=True)
    enough_history = fields.Boolean(readonly=True, help="At least one cohort was closed: the estimate was possible.")
    cohort_count = fields.Integer(string="Closed Cohorts", readonly=True)
    cohort_points = fields.Float(string="Points Behind", readonly=True, help="Points settled in the closed cohorts.")
    cohort_months = fields.Char(string="Cohorts", readonly=True, help="Months of earning of the closed cohorts.")

    @api.constrains("kind", "reason")
    def _check_reason(self):
        for estimate in self:
            if estimate.kind == "override" and not (estimate.reason or "").strip():
                raise ValidationError(_("An override of the estimated redemption rate needs a reason."))

    @api.model_create_multi
    def create(self, vals_list):
        """Rows are written by the rate change of their program only (``crm.loyalty.program._log_rate_change``,
        as superuser: nobody has the right to create them), and must say the rate the program now has."""
        if not (self.env.su and self.env.context.get("breakage_rate_change")):
            raise UserError(
                _(
                    "The breakage estimate history is written by the rate change of its program only: change the "
                    "program's expected redemption rate instead."
                )
            )
        programs = self.env["crm.loyalty.program"].browse([vals.get("program_id") for vals in vals_list])
        for vals, program in zip(vals_list, programs, strict=True):
            if float_compare(vals.get("new_rate", 0.0), program.expected_redemption_rate, precision_digits=RATE_DIGITS):
                raise UserError(
                    _(
                        "The breakage estimate history is written by the rate change of its program only: "
                        "%(program)s's rate is %(rate)s.",
                        program=program.name,
                        rate=format_rate(program.expected_redemption_rate),
                    )
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(_("The breakage estimate history cannot be changed: it is an audit trail."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_superuser(self):
        if not self.env.su:
            raise UserError(_("The breakage estimate history cannot be deleted: it is an audit trail."))


class CrmLoyaltyCohortReport(models.Model):
    """The cohort table of every program as a report (list, pivot, graph): the workings of the estimate."""

    _name = "crm.loyalty.cohort.report"
    _description = "Loyalty Redemption Cohorts"
    _auto = False
    _order = "program_id, month desc"

    program_id = fields.Many2one("crm.loyalty.program", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    month = fields.Date(string="Month of Earning", readonly=True)
    earned = fields.Float(
        readonly=True, help="Points earned in the month, net of the points taken back (credit notes)."
    )
    redeemed = fields.Float(readonly=True)
    expired = fields.Float(readonly=True)
    open = fields.Float(readonly=True, help="Points not yet redeemed nor expired.")
    lapsed = fields.Float(
        string="Past Expiry", readonly=True, help="Open points already past their expiry date: they will expire."
    )
    settled = fields.Float(readonly=True, help="Redeemed, expired and past expiry.")
    redemption_rate = fields.Float(
        digits=(16, RATE_DIGITS),
        readonly=True,
        aggregator=False,
        help="Redeemed over the settled points, once the cohort is closed (empty while it is open).",
    )
    closed = fields.Boolean(readonly=True, help="Nothing open any more, or all that is open is past its expiry date.")

    @property
    def _table_query(self):
        cohorts = redemption_cohorts_query(fields.Date.context_today(self))
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY c.program_id, c.month) AS id, c.program_id, c.company_id, c.month,
                   c.earned, c.redeemed, c.expired, c.open, c.lapsed, c.redeemed + c.expired + c.lapsed AS settled,
                   -- an open cohort has no rate yet (what it settled so far is mostly early redemptions)
                   CASE WHEN c.closed AND c.redeemed + c.expired + c.lapsed > %(precision)s
                        THEN c.redeemed / (c.redeemed + c.expired + c.lapsed) END AS redemption_rate,
                   c.closed
              FROM (%(cohorts)s) c
            """,
            cohorts=cohorts,
            precision=PRECISION,
        )


class CrmLoyaltyBreakageWizard(models.TransientModel):
    """Estimate Breakage: the proposal of the closed cohorts, with its workings; apply it or override it."""

    _name = "crm.loyalty.breakage.wizard"
    _description = "Estimate Loyalty Breakage"

    program_id = fields.Many2one("crm.loyalty.program", required=True, readonly=True)
    current_rate = fields.Float(related="program_id.expected_redemption_rate", string="Current Rate")
    # the workings are computed (not only the form's defaults): a wizard created over RPC reads the same
    proposed_rate = fields.Float(
        string="Estimated Rate", digits=(16, RATE_DIGITS), compute="_compute_workings", store=True
    )
    enough_history = fields.Boolean(compute="_compute_workings", store=True)
    no_redemption = fields.Boolean(
        compute="_compute_workings",
        store=True,
        help="Some cohorts are closed but none of their points was redeemed: no rate is estimated.",
    )
    cohort_count = fields.Integer(string="Closed Cohorts", compute="_compute_workings", store=True)
    cohort_points = fields.Float(string="Points Behind", compute="_compute_workings", store=True)
    new_rate = fields.Float(
        string="Rate to Apply", digits=(16, RATE_DIGITS), compute="_compute_new_rate", store=True, readonly=False
    )
    is_override = fields.Boolean(compute="_compute_is_override")
    reason = fields.Text(help="Required when the rate to apply is not the estimated rate.")
    cohort_ids = fields.Many2many("crm.loyalty.cohort.report", compute="_compute_cohort_ids", string="Cohorts")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if values.get("program_id"):
            self.env["crm.loyalty.program"].browse(values["program_id"])._check_breakage_rights()
        return values

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.loyalty.program"].browse([vals.get("program_id") for vals in vals_list])._check_breakage_rights()
        return super().create(vals_list)

    @api.depends("program_id")
    def _compute_workings(self):
        proposals = self.program_id._redemption_rate_proposal()
        for wizard in self:
            proposal = proposals.get(wizard.program_id.id, {"rate": None, "cohort_count": 0, "points": 0.0})
            wizard.enough_history = proposal["rate"] is not None
            wizard.no_redemption = wizard.enough_history and float_is_zero(
                proposal["rate"], precision_digits=RATE_DIGITS
            )
            wizard.proposed_rate = proposal["rate"] or 0.0
            wizard.cohort_count = proposal["cohort_count"]
            wizard.cohort_points = proposal["points"]

    @api.depends("program_id", "proposed_rate", "enough_history", "no_redemption")
    def _compute_new_rate(self):
        """The estimate; the current rate when there is none (not enough history, or no redemption)."""
        for wizard in self:
            estimated = wizard.enough_history and not wizard.no_redemption
            wizard.new_rate = wizard.proposed_rate if estimated else wizard.program_id.expected_redemption_rate

    @api.depends("new_rate", "current_rate", "proposed_rate", "enough_history", "no_redemption")
    def _compute_is_override(self):
        """A change to another rate than the estimate (any change when there is no estimate)."""
        for wizard in self:
            wizard.is_override = bool(
                float_compare(wizard.new_rate, wizard.current_rate, precision_digits=RATE_DIGITS)
            ) and (
                not wizard.enough_history
                or wizard.no_redemption
                or bool(float_compare(wizard.new_rate, wizard.proposed_rate, precision_digits=RATE_DIGITS))
            )

    @api.depends("program_id")
    def _compute_cohort_ids(self):
        Report = self.env["crm.loyalty.cohort.report"]
        for wizard in self:
            wizard.cohort_ids = (
                Report.search([("program_id", "=", wizard.program_id.id)]) if wizard.program_id else Report
            )

    def action_apply(self):
        self.ensure_one()
        if float_is_zero(self.new_rate, precision_digits=RATE_DIGITS):
            raise UserError(
                _(
                    "No point of the closed cohorts was redeemed: a rate of 0 cannot be applied. Enter the rate the "
                    "program expects and the reason."
                )
            )
        if not float_compare(self.new_rate, self.current_rate, precision_digits=RATE_DIGITS):
            return {"type": "ir.actions.act_window_close"}
        self.program_id._apply_redemption_rate(self.new_rate, reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
