import itertools
import logging
from datetime import timedelta
from types import SimpleNamespace

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import _, _lt, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_round, format_date

from odoo.addons.crm_customer_facts.tools.sql import pg_array, pg_bool_array

from ..tools import churn

_logger = logging.getLogger(__name__)

BATCH = 50000  # customers per batch of the daily computation (one upsert each; see _compute_risks)
SIGNAL_DAYS = 90  # tickets opened over these days count for negative sentiment and SLA breaches
NPS_DAYS = 365  # the customer's last NPS answer over these days counts
AVG_MONTH_DAYS = 365.25 / 12
# the columns the daily computation writes, in the order of its rows
COLUMNS = (
    "partner_id",
    "user_id",
    "score",
    "at_risk",
    "purchase_days",
    "last_purchase_date",
    "usual_gap_days",
    "gap_ratio",
    "expected_order_date",
    "expected_order_date_bgnbd",
    "predicted",
    "prob_alive",
    "open_complaints",
    "negative_tickets",
    "sla_breaches",
    "detractor_date",
    "overdue_amount",
    "overdue_days",
    "flagged_date",
    "holdout",
)
DATE_COLUMNS = (
    "last_purchase_date",
    "expected_order_date",
    "expected_order_date_bgnbd",
    "detractor_date",
    "flagged_date",
)
BOOL_COLUMNS = ("at_risk", "predicted", "holdout")
FLOAT_COLUMNS = ("usual_gap_days", "gap_ratio", "prob_alive", "overdue_amount")
NULL = "\\N"  # in COPY's text format
COPY_CHUNK = 2000  # rows computed and sent at a time by COPY
KNOWN = 12  # the signal rows' column: the customer has a risk row


def pg_date_array(values):
    """A PostgreSQL array literal of dates (None: NULL), for ``%s::date[]``."""
    return "{" + ",".join(value.isoformat() if value else "NULL" for value in values) + "}"


