from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models.crm_sales_fact import COST_COMPONENTS


class CrmWhaleCurve(models.Model):
    """The profit whale curve: each company's customers ranked by net profit (contribution - service cost)
    over the last 12 months, with the cumulative net profit as a share of the company's total. The curve
    rises above 100% over the profitable customers and falls back to 100% over those who destroy profit; each
    customer carries the cost component that weighs most on them (what makes a loss-making customer so).

    ``_whale_curve`` is the API (points and reading); this SQL view is its screen (a line graph over the
    percentiles of customers, the list of the profit-destroying customers)."""

    _name = "crm.whale.curve"
    _description = "Profit Whale Curve"
    _auto = False
    _order = "company_id, rank"
    _rec_name = "partner_id"
    _depends = {
        "crm.sales.fact": [
            "partner_id",
            "company_id",
            "date",
            "gross_revenue",
            "cogs",
            "consumable_cost",
            "loyalty_rewards",
            "ticket_credit",
            *COST_COMPONENTS[:4],
        ],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    rank = fields.Integer(readonly=True, aggregator="max", help="1 = the customer with the largest net profit.")
    percentile = fields.Integer(
        string="Customers (%)",
        readonly=True,
        aggregator="max",
        help="The share of the company's customers ranked up to this one, rounded up to a whole percent.",
    )
    contribution = fields.Monetary(readonly=True)
    service_cost = fields.Monetary(readonly=True, help="Ticket handling + freight + returns handling + payment delay.")
    net_profit = fields.Monetary(readonly=True, help="Contribution - Service Cost.")
    profit_share = fields.Float(
        string="Cumulative Profit (%)",
        readonly=True,
        aggregator="max",
        help="Net profit of the customers ranked up to this one, as a percentage of the company's total.",
    )
    curve_share = fields.Float(
        string="Whale Curve (%)",
        readonly=True,
        help="The cumulative profit share at the last customer of each percentile (0 on the others): summed "
        "per percentile, the points of the curve.",
    )
    main_cost = fields.Selection(
        selection="_selection_main_cost",
        string="Largest Cost",
        readonly=True,
        help="The cost component that weighs most on the customer (cost of goods when none is above zero).",
    )
    destroys_profit = fields.Boolean(readonly=True, help="Net profit below zero.")

    @api.model
    def _selection_main_cost(self):
        return list(self.env["crm.sales.fact"]._cost_component_labels().items())

    @api.model
    def _whale_rows_sql(self, companies=None, date_from=None, date_to=None):
        """SQL of the curve's rows (partner_id, company_id, rank, n, percentile, contribution, service_cost,
        net_profit, cumulative, total, profit_share, curve_share, main_cost, destroys_profit): one statement
        over the customer figures' totals, ranked per company by window functions."""
        Fact = self.env["crm.sales.fact"]
        components = list(COST_COMPONENTS)
        totals = Fact._customer_totals_sql(
            ["contribution", "service_cost", "net_profit", *components],
            companies=companies,
            date_from=date_from,
            date_to=date_to,
        )
        largest = SQL("GREATEST(%s)", SQL(", ").join(SQL("t.%s", SQL.identifier(c)) for c in components))
        main_cost = SQL(
            "CASE WHEN %(largest)s <= 0 THEN 'cost_of_goods' %(whens)s END",
            largest=largest,
            whens=SQL(" ").join(SQL("WHEN t.%s = %s THEN %s", SQL.identifier(c), largest, c) for c in components),
        )
        order = SQL("ORDER BY t.net_profit DESC, t.partner_id")
        return SQL(
            """
            WITH ranked AS (
                SELECT t.partner_id, t.company_id, t.contribution, t.service_cost, t.net_profit,
                       %(main_cost)s AS main_cost,
                       ROW_NUMBER() OVER (PARTITION BY t.company_id %(order)s) AS rank,
                       COUNT(*) OVER (PARTITION BY t.company_id) AS n,
                       SUM(t.net_profit) OVER (PARTITION BY t.company_id %(order)s
                                               ROWS UNBOUNDED PRECEDING) AS cumulative,
                       SUM(t.net_profit) OVER (PARTITION BY t.company_id) AS total
                  FROM (%(totals)s) t
            ), shares AS (
                SELECT r.*, CEIL(100.0 * r.rank / r.n)::int AS percentile,
                       CASE WHEN r.total <> 0 THEN 100.0 * r.cumulative / r.total ELSE 0 END AS profit_share
                  FROM ranked r
            )
            SELECT s.partner_id, s.company_id, s.rank, s.n, s.percentile, s.contribution, s.service_cost,
                   s.net_profit, s.cumulative, s.total, s.profit_share,
                   CASE WHEN s.percentile <> COALESCE(LEAD(s.percentile) OVER (PARTITION BY s.company_id
                                                                              ORDER BY s.rank), -1)
                        THEN s.profit_share ELSE 0 END AS curve_share,
                   s.main_cost, s.net_profit < 0 AS destroys_profit
              FROM shares s
            """,
            main_cost=main_cost,
            order=order,
            totals=totals,
        )

    @property
    def _table_query(self):
        # the key of a (customer, company) row, within 32 bits so that XML-RPC clients read it (they cannot
        # send larger integers): unique for company ids below 100 and up to 21 million contacts
        date_from = fields.Date.context_today(self) - relativedelta(years=1)
        return SQL(
            """SELECT w.partner_id * 100 + w.company_id AS id, w.partner_id, w.company_id, w.rank,
                      w.percentile, w.contribution, w.service_cost, w.net_profit, w.profit_share, w.curve_share,
                      w.main_cost, w.destroys_profit
                 FROM (%s) w""",
            self._whale_rows_sql(date_from=date_from),
        )

    @api.model
    def _whale_curve(self, company=None, date_from=None, date_to=None):
        """The whale curve of ``company`` (the current one by default) over the days after ``date_from`` up to
        ``date_to``: {"points": [{"rank", "partner_id", "net_profit", "customer_share", "profit_share",
        "main_cost"}] best customer first, "total": net profit of all, "peak": the highest cumulative share,
        "top_share" / "bottom_share": % of customers with a profit / a loss, "destroyed": the loss of the
        loss-making customers as a % of the total, "reading": the curve in words}. Read-only, one statement."""
        company = company or self.env.company
        rows = self.env.execute_query_dict(
            self._whale_rows_sql(companies=company, date_from=date_from, date_to=date_to)
        )
        points = [
            {
                "rank": row["rank"],
                "partner_id": row["partner_id"],
                "net_profit": float(row["net_profit"]),
                "customer_share": 100.0 * row["rank"] / row["n"],
                "profit_share": float(row["profit_share"]),
                "main_cost": row["main_cost"],
            }
            for row in rows
        ]
        total = float(rows[0]["total"]) if rows else 0.0
        profitable = sum(1 for p in points if p["net_profit"] > 0)
        losing = sum(1 for p in points if p["net_profit"] < 0)
        loss = -sum(p["net_profit"] for p in points if p["net_profit"] < 0)
        peak = max((p["profit_share"] for p in points), default=0.0)
        return {"points": points, **self._whale_figures(len(points), total, peak, profitable, losing, loss)}

    @api.model
    def _whale_summary(self, company=None, date_from=None, date_to=None, steps=20):
        """The curve of ``company`` (the current one by default) summed up without a row per customer:
        {"count", "total", "peak", "top_share", "bottom_share", "destroyed", "reading" (as ``_whale_curve``),
        "steps": {k: the cumulative profit share at the last customer of step k (1..steps, the customers
        ranked up to k / steps of them); steps without a customer are missing}}. One aggregate statement: the
        overview and the workbook read it at any number of customers."""
        company = company or self.env.company
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT CEIL(%(steps)s * w.rank::numeric / w.n)::int AS step,
                       (ARRAY_AGG(w.profit_share ORDER BY w.rank DESC))[1] AS share,
                       MAX(w.n) AS n, MAX(w.total) AS total, MAX(w.profit_share) AS peak,
                       COUNT(*) FILTER (WHERE w.net_profit > 0) AS profitable,
                       COUNT(*) FILTER (WHERE w.net_profit < 0) AS losing,
                       COALESCE(-SUM(w.net_profit) FILTER (WHERE w.net_profit < 0), 0) AS loss
                  FROM (%(rows)s) w
                 GROUP BY 1
                 ORDER BY 1
                """,
                steps=steps,
                rows=self._whale_rows_sql(companies=company, date_from=date_from, date_to=date_to),
            )
        )
        count = rows[0]["n"] if rows else 0
        total = float(rows[0]["total"]) if rows else 0.0
        loss = sum(float(row["loss"]) for row in rows)
        peak = max((float(row["peak"]) for row in rows), default=0.0)
        profitable = sum(row["profitable"] for row in rows)
        losing = sum(row["losing"] for row in rows)
        return {
            "count": count,
            **self._whale_figures(count, total, peak, profitable, losing, loss),
            "steps": {row["step"]: float(row["share"]) for row in rows},
        }

    @api.model
    def _whale_figures(self, count, total, peak, profitable, losing, loss):
        """The curve summed up from its counts (``count`` customers, ``profitable`` with a profit, ``losing``
        with a loss that adds up to ``loss``, ``total`` net profit, ``peak`` highest cumulative share):
        {"total", "peak", "top_share", "bottom_share", "destroyed", "reading"}."""
        figures = {
            "total": total,
            "peak": peak,
            "top_share": 100.0 * profitable / count if count else 0.0,
            "bottom_share": 100.0 * losing / count if count else 0.0,
            "destroyed": 100.0 * loss / total if total > 0 else 0.0,
        }
        figures["reading"] = self._whale_reading(figures, count)
        return figures

    @api.model
    def _whale_reading(self, curve, count):
        if not count:
            return _("No customer has any figure over the period.")
        if curve["total"] <= 0:
            return _(
                "The customers lose money overall: %(bottom)s%% of them destroy profit, "
                "the other %(top)s%% do not make up for it.",
                bottom=round(curve["bottom_share"]),
                top=round(100 - curve["bottom_share"]),
            )
        if not curve["bottom_share"]:
            return _(
                "The top %(top)s%% of customers earn all the profit; no customer destroys profit.",
                top=round(curve["top_share"]),
            )
        return _(
            "The top %(top)s%% of customers earn %(peak)s%% of the profit; "
            "the bottom %(bottom)s%% destroy %(destroyed)s%% of it.",
            top=round(curve["top_share"]),
            peak=round(curve["peak"]),
            bottom=round(curve["bottom_share"]),
            destroyed=round(curve["destroyed"]),
        )

    @api.model
    def action_open_whale_curve(self):
        """The curve of the current company over the last 12 months, its reading in the window's title (from
        the summary: one aggregate, not a row per customer in Python; bench row 16b)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_erp_bridge.crm_whale_curve_action")
        reading = self._whale_summary(date_from=fields.Date.context_today(self) - relativedelta(years=1))["reading"]
        # one company's curve: the shares are per company
        action["domain"] = [("company_id", "=", self.env.company.id)]
        action["display_name"] = _("Whale Curve: %(reading)s", reading=reading)
        return action
