from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.loyalty_uplift import MIN_PAIRS, RESAMPLES, UpliftColumns, summarize_columns

HORIZONS = (3, 6, 12)


class CrmLoyaltyUpliftReport(models.TransientModel):
    """Does the loyalty program pay? Members compared with matched non-members over the months after
    enrolment: repeat-purchase rate, purchase days and contribution, the uplift net of the points' cost and
    goodwill, with bootstrap confidence intervals, in total, by tier and by bonus kind.

    Each member (first enrolment in the company) enrolled in month M is paired with a customer of the same
    company who was not enrolled up to M + horizon, in the same RFM cell (``crm.rfm.snapshot`` of M - 1)
    and the same lifecycle stage at the end of M - 1 (``crm.lifecycle.history``): exact matching without
    replacement within the enrolment month, candidates in a seeded order. Purchases and contribution are
    read from the customer figures (``crm.sales.fact``), the points from the ledger: one statement matches
    the pairs (``_uplift_pairs_sql``), one reads every pair's figures (``_uplift_rows_sql``)."""

    _name = "crm.loyalty.uplift.report"
    _description = "Loyalty Program Uplift"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_pairs = fields.Integer(
        string="Minimum Matched Pairs",
        default=MIN_PAIRS,
        help='Below this number of matched pairs a figure shows "Not enough data".',
    )
    resamples = fields.Integer(string="Bootstrap Resamples", default=RESAMPLES)
    seed = fields.Integer(default=0, help="Seed of the matching order and of the bootstrap: same seed, same figures.")
    computed_on = fields.Date(readonly=True)
    line_ids = fields.One2many("crm.loyalty.uplift.report.line", "report_id", string="Figures", readonly=True)

    @api.constrains("min_pairs", "resamples")
    def _check_sizes(self):
        for report in self:
            if report.min_pairs < 1 or report.resamples < 100:
                raise ValidationError(_("At least one matched pair and 100 bootstrap resamples are needed."))

    def action_compute(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        groups = self._loyalty_uplift(self.company_id, today, self.min_pairs, self.resamples, self.seed)
        self.line_ids.unlink()
        self.write(
            {
                "computed_on": today,
                "line_ids": [fields.Command.create(self._line_values(group)) for group in groups],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _line_values(self, group):
        values = {
            "horizon": str(group["horizon"]),
            "dimension": group["dimension"],
            "name": group["name"],
            "pairs": group["pairs"],
            "enough": group["enough"],
        }
        if group["enough"]:
            values["points_cost"] = group["points_cost"]
            values["goodwill"] = group["goodwill"]
            for metric in ("repeat", "purchases", "contribution", "net"):
                for part in ("member", "control", "uplift", "low", "high"):
                    values[f"{metric}_{part}"] = group[f"{metric}_{part}"]
        return values

    # ------------------------------------------------------------------ figures
    @api.model
    def _loyalty_uplift(self, company, today, min_pairs=MIN_PAIRS, resamples=RESAMPLES, seed=0, horizons=HORIZONS):
        """[group]: for each horizon (months after enrolment), the figures of every pair ("all"), of the
        pairs by the member's tier ("tier") and by the kind of bonus the member received in the window
        ("bonus"), each a dict of ``summarize_columns`` with ``horizon``, ``dimension`` and ``name``.

        The pairs are matched in SQL into a temporary table, their outcomes read in one statement
        (``_uplift_rows_sql``); Python holds only the pairs' figures, as columns of numbers (a row of arrays
        per horizon)."""
        horizons = sorted(horizons)
        by_horizon = {horizon: UpliftColumns() for horizon in horizons}
        cr = self.env.cr
        # the statements' cost estimates (cells and pairs of CTEs and window functions) are far above the real
        # ones: PostgreSQL compiled them with JIT, 0.8 s at full scale for a 2 s statement (bench row 17)
        cr.execute("SELECT current_setting('jit')")
        jit = cr.fetchone()[0]
        cr.execute("SET LOCAL jit = off")
        # the pairs in a temporary table, analyzed: estimated from the CTEs at 3 rows instead of 115,000, the
        # statement of their figures joined the ledger's aggregate in a nested loop (235 s at full scale)
        cr.execute("DROP TABLE IF EXISTS crm_uplift_pairs")
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE crm_uplift_pairs ON COMMIT DROP AS %s SELECT * FROM pairs",
                self._uplift_pairs_sql(company, today, horizons, seed),
            )
        )
        cr.execute("ANALYZE crm_uplift_pairs")
        cr.execute(self._uplift_rows_sql(company, horizons))
        # a row per horizon, a column of numbers per figure: 115,000 rows of 10 values made 0.7 s of fetching
        # and converting at full scale
        for horizon, tier_ids, kinds, *figures in cr.fetchall():
            by_horizon[horizon] = UpliftColumns(tier_ids, kinds, figures)
        cr.execute("DROP TABLE crm_uplift_pairs")
        cr.execute(SQL("SELECT set_config('jit', %s, true)", jit))
        tier_ids = {tier for columns in by_horizon.values() for tier in columns.tiers}
        tier_names = dict(self.env["crm.loyalty.tier"].browse(tier_ids).mapped(lambda t: (t.id, t.name)))
        bonus_labels = dict(self.env["crm.loyalty.entry"]._fields["bonus_kind"]._description_selection(self.env))
        all_members = _("All members")
        groups = []
        for horizon in horizons:
            columns = by_horizon[horizon]
            selections = [("all", 0, None)]
            selections += [("tier", tier, columns.tiers[tier]) for tier in sorted(columns.tiers)]
            selections += [("bonus", kind, columns.kinds[kind]) for kind in sorted(columns.kinds)]
            for dimension, key, rows in selections:
                name = {"all": all_members, "tier": tier_names.get(key), "bonus": bonus_labels.get(key)}[dimension]
                figures = summarize_columns(columns.select(rows), min_pairs, resamples, seed)
                groups.append({"horizon": horizon, "dimension": dimension, "name": name or str(key), **figures})
        return groups

    @api.model
    def _uplift_pairs_sql(self, company, today, horizons, seed):
        """SQL of the CTEs up to ``pairs`` (horizon, member_id, control_id, enroll_date, tier_id): each member
        (first enrolment in the company, in month M) whose window of ``horizon`` months is over, matched with
        a customer of the same cell (M, the RFM code of the snapshot of M - 1, the lifecycle stage at the end
        of M - 1) not enrolled before M + horizon + 1 months.

        Exact matching without replacement within each enrolment month (a customer is in one cell a month):
        the cell's members by id are paired with its candidates in a seeded order
        (``hashint4extended(id, seed)``, PostgreSQL's seeded hash of an integer, stable across versions as
        hash partitioning relies on it), the i-th with the i-th. A customer may be the control of members of
        different enrolment months (the cohorts are compared each with its own window: sequential trials).
        In SQL because the cells of every customer and enrolment month (590,000 at full scale) held in Python
        made a heap of 324 MiB and 4.9 s (bench/RESULTS.md, row 17)."""
        for model, names in (
            ("crm.loyalty.membership", ["partner_id", "company_id", "enroll_date", "tier_id"]),
            ("crm.rfm.snapshot", ["partner_id", "company_id", "month", "rfm_code"]),
            ("crm.lifecycle.history", ["partner_id", "company_id", "to_stage_id", "date"]),
        ):
            self.env[model].flush_model(names)

        def eligible(horizon):
            """A customer of the cell is a candidate for ``horizon``: not enrolled up to M + horizon + 1."""
            return SQL(
                "(c.enroll_date IS NULL OR c.enroll_date >= (c.month + make_interval(months => %s))::date)",
                horizon + 1,
            )

        def over(horizon):
            """A member's window of ``horizon`` months is over."""
            return SQL("(c.enroll_date + make_interval(months => %s))::date <= %s", horizon, today)

        def ranks(condition, name):
            """The row's number among the rows of its window that meet ``condition`` (NULL if it does not)."""
            return SQL(
                "CASE WHEN %s THEN COUNT(*) FILTER (WHERE %s) OVER w END AS %s",
                condition,
                condition,
                SQL.identifier(name),
            )

        return SQL(
            """
            WITH members AS MATERIALIZED (
                SELECT DISTINCT ON (partner_id) partner_id, enroll_date, tier_id,
                       date_trunc('month', enroll_date)::date AS month
                  FROM crm_loyalty_membership
                 WHERE company_id = %(company)s
              ORDER BY partner_id, enroll_date, id),
            months AS (SELECT DISTINCT month FROM members),
            stages AS MATERIALIZED (
                SELECT DISTINCT ON (h.partner_id, m.month) h.partner_id, m.month, h.to_stage_id
                  FROM crm_lifecycle_history h
                  JOIN months m ON h.date < m.month
                 WHERE h.company_id = %(company)s OR h.company_id IS NULL
              ORDER BY h.partner_id, m.month, h.date DESC, h.id DESC),
            -- every customer's cell of each enrolment month M: the RFM code of M - 1, the stage at its end
            all_cells AS (
                SELECT s.partner_id, m.month, s.rfm_code, COALESCE(st.to_stage_id, 0) AS stage_id,
                       mb.enroll_date, mb.month AS enroll_month, mb.tier_id
                  FROM months m
                  JOIN crm_rfm_snapshot s ON s.company_id = %(company)s AND s.rfm_code IS NOT NULL
                                         AND s.month = (m.month - INTERVAL '1 month')::date
             LEFT JOIN members mb ON mb.partner_id = s.partner_id
             LEFT JOIN stages st ON st.partner_id = s.partner_id AND st.month = m.month),
            -- those a horizon may take: the month's members and the candidates of the shortest horizon
            cells AS MATERIALIZED (
                SELECT * FROM all_cells c
                 WHERE (c.enroll_month = c.month AND %(over_shortest)s) OR %(eligible_shortest)s),
            -- the members of each cell by id and the other customers of the cell in the seeded order, each
            -- numbered for every horizon among those the horizon takes: one sort of each for all the horizons
            treated AS MATERIALIZED (
                SELECT c.month, c.rfm_code, c.stage_id, c.partner_id, c.enroll_date, c.tier_id, %(member_ranks)s
                  FROM cells c
                 WHERE c.enroll_month = c.month AND %(over_shortest)s
                WINDOW w AS (PARTITION BY c.month, c.rfm_code, c.stage_id ORDER BY c.partner_id
                                 ROWS UNBOUNDED PRECEDING)),
            candidates AS MATERIALIZED (
                SELECT c.month, c.rfm_code, c.stage_id, c.partner_id, %(candidate_ranks)s
                  FROM cells c
                 WHERE %(eligible_shortest)s
                WINDOW w AS (PARTITION BY c.month, c.rfm_code, c.stage_id
                                 ORDER BY hashint4extended(c.partner_id, %(seed)s), c.partner_id
                                 ROWS UNBOUNDED PRECEDING)),
            pairs AS MATERIALIZED (%(pairs)s)
            """,
            company=company.id,
            today=today,
            seed=seed,
            member_ranks=SQL(", ").join(ranks(over(h), f"rank_{h}") for h in horizons),
            candidate_ranks=SQL(", ").join(ranks(eligible(h), f"rank_{h}") for h in horizons),
            over_shortest=over(min(horizons)),
            eligible_shortest=eligible(min(horizons)),
            pairs=SQL(" UNION ALL ").join(
                SQL(
                    """SELECT %(horizon)s AS horizon, t.partner_id AS member_id, k.partner_id AS control_id,
                              t.enroll_date, t.tier_id
                         FROM treated t
                         JOIN candidates k ON k.month = t.month AND k.rfm_code = t.rfm_code
                                          AND k.stage_id = t.stage_id AND k.%(rank)s = t.%(rank)s""",
                    horizon=horizon,
                    rank=SQL.identifier(f"rank_{horizon}"),
                )
                for horizon in horizons
            ),
        )

    @api.model
    def _uplift_pairs(self, company, today, horizons=HORIZONS, seed=0):
        """[(horizon, member, control, enrolment day)]: the matched pairs (``_uplift_pairs_sql``)."""
        return self.env.execute_query(
            SQL(
                "%s SELECT horizon, member_id, control_id, enroll_date FROM pairs ORDER BY horizon, member_id",
                self._uplift_pairs_sql(company, today, horizons, seed),
            )
        )

    @api.model
    def _uplift_rows_sql(self, company, horizons):
        """SQL of one row per horizon of the pairs of the temporary table ``crm_uplift_pairs``
        (``_uplift_pairs_sql``): (horizon, then an array of a value per pair, in the order of the members, of:
        the member's tier, the kinds of bonus the member received in the window (comma-separated), the
        member's purchase days, contribution and loyalty rewards, the control's purchase days and
        contribution, the member's points' cost and goodwill).

        The window: the days after the enrolment day up to ``horizon`` months after it. Purchases and
        contribution are the customer figures' (``crm.sales.fact``), with the loyalty rewards the member paid
        with (a cost the contribution already carries); the points earned in the window (earn and bonus
        entries) valued at the program's point value, goodwill apart. Each source is read once for the
        longest window, every horizon a filtered aggregate of it."""
        self.env["crm.loyalty.entry"].flush_model(
            ["partner_id", "company_id", "date", "entry_type", "points", "bonus_kind", "program_id"]
        )
        ends = {horizon: SQL("(w.date_from + make_interval(months => %s))::date", horizon) for horizon in horizons}
        longest = ends[max(horizons)]

        def column(name, horizon):
            return SQL.identifier(f"{name}_{horizon}")

        def per_horizon(template, *names):
            """``template`` for every horizon: ``%(end)s`` its window's end, ``%(<name>)s`` its column ``name``."""
            return SQL(", ").join(
                SQL(template, end=ends[h], **{name: column(name, h) for name in names}) for h in horizons
            )

        def pick(alias, name, default):
            """The column ``name`` of the pair's horizon."""
            cases = SQL(" ").join(
                SQL("WHEN %s THEN %s.%s", horizon, SQL.identifier(alias), column(name, horizon)) for horizon in horizons
            )
            return SQL("COALESCE(CASE p.horizon %s END, %s)", cases, default)

        rows = self.env["crm.sales.fact"]._daily_rows_sql(companies=company)
        return SQL(
            """
            WITH pairs AS (SELECT * FROM crm_uplift_pairs),
            windows AS (
                SELECT member_id AS partner_id, enroll_date AS date_from FROM pairs
                 UNION
                SELECT control_id, enroll_date FROM pairs),
            figures AS (
                SELECT w.partner_id, w.date_from, %(figures)s
                  FROM windows w
                  JOIN (%(rows)s) f ON f.partner_id = w.partner_id AND f.date > w.date_from AND f.date <= %(longest)s
              GROUP BY w.partner_id, w.date_from),
            ledger AS (
                SELECT w.partner_id, w.date_from, %(ledger)s
                  FROM (SELECT DISTINCT member_id AS partner_id, enroll_date AS date_from FROM pairs) w
                  JOIN crm_loyalty_entry e ON e.partner_id = w.partner_id AND e.company_id = %(company)s
                                          AND e.date > w.date_from AND e.date <= %(longest)s
                  JOIN crm_loyalty_program lp ON lp.id = e.program_id
                 WHERE e.entry_type IN ('earn', 'bonus') AND e.points > 0
              GROUP BY w.partner_id, w.date_from)
            -- the arrays of a horizon built in one pass over its pairs sorted once (an ORDER BY in each of
            -- the 9 aggregates sorted the pairs 9 times)
            SELECT horizon, ARRAY_AGG(tier_id), ARRAY_AGG(kinds), ARRAY_AGG(member_purchases),
                   ARRAY_AGG(member_contribution), ARRAY_AGG(member_rewards), ARRAY_AGG(control_purchases),
                   ARRAY_AGG(control_contribution), ARRAY_AGG(points_cost), ARRAY_AGG(goodwill)
              FROM (SELECT p.horizon, p.tier_id, array_to_string(%(kinds)s, ',') AS kinds,
                           %(member_purchases)s::float8 AS member_purchases,
                           %(member_contribution)s::float8 AS member_contribution,
                           %(member_rewards)s::float8 AS member_rewards,
                           %(control_purchases)s::float8 AS control_purchases,
                           %(control_contribution)s::float8 AS control_contribution,
                           %(points_cost)s::float8 AS points_cost, %(goodwill)s::float8 AS goodwill
                      FROM pairs p
                 LEFT JOIN figures mf ON mf.partner_id = p.member_id AND mf.date_from = p.enroll_date
                 LEFT JOIN figures cf ON cf.partner_id = p.control_id AND cf.date_from = p.enroll_date
                 LEFT JOIN ledger l ON l.partner_id = p.member_id AND l.date_from = p.enroll_date
                  ORDER BY p.horizon, p.member_id) AS o
          GROUP BY horizon
            """,
            rows=rows,
            longest=longest,
            company=company.id,
            figures=per_horizon(
                "COUNT(*) FILTER (WHERE f.invoice_count > 0 AND f.date <= %(end)s) AS %(purchases)s,"
                " SUM(f.contribution) FILTER (WHERE f.date <= %(end)s) AS %(contribution)s,"
                " SUM(f.loyalty_rewards) FILTER (WHERE f.date <= %(end)s) AS %(rewards)s",
                "purchases",
                "contribution",
                "rewards",
            ),
            ledger=per_horizon(
                "SUM(e.points * lp.point_value) FILTER (WHERE e.date <= %(end)s"
                " AND e.bonus_kind IS DISTINCT FROM 'goodwill') AS %(cost)s,"
                " SUM(e.points * lp.point_value) FILTER (WHERE e.date <= %(end)s"
                " AND e.bonus_kind = 'goodwill') AS %(goodwill)s,"
                " ARRAY_AGG(DISTINCT e.bonus_kind) FILTER (WHERE e.date <= %(end)s AND e.entry_type = 'bonus'"
                " AND e.bonus_kind IS NOT NULL) AS %(kinds)s",
                "cost",
                "goodwill",
                "kinds",
            ),
            kinds=pick("l", "kinds", SQL("NULL::varchar[]")),
            member_purchases=pick("mf", "purchases", 0),
            member_contribution=pick("mf", "contribution", 0),
            member_rewards=pick("mf", "rewards", 0),
            control_purchases=pick("cf", "purchases", 0),
            control_contribution=pick("cf", "contribution", 0),
            points_cost=pick("l", "cost", 0),
            goodwill=pick("l", "goodwill", 0),
        )


class CrmLoyaltyUpliftReportLine(models.TransientModel):
    _name = "crm.loyalty.uplift.report.line"
    _description = "Loyalty Program Uplift Figure"
    _order = "horizon_months, sequence, id"

    report_id = fields.Many2one("crm.loyalty.uplift.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    horizon = fields.Selection(
        [("3", "3 months"), ("6", "6 months"), ("12", "12 months")], string="After Enrolment", required=True
    )
    horizon_months = fields.Integer(compute="_compute_horizon_months", store=True)
    dimension = fields.Selection(
        [("all", "All members"), ("tier", "Tier"), ("bonus", "Bonus kind")], string="By", required=True
    )
    sequence = fields.Integer(compute="_compute_horizon_months", store=True)
    name = fields.Char(string="Group", required=True)
    pairs = fields.Integer(string="Matched Pairs")
    enough = fields.Boolean(string="Enough Data")
    status = fields.Char(compute="_compute_status")
    repeat_member = fields.Float(string="Repeat Rate (Members)")
    repeat_control = fields.Float(string="Repeat Rate (Controls)")
    repeat_uplift = fields.Float(string="Repeat Rate Uplift")
    repeat_low = fields.Float(string="Repeat Uplift Low")
    repeat_high = fields.Float(string="Repeat Uplift High")
    purchases_member = fields.Float(string="Purchase Days (Members)")
    purchases_control = fields.Float(string="Purchase Days (Controls)")
    purchases_uplift = fields.Float(string="Purchase Days Uplift")
    purchases_low = fields.Float(string="Purchase Days Uplift Low")
    purchases_high = fields.Float(string="Purchase Days Uplift High")
    contribution_member = fields.Monetary(string="Contribution (Members)")
    contribution_control = fields.Monetary(string="Contribution (Controls)")
    contribution_uplift = fields.Monetary()
    contribution_low = fields.Monetary(string="Contribution Uplift Low")
    contribution_high = fields.Monetary(string="Contribution Uplift High")
    points_cost = fields.Monetary(string="Points' Cost per Member")
    goodwill = fields.Monetary(string="Goodwill per Member")
    net_member = fields.Monetary(string="Net Contribution (Members)")
    net_control = fields.Monetary(string="Net Contribution (Controls)")
    net_uplift = fields.Monetary(help="Contribution uplift minus the points' cost and goodwill per member.")
    net_low = fields.Monetary(string="Net Uplift Low")
    net_high = fields.Monetary(string="Net Uplift High")

    @api.depends("horizon", "dimension")
    def _compute_horizon_months(self):
        for line in self:
            line.horizon_months = int(line.horizon or 0)
            line.sequence = ("all", "tier", "bonus").index(line.dimension) if line.dimension else 0

    @api.depends("enough", "net_low", "net_high")
    def _compute_status(self):
        for line in self:
            if not line.enough:
                line.status = _("Not enough data")
            elif line.net_low > 0:
                line.status = _("Pays")
            elif line.net_high < 0:
                line.status = _("Costs more than it brings")
            else:
                line.status = _("No clear effect")