class CrmChurnRisk(models.Model):
    """The churn risk of one active customer in one company, recomputed every day by ``_compute_risks``
    (one set-based statement per batch of customers), with the signals behind its score. A customer whose score
    reaches the company's at-risk score is *flagged*: the flag date starts an episode, the customer is drawn
    into the holdout or not (kept for the episode), win-back actions are recorded on the row, and the save
    report counts whether the customer ordered again within the company's save window.

    Users read risks (salespeople their own customers'); the rows are written in SQL by the daily computation
    and the actions' fields by the win-back actions only."""

    _name = "crm.churn.risk"
    _description = "Customer Churn Risk"
    # what it holds about a customer, in the customer's data export of crm_privacy
    _crm_privacy_export = ("churn_risk", _lt("Churn risk score and its reasons"), "reasons")
    _order = "score desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True
    # written in bulk every day: no create/write stamps (two foreign keys checked per row for nothing)
    _log_access = False

    # no index of their own: the unique (partner_id, company_id) index serves both
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, index=True, help="The customer's salesperson."
    )
    date = fields.Date(string="Computed On", readonly=True)
    score = fields.Integer(string="Risk Score", readonly=True, aggregator="avg", help="0 (safe) to 100.")
    at_risk = fields.Boolean(readonly=True, help="The score reaches the company's at-risk score.")
    reasons = fields.Char(compute="_compute_reasons", help="The signs behind the score, in words.")
    # the customer's rhythm
    purchase_days = fields.Integer(readonly=True, help="Days with a posted invoice in the customer's history.")
    last_purchase_date = fields.Date(string="Last Purchase", readonly=True)
    usual_gap_days = fields.Float(
        string="Usual Gap (days)", readonly=True, digits=(16, 1), help="Mean days between two purchase days."
    )
    gap_ratio = fields.Float(
        string="Silence / Usual Gap",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Days since the last purchase divided by the usual gap: 2.3 = silent for 2.3 times the usual gap.",
    )
    expected_order_date = fields.Date(
        string="Next Order Expected", readonly=True, help="Last purchase plus the customer's usual gap."
    )
    expected_order_date_bgnbd = fields.Date(
        string="Next Order Expected (BG/NBD)",
        readonly=True,
        help="Today plus the mean wait for one purchase at the BG/NBD expected rate (when predicted).",
    )
    predicted = fields.Boolean(readonly=True, help="Churn predicted by BG/NBD (CRM Segmentation CLV).")
    prob_alive = fields.Float(string="P(alive)", readonly=True, digits=(16, 3), aggregator="avg")
    # service and payment signals
    open_complaints = fields.Integer(readonly=True, help="Open complaint tickets.")
    negative_tickets = fields.Integer(readonly=True, help="Tickets of the last 90 days with a negative sentiment.")
    sla_breaches = fields.Integer(string="SLA Breaches", readonly=True, help="Tickets of the last 90 days.")
    detractor_date = fields.Date(
        string="Detractor On", readonly=True, help="The customer's last NPS answer of the year, a detractor's."
    )
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    overdue_days = fields.Integer(string="Days Overdue", readonly=True, help="Of the oldest overdue invoice.")
    # the episode and its actions
    flagged_date = fields.Date(string="Flagged On", readonly=True)
    holdout = fields.Boolean(
        readonly=True,
        help="Drawn into the holdout when flagged: no win-back action, so that the save report can compare.",
    )
    treated = fields.Boolean(readonly=True, help="A win-back action was taken in this episode.")
    activity_date = fields.Date(string="Activity Scheduled On", readonly=True)
    activity_user_id = fields.Many2one("res.users", string="Activity For", readonly=True)
    points_entry_id = fields.Many2one("crm.loyalty.entry", string="Points Offer", readonly=True)
    points_offered = fields.Float(readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "UNIQUE(partner_id, company_id)", "One churn risk per customer and company."),
        ("holdout_untreated", "CHECK(NOT (holdout AND treated))", "A holdout customer gets no win-back action."),
    ]

    def init(self):
        # every row is rewritten every day: with room left in its page, PostgreSQL updates it in place without
        # touching the indexes (a HOT update: none of the indexed columns changes from one day to the next)
        self.env.cr.execute(
            "SELECT 1 FROM pg_class WHERE oid = 'crm_churn_risk'::regclass AND 'fillfactor=50' = ANY(reloptions)"
        )
        if not self.env.cr.rowcount:
            self.env.cr.execute("ALTER TABLE crm_churn_risk SET (fillfactor = 50)")

    @api.depends_context("lang")
    @api.depends(
        "gap_ratio",
        "predicted",
        "prob_alive",
        "detractor_date",
        "sla_breaches",
        "open_complaints",
        "negative_tickets",
        "overdue_amount",
        "overdue_days",
        "currency_id",
    )
    def _compute_reasons(self):
        """Rendered from the stored signals in the reader's language (a stored sentence would keep the
        language of the daily job)."""
        for risk in self:
            words = []
            if risk.gap_ratio > 1:
                # formatted outside _(): the term extractor evaluates the arguments it finds in the call
                ratio = f"{float_round(risk.gap_ratio, 1):.1f}"
                words.append(_("no order for %(ratio)s x their usual gap", ratio=ratio))
            if risk.predicted and risk.prob_alive < 0.5:
                words.append(_("P(alive) %(percent)s%%", percent=round(risk.prob_alive * 100)))
            if risk.detractor_date:
                words.append(
                    _("detractor on %(date)s", date=format_date(self.env, risk.detractor_date, date_format="d MMM"))
                )
            if risk.sla_breaches:
                words.append(
                    _("1 SLA breach")
                    if risk.sla_breaches == 1
                    else _("%(count)s SLA breaches", count=risk.sla_breaches)
                )
            if risk.open_complaints:
                words.append(
                    _("1 open complaint")
                    if risk.open_complaints == 1
                    else _("%(count)s open complaints", count=risk.open_complaints)
                )
            if risk.negative_tickets:
                words.append(_("negative sentiment"))
            if risk.overdue_amount > 0:
                words.append(
                    _(
                        "%(amount)s overdue for %(days)s days",
                        amount=risk.currency_id.format(risk.overdue_amount),
                        days=risk.overdue_days,
                    )
                )
            text = "; ".join(words)
            risk.reasons = text[:1].upper() + text[1:]

    # ------------------------------------------------------------------ actions
    def _check_actionable(self):
        """Win-back actions are for flagged customers outside the holdout, which they would spoil."""
        self.check_access("read")
        if not self:
            raise UserError(_("Select the customers to win back."))
        held = self.filtered("holdout")
        if held:
            raise UserError(
                _(
                    "These customers are in the holdout, kept out of the win-back actions so that the save rate "
                    "with and without action can be compared: %(customers)s. Remove them from the selection.",
                    customers=", ".join(held.partner_id.mapped("display_name")),
                )
            )
        unflagged = self.filtered(lambda r: not r.flagged_date)
        if unflagged:
            raise UserError(
                _(
                    "These customers are not flagged at risk: %(customers)s.",
                    customers=", ".join(unflagged.partner_id.mapped("display_name")),
                )
            )

    def _record_action(self, vals):
        # sudo: the actions' fields are written only here, after _check_actionable (the user reads these risks,
        # none is in the holdout); nobody has write access to the risks, which the daily job writes in SQL
        risks_sudo = self.sudo()
        risks_sudo.write({**vals, "treated": True})

    def action_winback_activity(self):
        """A To-Do for each selected customer's salesperson (the current user where none is set). A win-back
        call is marketing: only for the customers who agreed to be contacted by phone or e-mail (the others
        are left untreated; the notification counts the activities scheduled). One per episode: a customer whose
        win-back call is scheduled already is left alone, whoever asks again."""
        self._check_actionable()
        partners = self.partner_id
        consenting = partners._crm_filter_consenting("phone") | partners._crm_filter_consenting("email")
        targets = self.filtered(lambda risk: risk.partner_id in consenting)
        skipped = (self - targets).partner_id
        targets = targets.filtered(lambda risk: not risk.activity_date)
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        activities = self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": risk.partner_id.id,
                    "activity_type_id": todo.id,
                    "summary": _("Win back: %(reasons)s", reasons=risk.reasons or risk.partner_id.display_name),
                    "user_id": (risk.user_id or self.env.user).id,
                }
                for risk in targets
            ]
        )
        for risk, activity in zip(targets, activities, strict=True):
            risk._record_action(
                {"activity_date": fields.Date.context_today(self), "activity_user_id": activity.user_id.id}
            )
        if skipped:
            return self._notify(
                _(
                    "%(count)s win-back activities scheduled; skipped, without consent to be called or e-mailed "
                    "(a win-back call is marketing): %(customers)s.",
                    count=len(activities),
                    customers=", ".join(skipped.mapped("display_name")),
                ),
                "warning",
            )
        return self._notify(_("%(count)s win-back activities scheduled.", count=len(activities)))

    def action_winback_points(self):
        """The company's win-back points, posted as a bonus to each selected customer's active membership in
        the risk's company, through the ledger (its rights and checks apply: Loyalty Managers post bonuses)."""
        self._check_actionable()
        memberships = self.env["crm.loyalty.membership"].search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("state", "=", "active"),
                ("company_id", "in", self.company_id.ids),
            ],
            order="id",
        )
        first = {}
        for membership in memberships:
            first.setdefault((membership.partner_id.id, membership.company_id.id), membership)
        missing = self.filtered(lambda r: (r.partner_id.id, r.company_id.id) not in first)
        if missing:
            raise UserError(
                _(
                    "These customers have no active loyalty membership to offer points to: %(customers)s.",
                    customers=", ".join(missing.partner_id.mapped("display_name")),
                )
            )
        posted = 0
        for risk in self:
            if risk.points_entry_id:
                continue  # one offer per episode
            points = risk.company_id.churn_offer_points
            entry = first[(risk.partner_id.id, risk.company_id.id)]._post_bonus(
                "other", points, _("Win-back offer: %(reasons)s", reasons=risk.reasons or "-")
            )
            risk._record_action({"points_entry_id": entry.id, "points_offered": points})
            posted += 1
        return self._notify(_("%(count)s win-back points offers posted.", count=posted))

    def _notify(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "message": message, "next": {"type": "ir.actions.act_window_close"}},
        }

    @api.constrains("holdout", "treated")
    def _check_holdout_untreated(self):
        if any(risk.holdout and risk.treated for risk in self):
            raise ValidationError(_("A holdout customer gets no win-back action."))

    def action_recompute(self):
        """Button of the sales managers: today's risks of the current companies now."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(_("Only sales managers recompute the churn risks."))
        # sudo: the daily computation reads every signal of the company's customers (tickets, receivables) and
        # writes the technical table; limited to the companies the manager works in
        risks_sudo = self.sudo()
        # every active customer again, those the daily job computed this morning included: the button is
        # pressed because something changed since
        risks_sudo._compute_risks(self.env.companies, again=True)
        return {"type": "ir.actions.client", "tag": "reload"}

    # ------------------------------------------------------------------ daily computation
    @api.model
    def _cron_compute_risks(self, batch_size=BATCH):
        """One batch per call under the cron runner, which commits it and calls again while customers remain
        (a crash loses nothing committed; a re-run goes on with the customers not computed today); every batch
        otherwise."""
        companies = self.env["res.company"].search([])
        if not self.env.context.get("ir_cron_progress_id"):
            self._compute_risks(companies, batch_size)
            return
        today = fields.Date.context_today(self)
        pending = [(company, self._pending_partner_ids(company, today)) for company in companies]
        remaining = sum(len(ids) for _c, ids in pending)
        done = 0
        for company, ids in pending:
            if ids:
                done = self._compute_batch(company, ids[:batch_size], today)
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining - done)

    @api.model
    def _compute_risks(self, companies, batch_size=BATCH, again=False):
        """Today's risk of every active customer of these companies not computed today yet, in batches: one
        query per company reads every pending customer's signals (it scans the company's figures, scores and
        risks once), fetched from a server-side cursor batch by batch (a Python heap of about 1 MiB per 1,000
        customers of a batch, whatever the company's size), each batch written by a COPY of its new rows and an
        UPDATE of the others (``_write_rows``; bench/RESULTS.md, 2026-11-30 e)."""
        today = fields.Date.context_today(self)
        count = 0
        for company in companies:
            self.env.cr.execute(
                SQL(
                    "DECLARE crm_churn_risk_signals NO SCROLL CURSOR FOR %s",
                    self._signal_query(company, today, pending=True, again=again),
                )
            )
            try:
                while rows := self.env.execute_query(SQL("FETCH FORWARD %s FROM crm_churn_risk_signals", batch_size)):
                    count += self._write_rows(company, rows, today)
            finally:
                # not in a failed transaction (its error is the one to see; the rollback closes the cursor)
                if self.env.cr._cnx.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_INERROR:
                    self.env.cr.execute("CLOSE crm_churn_risk_signals")
        return count

    @api.model
    def _pending_partner_ids(self, company, today, again=False):
        """The company's active customers (a purchase over its activity window) without today's risk (``again``:
        with it too: the managers' recompute), but those who object to profiling."""
        active_from = today - relativedelta(months=company.churn_active_months)
        totals = self.env["crm.sales.fact"]._customer_totals_sql(["last_purchase"], company, None, active_from, today)
        self.flush_model()
        self.env["res.partner"].flush_model(["crm_profiling_opt_out"])
        rows = self.env.execute_query(
            SQL(
                """SELECT t.partner_id
                     FROM (%s) t
                     JOIN res_partner p ON p.id = t.partner_id
                LEFT JOIN crm_churn_risk r ON r.partner_id = t.partner_id AND r.company_id = t.company_id
                    WHERE %s
                 ORDER BY t.partner_id""",
                totals,
                self._pending_where(company, today, again),
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _pending_where(self, company, today, again=False):
        """SQL of the condition on a customer's totals ``t`` (with ``last_purchase``), partner ``p`` and current
        risk ``r`` that makes it pending: a purchase over the company's activity window, no risk of today
        (``again``: with it too), no objection to profiling."""
        return SQL(
            """t.last_purchase > %s AND (r.date IS NULL OR r.date < %s OR %s)
               AND NOT COALESCE(p.crm_profiling_opt_out, FALSE)""",
            today - relativedelta(months=company.churn_active_months),
            today,
            again,
        )

    @api.model
    def _signal_rows(self, company, partner_ids, today):
        """(partner_id, salesperson, purchase days, first purchase, last purchase, open complaints, negative
        tickets, SLA breaches, detractor date, P(alive), expected purchases, horizon months, whether the customer
        has a risk row, flagged date, holdout, overdue amount, oldest overdue due date) of these customers, one
        query; the BG/NBD columns are NULL unless predicted; the overdue amount is the open receivable of posted
        customer invoices past due in the company (0 and no date when none)."""
        return self.env.execute_query(self._signal_query(company, today, partner_ids=partner_ids))

    @api.model
    def _signal_query(self, company, today, partner_ids=None, pending=False, again=False):
        """SQL of the signal rows (see ``_signal_rows``) of these customers, or (``pending``) of every pending
        customer of the company (see ``_pending_partner_ids``): each customer's figures, tickets, NPS
        answers, prediction and current risk, with the customer's salesperson."""
        Fact = self.env["crm.sales.fact"]
        partners = self.env["res.partner"].browse(partner_ids) if partner_ids is not None else None
        totals = Fact._customer_totals_sql(
            ["purchase_days", "first_purchase", "last_purchase"], company, partners, None, today
        )
        self.flush_model()
        self.env["res.partner"].flush_model(["user_id", "crm_profiling_opt_out"])
        for model in ("crm.feedback.ticket", "crm.feedback.nps", "crm.rfm.score"):
            self.env[model].flush_model()
        Score = self.env["crm.rfm.score"]
        # the predictions come with the optional addon CRM Segmentation CLV (numpy, scipy)
        if {"prob_alive", "expected_purchases_12m", "clv_horizon_months", "predicted_at"} <= set(Score._fields):
            # as floats (the numbers Odoo's numeric adapter would make, without its per-value conversion)
            predictions = SQL("s.prob_alive::float8, s.expected_purchases_12m::float8, s.clv_horizon_months")
            scores = SQL(
                "LEFT JOIN crm_rfm_score s ON s.partner_id = t.partner_id AND s.company_id = t.company_id"
                " AND s.predicted_at IS NOT NULL"
            )
        else:
            predictions, scores = SQL("NULL::float8, NULL::float8, NULL::int"), SQL("")
        # the receivables: accounting's own figures (their ORM read_group's conditions)
        self.env["account.move.line"].flush_model(
            ["partner_id", "company_id", "parent_state", "account_id", "reconciled", "date_maturity", "move_id"]
        )
        self.env["account.move.line"].flush_model(["amount_residual"])
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.account"].flush_model(["account_type"])
        if partner_ids is not None:
            ids = pg_array(partner_ids)
            among = SQL("AND commercial_partner_id = ANY(%s::int[])", ids)
            among_lines = SQL("AND aml.partner_id = ANY(%s::int[])", ids)
        else:
            among = among_lines = SQL()
        where = SQL("WHERE %s", self._pending_where(company, today, again)) if pending else SQL()
        since = today - timedelta(days=SIGNAL_DAYS)
        return SQL(
            """
            WITH t AS (%(totals)s),
                 tk AS (
                    SELECT commercial_partner_id AS partner_id,
                           COUNT(*) FILTER (WHERE ticket_type = 'complaint' AND NOT COALESCE(is_closed, FALSE))
                               AS complaints,
                           COUNT(*) FILTER (WHERE sentiment = 'negative' AND date_open >= %(since)s) AS negative,
                           COUNT(*) FILTER (WHERE sla_breached AND date_open >= %(since)s) AS breaches
                      FROM crm_feedback_ticket
                     WHERE company_id = %(company)s %(among)s
                  GROUP BY 1),
                 nps AS (
                    SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id AS partner_id, date, score_class
                      FROM crm_feedback_nps
                     WHERE company_id = %(company)s %(among)s AND date >= %(nps_since)s
                  ORDER BY commercial_partner_id, date DESC, id DESC),
                 od AS (
                    SELECT aml.partner_id, SUM(aml.amount_residual) AS amount, MIN(aml.date_maturity) AS oldest
                      FROM account_move_line aml
                      JOIN account_move m ON m.id = aml.move_id
                     WHERE aml.company_id = %(company)s %(among_lines)s AND aml.parent_state = 'posted'
                       AND aml.account_id IN (SELECT id FROM account_account WHERE account_type = 'asset_receivable')
                       AND NOT COALESCE(aml.reconciled, FALSE) AND aml.date_maturity < %(today)s
                       AND m.move_type = 'out_invoice'
                  GROUP BY aml.partner_id)
            SELECT t.partner_id, p.user_id, t.purchase_days, t.first_purchase, t.last_purchase,
                   COALESCE(tk.complaints, 0), COALESCE(tk.negative, 0), COALESCE(tk.breaches, 0),
                   CASE WHEN nps.score_class = 'detractor' THEN nps.date END,
                   %(predictions)s, r.id IS NOT NULL, r.flagged_date, COALESCE(r.holdout, FALSE),
                   (CASE WHEN od.amount > 0 THEN od.amount ELSE 0 END)::float8,
                   CASE WHEN od.amount > 0 THEN od.oldest END
              FROM t
              JOIN res_partner p ON p.id = t.partner_id
         LEFT JOIN tk ON tk.partner_id = t.partner_id
         LEFT JOIN nps ON nps.partner_id = t.partner_id
         LEFT JOIN od ON od.partner_id = t.partner_id
         LEFT JOIN crm_churn_risk r ON r.partner_id = t.partner_id AND r.company_id = t.company_id
                   %(scores)s
                   %(where)s
            """,
            totals=totals,
            since=since,
            nps_since=today - timedelta(days=NPS_DAYS),
            company=company.id,
            among=among,
            among_lines=among_lines,
            today=today,
            predictions=predictions,
            scores=scores,
            where=where,
        )

    @api.model
    def _compute_batch(self, company, partner_ids, today):
        """Compute and write today's risk of these customers of ``company`` (``_write_rows``). Returns their count."""
        return self._write_rows(company, self._signal_rows(company, partner_ids, today), today)

    @api.model
    def _write_rows(self, company, rows, today):
        """Compute and write today's risk of the customers of these signal rows. Returns their count.

        The customers without a row (the first computation) are copied in while they are computed
        (``_copy_rows``: PostgreSQL inserts a chunk while Python computes the next, on two cores; no speculative
        insertion of the upsert, no arrays to parse: bench/RESULTS.md); the others are updated, and all of them
        upserted if a concurrent computation inserted one of the new ones meanwhile (``_write_batch``)."""
        if not rows:
            return 0
        records = {False: [], True: []}  # the rows to insert, the rows to update
        computed = self._risk_records(company, rows, today, records)
        self.flush_model()
        if not all(row[KNOWN] for row in rows):
            try:
                with self.env.cr.savepoint(flush=False):
                    self._copy_rows(company, today, computed)
            except psycopg2.errors.UniqueViolation:
                # rolled back: every row upserted below
                _logger.info("Churn risks of %s: rows inserted by a concurrent computation, upserted", company.name)
            else:
                records[False] = []
                self.invalidate_model()
        # the rows the COPY did not consume: all of them when every customer has a row, the rest after a conflict
        for _record in computed:
            pass
        for known, values in records.items():
            if values:
                # the rows' values by column, in the order of COLUMNS (one transposition in C)
                cols = dict(zip(COLUMNS, map(list, zip(*values, strict=True)), strict=True))
                self._write_batch(company, today, cols, update=known)
        return len(rows)

    @api.model
    def _risk_records(self, company, rows, today, records):
        """Compute the risk of the customers of these signal rows: each row of values (in the order of COLUMNS)
        is appended to ``records[known]`` (``known``: the customer has a row already) and, for a customer
        without a row, yielded."""
        threshold, share = company.churn_risk_threshold, company.churn_holdout_percent
        save_window = timedelta(days=company.churn_save_days)
        usual_gap, gap_ratio, risk_score = churn.usual_gap, churn.gap_ratio, churn.risk_score
        for (
            partner_id,
            user_id,
            purchase_days,
            first,
            last,
            complaints,
            negative,
            breaches,
            detractor,
            alive,
            expected,
            horizon,
            known,
            flagged,
            holdout,
            amount,
            oldest,
        ) in rows:
            gap = usual_gap(purchase_days, first, last)
            ratio = gap_ratio(last, gap, today)
            overdue_days = (today - oldest).days if oldest else 0
            score = risk_score(
                ratio, alive, complaints, negative, breaches, detractor is not None, amount, overdue_days
            )
            at_risk = score >= threshold
            # a new episode when first flagged, or flagged again once the last one's save window is over and
            # the customer has bought since
            if at_risk and (not flagged or (last > flagged and today > flagged + save_window)):
                flagged, holdout = today, churn.in_holdout(partner_id, company.id, share)
            bgnbd = None
            if expected and horizon:
                bgnbd = today + timedelta(days=round(horizon * AVG_MONTH_DAYS / expected))
            record = (
                partner_id,
                user_id,
                score,
                at_risk,
                purchase_days,
                last,
                round(gap, 2) if gap else None,
                round(ratio, 3) if ratio is not None else None,
                last + timedelta(days=round(gap)) if gap else None,
                bgnbd,
                alive is not None,
                alive,
                complaints,
                negative,
                breaches,
                detractor,
                amount,
                overdue_days,
                flagged,
                holdout,
            )
            records[known].append(record)
            if not known:
                yield record

    @api.model
    def _write_batch(self, company, today, cols, update=False):
        """The one SQL write of the table: upsert the batch's rows (measured: one statement for 20,000 rows
        instead of 20,000 ORM writes); a new episode (a new flag date) clears the last one's actions.
        ``update``: the rows exist (read with the signals): a plain update, no speculative insertion."""

        def array(name):
            if name in DATE_COLUMNS:
                return SQL("%s::date[]", pg_date_array(cols[name]))
            if name in BOOL_COLUMNS:
                return SQL("%s::bool[]", pg_bool_array(cols[name]))
            kind = "float8" if name in FLOAT_COLUMNS else "int"
            return SQL("%s::%s[]", pg_array(cols[name]), SQL(kind))

        names = list(cols)
        self.flush_model()
        if update:
            new_episode = SQL("(v.flagged_date IS DISTINCT FROM r.flagged_date)")
            self.env.cr.execute(
                SQL(
                    """
            UPDATE crm_churn_risk r SET
                   date = %(today)s, %(updates)s,
                   treated = r.treated AND NOT %(new_episode)s,
                   activity_date = CASE WHEN %(new_episode)s THEN NULL ELSE r.activity_date END,
                   activity_user_id = CASE WHEN %(new_episode)s THEN NULL ELSE r.activity_user_id END,
                   points_entry_id = CASE WHEN %(new_episode)s THEN NULL ELSE r.points_entry_id END,
                   points_offered = CASE WHEN %(new_episode)s THEN NULL ELSE r.points_offered END
              FROM unnest(%(arrays)s) AS v(%(columns)s)
             WHERE r.partner_id = v.partner_id AND r.company_id = %(company)s
                """,
                    columns=SQL(", ").join(SQL.identifier(n) for n in names),
                    arrays=SQL(", ").join(array(n) for n in names),
                    updates=SQL(", ").join(SQL("%s = v.%s", SQL.identifier(n), SQL.identifier(n)) for n in names[1:]),
                    new_episode=new_episode,
                    company=company.id,
                    today=today,
                )
            )
            self.invalidate_model()
            return
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO crm_churn_risk (company_id, date, treated, %(columns)s)
                 SELECT %(company)s, %(today)s, FALSE, %(values)s
                   FROM unnest(%(arrays)s) AS v(%(columns)s)
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                   date = EXCLUDED.date, %(updates)s,
                   treated = crm_churn_risk.treated AND NOT %(new_episode)s,
                   activity_date = CASE WHEN %(new_episode)s THEN NULL ELSE crm_churn_risk.activity_date END,
                   activity_user_id = CASE WHEN %(new_episode)s THEN NULL ELSE crm_churn_risk.activity_user_id END,
                   points_entry_id = CASE WHEN %(new_episode)s THEN NULL ELSE crm_churn_risk.points_entry_id END,
                   points_offered = CASE WHEN %(new_episode)s THEN NULL ELSE crm_churn_risk.points_offered END
            """,
                columns=SQL(", ").join(SQL.identifier(n) for n in names),
                values=SQL(", ").join(SQL("v.%s", SQL.identifier(n)) for n in names),
                arrays=SQL(", ").join(array(n) for n in names),
                updates=SQL(", ").join(
                    SQL("%s = EXCLUDED.%s", SQL.identifier(n), SQL.identifier(n)) for n in names[1:]
                ),
                new_episode=SQL("(EXCLUDED.flagged_date IS DISTINCT FROM crm_churn_risk.flagged_date)"),
                company=company.id,
                today=today,
            )
        )
        self.invalidate_model()

    @api.model
    def _copy_rows(self, company, today, records):
        """Insert these rows of values (an iterable, in the order of COLUMNS) by ``COPY``, read chunk by chunk as
        PostgreSQL inserts the chunk before. The values are written as the upsert's casts store them: a float
        as its 15 significant digits (what ``float8`` to ``numeric`` keeps), so that the rows are the same
        whichever way they are written."""
        head = f"{company.id}\t{today.isoformat()}\tf\t"
        kinds = [
            "date"
            if name in DATE_COLUMNS
            else "bool"
            if name in BOOL_COLUMNS
            else "float"
            if name in FLOAT_COLUMNS
            else ""
            for name in COLUMNS
        ]
        records = iter(records)

        def text(chunk):
            fields_text = []
            for kind, part in zip(kinds, zip(*chunk, strict=True), strict=True):
                if kind == "date":
                    fields_text.append([NULL if value is None else value.isoformat() for value in part])
                elif kind == "bool":
                    fields_text.append([NULL if value is None else "t" if value else "f" for value in part])
                elif kind == "float":
                    fields_text.append([NULL if value is None else f"{value:.15g}" for value in part])
                else:
                    fields_text.append([NULL if value is None or value is False else str(value) for value in part])
            return "".join(f"{head}{line}\n" for line in map("\t".join, zip(*fields_text, strict=True)))

        def next_chunk(_size=-1):
            # what psycopg2's copy_expert reads: the next chunk of rows, computed when asked for
            chunk = list(itertools.islice(records, COPY_CHUNK))
            return text(chunk) if chunk else ""

        columns = ", ".join(("company_id", "date", "treated", *COLUMNS))
        # as Odoo's own COPY (models.py, the external ids): no asynchronous wait callback during a COPY
        callback = psycopg2.extensions.get_wait_callback()
        psycopg2.extensions.set_wait_callback(None)
        try:
            self.env.cr.copy_expert(
                f"COPY crm_churn_risk ({columns}) FROM STDIN", SimpleNamespace(read=next_chunk, readline=next_chunk)
            )
        finally:
            psycopg2.extensions.set_wait_callback(callback)
