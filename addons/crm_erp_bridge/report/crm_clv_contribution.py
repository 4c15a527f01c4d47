from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_segmentation.models.crm_rfm_score import VALUE_CLASSES

# a customer acquired less than a year ago has their service cost scaled to a year over the days since their
# first purchase, at least this many (a freight cost on the first day is not 365 of them a year)
MIN_OBSERVED_DAYS = 30


class CrmClvContribution(models.Model):
    """Customer lifetime value on contribution against the cost to serve the customer over the same horizon,
    per customer, to group by acquisition cohort and segment.

    - CLV on contribution: the predicted lifetime value of the customer's score (``crm.rfm.score.clv_12m``,
      owned and written by crm_segmentation_clv: expected purchases x expected net revenue of a purchase x the
      customer's contribution margin over the company's CLV horizon, each month discounted at its CLV rate);
    - annual service cost: the customer's service cost (ticket handling + freight + returns handling + payment
      delay, ``service_cost`` of the customer figures) over the last 12 months, scaled to a year for a customer
      acquired less than a year ago (days since the first purchase, at least ``MIN_OBSERVED_DAYS``);
    - cost to serve over the horizon: a twelfth of the annual service cost each month of the CLV's horizon,
      discounted at the CLV's rate like its purchases: annual / 12 x sum_{k=1..H} (1 + d)^(-k/12);
    - CLV : cost to serve = CLV / cost to serve over the horizon (empty without any service cost); over a group
      of customers, their total CLV over their total cost (``_read_group_select``).

    Only customers with a prediction (the reason otherwise on the score). ``_clv_contribution`` is the API.
    """

    _name = "crm.clv.contribution"
    _description = "CLV on Contribution and Cost to Serve"
    _auto = False
    _order = "company_id, clv desc, partner_id"
    _rec_name = "partner_id"
    _depends = {
        "crm.rfm.score": [
            "partner_id",
            "company_id",
            "segment_id",
            "value_class",
            "clv_12m",
            "clv_horizon_months",
            "clv_discount_rate",
            "predicted_at",
        ],
        "crm.sales.fact": [
            "partner_id",
            "company_id",
            "date",
            "invoice_count",
            "ticket_handling_cost",
            "freight_cost",
            "return_cost",
            "payment_delay_cost",
        ],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    cohort_date = fields.Date(
        string="Acquisition Cohort",
        readonly=True,
        help="The customer's first purchase: group by month, quarter or year for the cohorts.",
    )
    segment_id = fields.Many2one("crm.rfm.segment", string="RFM Segment", readonly=True)
    value_class = fields.Selection(VALUE_CLASSES, readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    clv = fields.Monetary(
        string="CLV on Contribution",
        readonly=True,
        help="Predicted lifetime value on contribution over the CLV horizon, discounted at the CLV rate: expected "
        "purchases x expected net revenue of a purchase x the customer's contribution margin.",
    )
    clv_mean = fields.Monetary(string="Mean CLV", readonly=True, aggregator="avg")
    annual_service_cost = fields.Monetary(
        readonly=True,
        help="Service cost of the last 12 months (ticket handling, freight, returns handling, payment delay), "
        "scaled to a year for a customer acquired less than a year ago.",
    )
    service_cost_horizon = fields.Monetary(
        string="Cost to Serve over the Horizon",
        readonly=True,
        help="The annual service cost spread over the months of the CLV horizon, each month discounted at the "
        "CLV rate: annual / 12 x sum over the months k of 1 / (1 + rate)^(k / 12).",
    )
    service_cost_mean = fields.Monetary(string="Mean Cost to Serve", readonly=True, aggregator="avg")
    clv_ratio = fields.Float(
        string="CLV : Cost to Serve",
        readonly=True,
        digits=(16, 2),
        help="CLV on contribution / cost to serve over the horizon; for a group, its total CLV over its total "
        "cost. Empty without service cost.",
    )
    horizon_months = fields.Integer(string="CLV Horizon (months)", readonly=True, aggregator=False)
    discount_rate = fields.Float(string="CLV Discount Rate (% a year)", readonly=True, aggregator=False)

    @api.model
    def _clv_contribution_sql(self, companies=None, partners=None, today=None):
        """SQL of (partner_id, company_id, cohort_date, segment_id, value_class, clv, horizon_months,
        discount_rate, annual_service_cost, service_cost_horizon, clv_ratio): one row per predicted customer of
        these companies (commercial ``partners``; all by default), in one statement over the scores and two
        totals of the customer figures (the first purchase ever, the service cost of the last 12 months)."""
        today = today or fields.Date.context_today(self)
        Fact = self.env["crm.sales.fact"]
        first = Fact._customer_totals_sql(["first_purchase"], companies=companies, partners=partners, date_to=today)
        service = Fact._customer_totals_sql(
            ["service_cost"],
            companies=companies,
            partners=partners,
            date_from=today - relativedelta(years=1),
            date_to=today,
        )
        conditions = [SQL("s.predicted_at IS NOT NULL")]
        if companies is not None:
            conditions.append(SQL("s.company_id = ANY(%s)", companies.ids))
        if partners is not None:
            conditions.append(SQL("s.partner_id = ANY(%s)", partners.ids))
        self.env["crm.rfm.score"].flush_model()
        return SQL(
            """
            SELECT r.*, CASE WHEN r.service_cost_horizon > 0 THEN r.clv / r.service_cost_horizon END AS clv_ratio
              FROM (
                SELECT s.partner_id, s.company_id, f.first_purchase AS cohort_date, s.segment_id, s.value_class,
                       s.clv_12m AS clv, s.clv_horizon_months AS horizon_months,
                       s.clv_discount_rate AS discount_rate, a.annual AS annual_service_cost,
                       -- the sum over the H months of q^k, q = (1 + d)^(-1/12): H without discount
                       a.annual / 12 * CASE WHEN s.clv_discount_rate > 0
                            THEN q.q * (1 - q.q ^ s.clv_horizon_months) / (1 - q.q)
                            ELSE s.clv_horizon_months END AS service_cost_horizon
                  FROM crm_rfm_score s
                  JOIN (%(first)s) f ON f.partner_id = s.partner_id AND f.company_id = s.company_id
             LEFT JOIN (%(service)s) c ON c.partner_id = s.partner_id AND c.company_id = s.company_id
                 CROSS JOIN LATERAL (
                     SELECT (1 + s.clv_discount_rate / 100.0) ^ (-1.0 / 12) AS q) q
                 CROSS JOIN LATERAL (
                     SELECT COALESCE(c.service_cost, 0)::float8 * 365
                            / LEAST(365, GREATEST(%(min_days)s, %(today)s::date - f.first_purchase)) AS annual) a
                 WHERE %(where)s AND f.first_purchase IS NOT NULL
              ) r
            """,
            first=first,
            service=service,
            min_days=MIN_OBSERVED_DAYS,
            today=today,
            where=SQL(" AND ").join(conditions),
        )

    @property
    def _table_query(self):
        # the key of a (customer, company) row, within 32 bits so that XML-RPC clients read it (they cannot
        # send larger integers): unique for company ids below 100 and up to 21 million contacts
        return SQL(
            """SELECT v.partner_id * 100 + v.company_id AS id, v.partner_id, v.company_id,
                      v.cohort_date, v.segment_id, v.value_class, 1 AS customer_count, v.clv, v.clv AS clv_mean,
                      v.annual_service_cost, v.service_cost_horizon, v.service_cost_horizon AS service_cost_mean,
                      v.clv_ratio, v.horizon_months, v.discount_rate
                 FROM (%s) v""",
            self._clv_contribution_sql(),
        )

    def _read_group_select(self, aggregate_spec, query):
        # a group's ratio is its total CLV over its total cost to serve, not a sum or mean of the customers' ratios
        if aggregate_spec == "clv_ratio:sum":
            cost = self._field_to_sql(self._table, "service_cost_horizon", query)
            return SQL(
                "CASE WHEN SUM(%s) > 0 THEN SUM(%s) / SUM(%s) END",
                cost,
                self._field_to_sql(self._table, "clv", query),
                cost,
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _clv_contribution(self, partners, company=None, today=None):
        """{partner_id: {"clv", "horizon_months", "discount_rate", "annual_service_cost", "service_cost_horizon",
        "clv_ratio", "cohort_date"}} of these commercial partners in ``company`` (the current one by default),
        in one query: customers without a prediction are missing."""
        if not partners:
            return {}
        company = company or self.env.company
        rows = self.env.execute_query_dict(
            self._clv_contribution_sql(companies=company, partners=partners, today=today)
        )
        return {row.pop("partner_id"): row for row in rows}

    @api.model
    def _clv_contribution_groups(self, company=None, cohort="year", by="segment_id"):
        """CLV on contribution by acquisition cohort (``cohort``: month, quarter or year of the first purchase)
        and ``by`` (segment_id or value_class) in ``company`` (the current one by default): [{"cohort", by,
        "customers", "clv", "clv_mean", "service_cost_mean", "clv_ratio"}], one grouped query."""
        company = company or self.env.company
        groups = self._read_group(
            [("company_id", "=", company.id)],
            [f"cohort_date:{cohort}", by],
            ["customer_count:sum", "clv:sum", "clv_mean:avg", "service_cost_mean:avg", "clv_ratio:sum"],
            order=f"cohort_date:{cohort}, {by}",
        )
        return [
            {
                "cohort": cohort_date,
                by: group,
                "customers": customers,
                "clv": clv,
                "clv_mean": clv_mean,
                "service_cost_mean": cost_mean,
                "clv_ratio": ratio,
            }
            for cohort_date, group, customers, clv, clv_mean, cost_mean, ratio in groups
        ]
