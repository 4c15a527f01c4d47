import statistics

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, format_amount, format_date

from odoo.addons.crm_customer_facts.tools.sql import pg_array, pg_bool_array

VALUE_CLASSES = [("high", "High value"), ("medium", "Medium value"), ("low", "Low value"), ("none", "No profit")]
WEEK = 7.0


class CrmRfmScore(models.Model):
    """RFM scores, value class and predicted churn / lifetime value of one customer in one company.

    Rows are written in bulk by ``_recompute`` (one SQL statement per company); users read them.
    """

    _name = "crm.rfm.score"
    _description = "Customer RFM Score"
    _order = "company_id, monetary desc, id"
    _rec_name = "partner_id"

    # no index of its own: the unique (partner_id, company_id) index serves lookups by customer
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    first_purchase_date = fields.Date(readonly=True)
    last_purchase_date = fields.Date(readonly=True)
    recency = fields.Integer(
        string="Recency (days)",
        compute="_compute_recency",
        search="_search_recency",
        help="Days since the last purchase, as of today.",
    )
    frequency = fields.Integer(readonly=True, aggregator="avg")
    monetary = fields.Monetary(readonly=True, help="Net untaxed invoiced amount in the window (credit notes deducted).")
    r_score = fields.Integer(string="R", readonly=True, aggregator="avg")
    f_score = fields.Integer(string="F", readonly=True, aggregator="avg")
    m_score = fields.Integer(string="M", readonly=True, aggregator="avg")
    fm_score = fields.Integer(string="FM", readonly=True, aggregator="avg")
    rfm_code = fields.Char(string="RFM", readonly=True, index=True)
    segment_id = fields.Many2one("crm.rfm.segment", string="RFM Segment", readonly=True, index=True)
    value_amount = fields.Monetary(
        string="Contribution", readonly=True, help="Net revenue, or gross margin when the ERP bridge is installed."
    )
    value_class = fields.Selection(VALUE_CLASSES, readonly=True, index=True)
    value_decile = fields.Integer(readonly=True, aggregator=False, help="1 = the top 10% of customers by contribution.")
    prob_alive = fields.Float(
        string="Probability Active",
        readonly=True,
        aggregator="avg",
        digits=(16, 3),
        help="BG/NBD: the probability that the customer still buys. A customer who bought only once cannot "
        "have dropped out after a purchase in this model, so a one-time buyer reads 100% however long the "
        "silence: such customers appear in Likely Churning by a rule instead, once silent for longer than "
        "the company's typical repeat gap.",
    )
    churn_probability = fields.Float(
        compute="_compute_churn",
        digits=(16, 3),
        aggregator="avg",
        help="1 - Probability Active; empty until predicted (the reason is shown instead).",
    )
    expected_purchases_12m = fields.Float(
        string="Expected Purchases", readonly=True, digits=(16, 2), help="Purchases expected over the CLV horizon."
    )
    clv_12m = fields.Monetary(
        string="Predicted CLV",
        readonly=True,
        help="Predicted lifetime value on contribution over the CLV horizon: the expected purchases of each "
        "month times the expected net revenue of a purchase (Gamma-Gamma on the mean of the repeat purchases) "
        "times the customer's contribution margin, discounted to today at the CLV discount rate. Negative for "
        "a customer who is sold to at a loss.",
    )
    clv_horizon_months = fields.Integer(string="CLV Horizon (months)", readonly=True, aggregator=False)
    clv_discount_rate = fields.Float(string="CLV Discount Rate (% a year)", readonly=True, aggregator=False)
    predicted_at = fields.Datetime(string="Predicted On", readonly=True)
    prediction_note = fields.Char(
        compute="_compute_prediction_note", help="Why churn and lifetime value are not predicted for this customer."
    )
    one_time_buyer = fields.Boolean(
        readonly=True, help="A single day with posted invoices in the customer's whole history."
    )
    likely_churning = fields.Boolean(
        compute="_compute_likely_churning",
        search="_search_likely_churning",
        help="Predicted probability active below 50%, or a one-time buyer silent for longer than the "
        "company's typical repeat gap.",
    )
    computed_at = fields.Datetime(string="Scores Changed On", readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "UNIQUE(partner_id, company_id)", "One score per customer and company.")
    ]

    def init(self):
        # Every night the predictions (churn, CLV: not indexed) of every score change. On full pages each
        # new row version goes to another page with an entry in each of the table's 6 indexes; with room
        # left in the page PostgreSQL updates in place without touching the indexes (a HOT update).
        # Measured at full scale (84,300 scores): the update of every prediction 1.48 s -> 0.33 s.
        self.env.cr.execute(
            "SELECT 1 FROM pg_class WHERE oid = 'crm_rfm_score'::regclass AND 'fillfactor=50' = ANY(reloptions)"
        )
        if not self.env.cr.rowcount:
            self.env.cr.execute("ALTER TABLE crm_rfm_score SET (fillfactor = 50)")

    @api.depends("last_purchase_date")
    @api.depends_context("tz")
    def _compute_recency(self):
        today = fields.Date.context_today(self)
        for score in self:
            score.recency = (today - score.last_purchase_date).days if score.last_purchase_date else 0

    def _search_recency(self, operator, value):
        # more days since the last purchase = an earlier last purchase date
        flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}
        if operator not in flipped or not isinstance(value, int):
            raise UserError(_("Recency can only be compared with a number of days."))
        day = fields.Date.context_today(self) - relativedelta(days=value)
        return [("last_purchase_date", flipped[operator], day)]

    @api.depends("prob_alive", "predicted_at")
    def _compute_churn(self):
        for score in self:
            # never predicted: unknown, not "certain to churn"
            score.churn_probability = 1.0 - score.prob_alive if score.predicted_at else False

    @api.depends("predicted_at", "company_id.clv_prediction_note", "company_id.clv_predicted_at")
    def _compute_prediction_note(self):
        for score in self:
            if score.predicted_at:
                score.prediction_note = False
            elif score.company_id.clv_prediction_note:
                score.prediction_note = score.company_id.clv_prediction_note
            elif score.company_id.clv_predicted_at:
                score.prediction_note = _("No posted invoice to predict from.")
            else:
                score.prediction_note = _("Not predicted yet: the next recompute predicts churn and lifetime value.")

    @api.depends(
        "prob_alive", "predicted_at", "one_time_buyer", "last_purchase_date", "company_id.clv_typical_gap_days"
    )
    @api.depends_context("tz")
    def _compute_likely_churning(self):
        today = fields.Date.context_today(self)
        for score in self:
            gap = score.company_id.clv_typical_gap_days
            score.likely_churning = bool(
                (score.predicted_at and score.prob_alive < 0.5)
                or (
                    score.one_time_buyer
                    and gap
                    and score.last_purchase_date
                    and (today - score.last_purchase_date).days > gap
                )
            )

    def _search_likely_churning(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Likely Churning can only be compared with true or false."))
        today = fields.Date.context_today(self)
        # the model: predicted (never-predicted rows hold no probability) and probably gone
        domains = [[("predicted_at", "!=", False), ("prob_alive", "<", 0.5)]]
        # the rule: one-time buyers silent for longer than their company's typical repeat gap
        for company in self.env.companies.filtered("clv_typical_gap_days"):
            domains.append(
                [
                    ("company_id", "=", company.id),
                    ("one_time_buyer", "=", True),
                    ("last_purchase_date", "<", today - relativedelta(days=int(company.clv_typical_gap_days))),
                ]
            )
        domain = expression.OR(domains)
        return domain if (operator == "=") == value else ["!", *domain]

    # ------------------------------------------------------------------ recompute
    def action_schedule_followups(self):
        """From the dashboard or the analysis list: a follow-up for every selected customer's salesperson."""
        segments = ", ".join(sorted({name for name in self.segment_id.mapped("name") if name}))
        return self.partner_id._crm_schedule_followups(
            _("Follow up: %(segment)s", segment=segments) if segments else _("Follow up")
        )

    def action_recompute(self):
        """Button: recompute the scores, snapshots, churn and lifetime value of the current companies."""
        self.check_access("read")
        # sudo: bulk write of a technical table, and of the last fit on the companies, for the allowed companies
        scores_sudo = self.sudo()
        scores_sudo._recompute_and_predict(self.env.companies)
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _cron_recompute(self):
        self._recompute_and_predict(self.env["res.company"].search([]))

    @api.model
    def _recompute_and_predict(self, companies, today=None):
        """One run keeps scores and predictions consistent: the scores, then churn and lifetime value refitted
        on the same day, so that no score is left with a prediction of another set of customers."""
        today = today or fields.Date.context_today(self)
        self._recompute(companies, today)
        # the run's environment (superuser for the cron and the button) records the fit on the companies
        for company in companies.with_env(self.env):
            self._predict(company, today)

    @api.model
    def _window(self, company, today):
        return today - relativedelta(months=company.rfm_window_months), today

    @api.model
    def _recompute(self, companies, today=None):
        today = today or fields.Date.context_today(self)
        self.flush_model()
        self.env["res.partner"].flush_model(["crm_profiling_opt_out"])
        self.env["crm.rfm.snapshot"].flush_model()
        now = fields.Datetime.now()
        month = today.replace(day=1)
        for company in companies:
            date_from, date_to = self._window(company, today)
            # the month's first run writes every customer's snapshot; later runs only those that changed
            self.env.cr.execute(
                SQL("SELECT 1 FROM crm_rfm_snapshot WHERE company_id = %s AND month = %s LIMIT 1", company.id, month)
            )
            month_started = bool(self.env.cr.rowcount)
            self.env.cr.execute(
                self._rfm_upsert_sql(company, date_from, date_to, now, month if month_started else None)
            )
            if not month_started:
                self._snapshot(company, today)
        self.invalidate_model()
        self.env["crm.rfm.snapshot"].invalidate_model()

    @api.model
    def _rfm_upsert_sql(self, company, date_from, date_to, now, snapshot_month=None):
        """One statement per company: aggregate the customers' daily sales facts, score by rank (equal
        values share a score), map to segments, classify by contribution, upsert the customers whose scores
        changed, delete the scores of customers without purchases in the window and, given
        ``snapshot_month``, update the month's snapshot of the customers that changed and delete the month's
        snapshot of the customers no longer scored.

        Value classes: high = top 20% of customers by contribution, medium = next 30%, low = the rest with
        a positive contribution, none = no profit; deciles feed the Pareto curve.
        """
        columns = [
            "first_purchase_date", "last_purchase_date", "frequency", "monetary", "r_score", "f_score", "m_score",
            "fm_score", "rfm_code", "segment_id", "value_amount", "value_decile", "value_class",
        ]  # fmt: skip
        compared = [c for c in columns if c not in ("rfm_code", "fm_score")]
        snapshot = SQL("SELECT COUNT(*) FROM upsert")
        unsnapshot = SQL()
        if snapshot_month:
            # the snapshot's own statements (crm.rfm.snapshot owns its table), run in this statement: the
            # customers who changed are upserted, those no longer scored leave the month's transition matrix
            Snapshot = self.env["crm.rfm.snapshot"]
            snapshot = Snapshot._upsert_sql(
                SQL("SELECT partner_id, segment_id, rfm_code FROM upsert"), company, snapshot_month, now
            )
            unsnapshot = SQL(
                ", unsnapshot AS (%s)",
                Snapshot._delete_sql(company, snapshot_month, SQL("SELECT partner_id FROM gone")),
            )
        return SQL(
            """
            WITH agg AS (
                -- the customers' totals over the window, read through the facts' API
                SELECT t.partner_id, t.first_purchase AS first_date, t.last_purchase AS last_date,
                       t.invoice_count AS frequency, t.net_revenue AS monetary, t.contribution AS amount
                  FROM (%(totals)s) t
                 WHERE t.invoice_count > 0
                   -- customers who objected to profiling are not scored: their rows go with the stale ones
                   AND NOT EXISTS (SELECT FROM res_partner op WHERE op.id = t.partner_id AND op.crm_profiling_opt_out)
            ), r_hist AS (
                -- few distinct purchase dates and counts: their cumulated histogram replaces a sort
                SELECT last_date AS v, SUM(COUNT(*)) OVER (ORDER BY last_date) AS cum FROM agg GROUP BY last_date
            ), f_hist AS (
                SELECT frequency AS v, SUM(COUNT(*)) OVER (ORDER BY frequency) AS cum FROM agg GROUP BY frequency
            ), cut AS MATERIALIZED (
                -- scores by rank without sorting the customers four times: a customer's rank is 1 + the
                -- number of customers below it, so its score passes k + 1 when its value exceeds the value
                -- at sorted position ceil(k * n / 5), read once per dimension
                SELECT n, %(r_cuts)s, %(f_cuts)s, %(m_cuts)s, %(v_cuts)s
                  FROM (SELECT COUNT(*) AS n,
                               ARRAY_AGG(monetary ORDER BY monetary) AS m,
                               -- contribution: position in (amount DESC, partner) order, no ties
                               ARRAY_AGG(amount ORDER BY amount DESC, partner_id) AS va,
                               ARRAY_AGG(partner_id ORDER BY amount DESC, partner_id) AS vp
                          FROM agg) sorted
            ), scored AS (
                SELECT agg.*, cut.n,
                       1 + %(r_score)s AS r_score, 1 + %(f_score)s AS f_score, 1 + %(m_score)s AS m_score,
                       1 + %(v_decile)s AS value_decile,
                       %(v_after_2)s AS below_high, %(v_after_5)s AS below_medium
                  FROM agg CROSS JOIN cut
            ), segment_map AS (
                -- the 25 cells of the R x FM grid, each mapped once to the first matching segment
                SELECT r.r_score, fm.fm_score,
                       (SELECT seg.id FROM crm_rfm_segment seg
                         WHERE r.r_score BETWEEN seg.r_min AND seg.r_max
                           AND fm.fm_score BETWEEN seg.fm_min AND seg.fm_max
                      ORDER BY seg.sequence, seg.id LIMIT 1) AS segment_id
                  FROM generate_series(1, 5) r(r_score) CROSS JOIN generate_series(1, 5) fm(fm_score)
            ), new AS (
                SELECT s.partner_id, s.first_date AS first_purchase_date, s.last_date AS last_purchase_date,
                       s.frequency, s.monetary, s.r_score, s.f_score, s.m_score, fm.score AS fm_score,
                       s.r_score::text || s.f_score::text || s.m_score::text AS rfm_code, map.segment_id,
                       s.amount AS value_amount, s.value_decile,
                       CASE WHEN s.amount <= 0 THEN 'none'
                            WHEN NOT s.below_high THEN 'high'
                            WHEN NOT s.below_medium THEN 'medium'
                            ELSE 'low' END AS value_class
                  FROM scored s
                 CROSS JOIN LATERAL (SELECT (s.f_score + s.m_score + 1) / 2 AS score) fm
                  LEFT JOIN segment_map map ON map.r_score = s.r_score AND map.fm_score = fm.score
            ), diff AS (
                -- one pass over the company's current rows: new, changed and stale customers; most customers'
                -- scores do not move from one night to the next and their rows are left as they are
                SELECT new.*, old.id AS old_id
                  FROM new FULL JOIN (SELECT id, partner_id, %(compared)s FROM crm_rfm_score
                                       WHERE company_id = %(company)s) old
                    ON old.partner_id = new.partner_id
                 WHERE new.partner_id IS NULL OR old.id IS NULL OR (%(current)s) IS DISTINCT FROM (%(excluded)s)
            ), upsert AS (
                INSERT INTO crm_rfm_score (
                    partner_id, company_id, %(columns)s, computed_at, create_uid, create_date, write_uid, write_date)
                SELECT partner_id, %(company)s, %(columns)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM diff WHERE partner_id IS NOT NULL
                ON CONFLICT (partner_id, company_id) DO UPDATE SET
                    %(updates)s, computed_at = EXCLUDED.computed_at,
                    write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
             RETURNING partner_id, segment_id, rfm_code
            ), gone AS (
                DELETE FROM crm_rfm_score WHERE id IN (SELECT old_id FROM diff WHERE partner_id IS NULL)
             RETURNING partner_id
            )%(unsnapshot)s
            %(snapshot)s
            """,
            company=company.id,
            date_from=date_from,
            date_to=date_to,
            now=now,
            uid=self.env.uid,
            totals=self.env["crm.sales.fact"]._customer_totals_sql(
                ["first_purchase", "last_purchase", "invoice_count", "net_revenue", "contribution"],
                companies=company,
                date_from=date_from,
                date_to=date_to,
                extra_rows=self._pending_orders_sql(company, date_from, date_to),
            ),
            **self._rank_cut_sql(),
            columns=SQL(", ").join(SQL.identifier(c) for c in columns),
            updates=SQL(", ").join(SQL("%s = EXCLUDED.%s", SQL.identifier(c), SQL.identifier(c)) for c in columns),
            # rfm_code and fm_score follow from the R, F and M scores: not compared
            compared=SQL(", ").join(SQL.identifier(c) for c in compared),
            current=SQL(", ").join(SQL("old.%s", SQL.identifier(c)) for c in compared),
            excluded=SQL(", ").join(SQL("new.%s", SQL.identifier(c)) for c in compared),
            snapshot=snapshot,
            unsnapshot=unsnapshot,
        )

    @api.model
    def _pending_orders_sql(self, company, date_from, date_to):
        """Confirmed sale orders of the window without a posted invoice, as daily rows (partner_id,
        company_id, date, invoice_count, net_revenue, contribution) counted with the facts when the company
        counts them (read live: an order's invoicing state changes without a write on the order); None
        otherwise."""
        if not company.rfm_count_sale_orders:
            return None
        self.env["sale.order"].flush_model()
        self.env["sale.order.line"].flush_model()
        self.env["account.move.line"].flush_model(["parent_state"])
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id, so.company_id, so.date_order::date AS date,
                   1 AS invoice_count,
                   (so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))::numeric AS net_revenue,
                   0 AS contribution
              FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.company_id = %s AND so.state = 'sale'
               AND so.date_order::date > %s AND so.date_order::date <= %s
               AND NOT EXISTS (SELECT FROM sale_order_line sol
                                 JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                                 JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                                WHERE sol.order_id = so.id AND aml.parent_state = 'posted')""",
            company.id,
            date_from,
            date_to,
        )

    @api.model
    def _rank_cut_sql(self):
        """The pieces of ``_rfm_upsert_sql`` that turn sorted arrays into scores, all integer arithmetic.

        Score = min(5, 1 + floor(5 * (rank - 1) / n)) with rank = 1 + the customers strictly below, so the
        score exceeds k exactly when the value exceeds the one at position ceil(k * n / 5): equal values
        share a score. Decile = min(10, 1 + floor(10 * (pos - 1) / n)) exceeds k exactly when the customer
        comes after position ceil(k * n / 10) of the contribution order.
        """

        def cuts(array, name, parts):
            return SQL(", ").join(
                SQL(
                    "%s[(%s * n + %s) / %s] AS %s",
                    SQL.identifier(array),
                    k,
                    parts - 1,
                    parts,
                    SQL.identifier(f"{name}{k}"),
                )
                for k in range(1, parts)
            )

        def score(column, name):
            return SQL(" + ").join(
                SQL("(agg.%s > cut.%s)::int", SQL.identifier(column), SQL.identifier(f"{name}{k}")) for k in range(1, 5)
            )

        def after(k):
            return SQL(
                "(agg.amount < cut.%(a)s OR (agg.amount = cut.%(a)s AND agg.partner_id > cut.%(p)s))",
                a=SQL.identifier(f"va{k}"),
                p=SQL.identifier(f"vp{k}"),
            )

        def hist_cuts(hist, name):
            return SQL(", ").join(
                SQL(
                    "(SELECT MIN(v) FROM %s WHERE cum >= (%s * n + 4) / 5) AS %s",
                    SQL.identifier(hist),
                    k,
                    SQL.identifier(f"{name}{k}"),
                )
                for k in range(1, 5)
            )

        return {
            "r_cuts": hist_cuts("r_hist", "r"),
            "f_cuts": hist_cuts("f_hist", "f"),
            "m_cuts": cuts("m", "m", 5),
            "v_cuts": SQL("%s, %s", cuts("va", "va", 10), cuts("vp", "vp", 10)),
            "r_score": score("last_date", "r"),
            "f_score": score("frequency", "f"),
            "m_score": score("monetary", "m"),
            "v_decile": SQL(" + ").join(SQL("%s::int", after(k)) for k in range(1, 10)),
            "v_after_2": after(2),
            "v_after_5": after(5),
        }

    # ------------------------------------------------------------------ value classes
    @api.model
    def _pareto_share(self, company):
        """Share of the total contribution brought by the top 20% of customers."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(value_amount) FILTER (WHERE value_class = 'high'), 0),
                      COALESCE(SUM(value_amount), 0)
                 FROM crm_rfm_score WHERE company_id = %s""",
                company.id,
            )
        )
        top, total = self.env.cr.fetchone()
        return top / total if total else 0.0

    # ------------------------------------------------------------------ snapshots
    @api.model
    def _snapshot(self, company, today):
        """The month's snapshot of every scored customer of the company."""
        rows = SQL("SELECT partner_id, segment_id, rfm_code FROM crm_rfm_score WHERE company_id = %s", company.id)
        self.env.cr.execute(
            self.env["crm.rfm.snapshot"]._upsert_sql(rows, company, today.replace(day=1), fields.Datetime.now())
        )

    # ------------------------------------------------------------------ churn and lifetime value
    @api.model
    def _clv_inputs(self, company, today, partners=None):
        """Per customer (of ``partners``, every customer by default), from the facts' API up to ``today``:
        (partner_id, repeat purchases x = purchase days - 1, t_x and T in weeks, m = mean net revenue of the
        repeat purchases, margin).

        m is the mean net revenue of the purchase days after the first (Gamma-Gamma models the repeat
        purchases: a large first order does not make every later one large), 0 for a one-time buyer. margin
        is the customer's contribution margin: the contribution over the net revenue, both summed over all
        the customer's days, so that costs booked on another day than the invoice count; 0 when the net
        revenue is not positive (nothing to apply a margin to). The lifetime value is on contribution:
        expected purchases x expected net revenue of a purchase x margin (crm_segmentation_clv)."""
        totals = self.env["crm.sales.fact"]._customer_totals_sql(
            ["purchase_days", "first_purchase", "last_purchase", "repeat_net_revenue", "net_revenue", "contribution"],
            companies=company,
            partners=partners,
            date_to=today,
        )
        self.env["res.partner"].flush_model(["crm_profiling_opt_out"])
        self.env.cr.execute(
            SQL(
                """
            SELECT t.partner_id, t.purchase_days - 1,
                   (t.last_purchase - t.first_purchase) / 7.0,
                   (%(today)s::date - t.first_purchase) / 7.0,
                   CASE WHEN t.purchase_days > 1 THEN t.repeat_net_revenue / (t.purchase_days - 1) ELSE 0 END,
                   CASE WHEN t.net_revenue > 0 THEN t.contribution / t.net_revenue ELSE 0 END
              FROM (%(totals)s) t
             WHERE t.purchase_days > 0
               -- customers who objected to profiling are neither predicted nor used to fit the models
               AND NOT EXISTS (SELECT FROM res_partner op WHERE op.id = t.partner_id AND op.crm_profiling_opt_out)
            """,
                today=today,
                totals=totals,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _predict(self, company, today=None):
        """Churn and lifetime value of the company's customers: the company's typical repeat gap, then the
        one-time buyers and the predictions of ``_predict_clv``."""
        today = today or fields.Date.context_today(self)
        rows = self._clv_inputs(company, today)
        self._set_typical_gap(company, rows)
        self._predict_clv(company, rows, today)

    @api.model
    def _predict_clv(self, company, rows, today):
        """Predict churn and lifetime value from ``rows`` (``_clv_inputs``) and write them on the scores with
        the one-time buyers (``_write_one_time_buyers``).

        The models (BG/NBD and Gamma-Gamma) need scientific Python libraries: the addon crm_segmentation_clv,
        installed automatically when they are present, overrides this. Without it nothing is predicted
        (predictions made before stay) and the companies say why; the churn rule on one-time buyers works
        all the same."""
        self._write_one_time_buyers(company, rows)
        company.clv_prediction_note = _(
            "Churn and lifetime value are not predicted: the addon CRM Segmentation CLV (which needs scientific "
            "Python libraries) is not installed."
        )

    @api.model
    def _set_typical_gap(self, company, rows):
        """The company's typical repeat gap from ``rows`` (``_clv_inputs``): the median over repeat buyers of
        their mean days between purchase days (no model needed)."""
        gaps = [float(row[2]) * WEEK / float(row[1]) for row in rows if row[1] > 0]
        company.clv_typical_gap_days = round(statistics.median(gaps)) if gaps else 0

    @api.model
    def _write_one_time_buyers(self, company, rows):
        """The one-time buyers among the company's scores, from ``rows`` (``_clv_inputs``); only the rows that
        change are written. The addon crm_segmentation_clv writes them in the statement of its predictions."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_rfm_score s SET one_time_buyer = COALESCE(v.once, FALSE)
              FROM crm_rfm_score s2 LEFT JOIN unnest(%s::int[], %s::bool[]) AS v(partner_id, once)
                ON v.partner_id = s2.partner_id
             WHERE s.id = s2.id AND s2.company_id = %s AND s.one_time_buyer IS DISTINCT FROM COALESCE(v.once, FALSE)
            """,
                pg_array(row[0] for row in rows),
                pg_bool_array(not row[1] for row in rows),
                company.id,
            )
        )
        self.invalidate_model(["one_time_buyer"])

    # ------------------------------------------------------------------ explanation
    def _explain(self):
        """The explanation items of this score (see ``res.partner._crm_explain_profiling``): the RFM score and
        segment, the value class, churn and lifetime value; their inputs as stored by the last run."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id
        computed_on = partner._crm_explain_datetime(self.computed_at)
        scored = self.search_count([("company_id", "=", company.id)])
        items = [
            {
                "key": "rfm",
                "figure": _("RFM score and segment"),
                "value": _(
                    "R %(r)s, F %(f)s, M %(m)s: %(segment)s",
                    r=self.r_score,
                    f=self.f_score,
                    m=self.m_score,
                    segment=self.segment_id.name or "-",
                ),
                "inputs": [
                    (_("Last purchase (R)"), format_date(self.env, self.last_purchase_date)),
                    (_("Invoices in the window (F)"), str(self.frequency)),
                    (
                        _("Net amount invoiced in the window (M)"),
                        format_amount(self.env, self.monetary, self.currency_id),
                    ),
                    (_("Window"), _("the last %(months)s months", months=company.rfm_window_months)),
                    (_("Customers compared"), str(scored)),
                ],
                "rule": _(
                    "The customers of %(company)s who bought in the window are ranked three times: by the date of "
                    "their last purchase (R), by their number of invoices (F) and by the net amount invoiced, credit "
                    "notes deducted (M). Each rank gives a score from 1 (the lowest fifth of the customers) to 5 "
                    "(the highest fifth); equal values share a score. The segment is the first whose ranges contain "
                    "R and FM, the mean of F and M rounded up.",
                    company=company.name,
                ),
                "computed_on": computed_on,
                # for the customer (the portal): their own figures, in words
                "plain": _(
                    "We group our customers by when they last bought, how often and how much. Over the last "
                    "%(months)s months you bought %(count)s times for %(amount)s, the last time on %(date)s: this "
                    "places you in the group %(segment)s.",
                    months=company.rfm_window_months,
                    count=self.frequency,
                    amount=format_amount(self.env, self.monetary, self.currency_id),
                    date=format_date(self.env, self.last_purchase_date),
                    segment=self.segment_id.name or "-",
                ),
                "plain_inputs": [],
            },
            {
                "key": "value_class",
                "figure": _("Value class"),
                "value": dict(self._fields["value_class"]._description_selection(self.env)).get(self.value_class, "-"),
                "inputs": [
                    (_("Contribution in the window"), format_amount(self.env, self.value_amount, self.currency_id)),
                    (_("Decile (1 = the top 10 percent)"), str(self.value_decile)),
                    (_("Customers compared"), str(scored)),
                ],
                "rule": _(
                    "The customers are ordered by contribution (the net amount invoiced minus the cost of goods "
                    "where known): the top 20 percent are High value, the next 30 percent Medium value, the others "
                    "with a positive contribution Low value, the others No profit."
                ),
                "computed_on": computed_on,
                "plain": _(
                    "Compared with our other customers, what your purchases of the last %(months)s months brought "
                    "us after the cost of the goods places you in the class %(value)s.",
                    months=company.rfm_window_months,
                    value=dict(self._fields["value_class"]._description_selection(self.env)).get(self.value_class, "-"),
                ),
                "plain_inputs": [],
            },
        ]
        items.append(self._explain_prediction())
        return items

    def _explain_prediction(self):
        self.ensure_one()
        company = self.company_id
        item = {"key": "prediction", "figure": _("Churn and lifetime value prediction")}
        if not self.predicted_at:
            likely = _("Likely churning") if self.likely_churning else _("Not flagged as churning")
            item.update(
                value=likely,
                inputs=[
                    (_("One-time buyer"), _("yes") if self.one_time_buyer else _("no")),
                    (_("Typical repeat gap of the company"), _("%(days)s days", days=company.clv_typical_gap_days)),
                ],
                rule=_(
                    "%(why)s A customer who bought once is flagged as likely churning when silent for longer than "
                    "the typical repeat gap of the company's customers.",
                    why=self.prediction_note or "",
                ),
                computed_on=self.partner_id._crm_explain_datetime(company.clv_predicted_at),
                plain=_(
                    "We compare the time since your last purchase with the usual time between two purchases of our "
                    "customers (%(days)s days): %(verdict)s",
                    days=company.clv_typical_gap_days,
                    verdict=_("we consider that you may stop buying from us.")
                    if self.likely_churning
                    else _("we do not expect you to stop buying from us."),
                ),
                plain_inputs=[],
            )
            return item
        day = fields.Datetime.context_timestamp(self, self.predicted_at).date()
        rows = self._clv_inputs(company, day, partners=self.partner_id)
        inputs = []
        if rows:
            _pid, repeats, t_x, age, mean, margin = rows[0]
            inputs = [
                (_("Repeat purchase days"), str(repeats)),
                (_("Weeks from the first to the last purchase"), f"{float(t_x):.1f}"),
                (_("Weeks since the first purchase"), f"{float(age):.1f}"),
                (_("Mean net revenue of a repeat purchase"), format_amount(self.env, float(mean), self.currency_id)),
                (_("Contribution margin"), f"{float(margin) * 100:.1f}%"),
            ]
        item.update(
            value=_(
                "Probability still active %(alive)s%%, predicted value %(clv)s over %(months)s months",
                alive=round(self.prob_alive * 100),
                clv=format_amount(self.env, self.clv_12m, self.currency_id),
                months=self.clv_horizon_months,
            ),
            inputs=inputs,
            rule=_(
                "Two statistical models fitted on the purchase history of all the company's customers: the first "
                "(BG/NBD) gives the probability that the customer still buys and the purchases to expect from "
                "their number of repeat purchases, the time between the first and the last one and the time since "
                "the first; the second (Gamma-Gamma) the net revenue of a purchase from the mean of theirs. The "
                "predicted value is their product times the customer's contribution margin over %(months)s "
                "months, discounted at %(rate)s%% a year. "
                "Below 50%% probability the customer is flagged as likely churning.",
                months=self.clv_horizon_months,
                rate=self.clv_discount_rate,
            ),
            computed_on=self.partner_id._crm_explain_datetime(self.predicted_at),
            plain=_(
                "From how often and when you bought, a statistical model estimates the chance that you buy from us "
                "again at %(alive)s%% and the value of your purchases over the next %(months)s months at %(clv)s.",
                alive=round(self.prob_alive * 100),
                months=self.clv_horizon_months,
                clv=format_amount(self.env, self.clv_12m, self.currency_id),
            ),
            plain_inputs=[],
        )
        return item
