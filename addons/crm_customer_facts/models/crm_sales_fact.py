from odoo import _, api, fields, models
from odoo.tools import SQL

# account.move fields the facts are read from: a write of one of them on a posted customer invoice
# refreshes the facts of its customer and day
MOVE_FACT_FIELDS = ("state", "commercial_partner_id", "company_id", "invoice_date", "move_type", "partner_id")

# the measures computed from the daily rows (besides the sums of the columns)
DERIVED_MEASURES = (
    "purchase_days",
    "first_purchase",
    "last_purchase",
    "repeat_net_revenue",
    "cost_to_serve",
    "cost_of_goods",
    "gross_margin",
)

# the key columns every source returns, by name, before its measures
KEY_COLUMNS = ("partner_id", "company_id", "date", "categ_id", "row_key")


class FactScope:
    """Which (customer, company, day) rows a source must return. The facts model builds it; each source
    places the condition on its own columns with ``where(partner, company, date)`` (so that it filters at
    its source table, on its indexes)."""

    def __init__(self, partner_ids=None, company_ids=None, keys=None, date_from=None, date_to=None):
        self.partner_ids = sorted(set(partner_ids)) if partner_ids is not None else None
        self.company_ids = sorted(set(company_ids)) if company_ids is not None else None
        self.keys = keys
        self.date_from = date_from
        self.date_to = date_to

    def where(self, partner, company, date):
        """SQL condition on the source's customer, company and day expressions."""
        conditions = [SQL("TRUE")]
        # one value: an equality, which lets an index return its rows in order (the nightly runs of one company
        # read the facts' covering index in customer order without visiting the table)
        for expression, ids in ((partner, self.partner_ids), (company, self.company_ids)):
            if ids is not None and len(ids) == 1:
                conditions.append(SQL("%s = %s", expression, ids[0]))
            elif ids is not None:
                conditions.append(SQL("%s = ANY(%s)", expression, ids))
        if self.keys is not None:
            partners, companies, dates = (
                (list(col) for col in zip(*self.keys, strict=True)) if self.keys else ([], [], [])
            )
            conditions.append(
                SQL(
                    "(%s, %s, %s) IN (SELECT * FROM unnest(%s::int[], %s::int[], %s::date[]))",
                    partner,
                    company,
                    date,
                    partners,
                    companies,
                    dates,
                )
            )
        if self.date_from:
            conditions.append(SQL("%s > %s", date, self.date_from))
        if self.date_to:
            conditions.append(SQL("%s <= %s", date, self.date_to))
        return SQL(" AND ").join(conditions)


class CrmSalesFact(models.Model):
    """Each customer's invoiced sales of one day in one company: the one store of customer figures that
    every addon of the suite reads (RFM and value classes, churn and lifetime value, lifecycle stages,
    loyalty tiers, the 360 panel, profitability, service recovery, the accounting workbook).

    **Sources registered by name** (``_fact_sources``): each source is a method ``_fact_source_<name>(scope)``
    returning rows with the named columns ``partner_id, company_id, date, categ_id, row_key`` and its
    measures, like ``sale.report._select_additional_fields`` lets a module add columns. This addon owns the
    invoice sources (the only reads of ``account_move`` / ``account_move_line`` for customer figures); other
    addons classify invoice lines (``_fact_line_classes``: loyalty rewards, ticket credit notes), add line
    measures (``_fact_line_measures``) or whole sources (valuation layers).

    **Named measures** (``_fact_measures``, ``_measure_sql``): each figure defined once, read through
    ``_customer_totals`` / ``_customer_totals_sql`` per customer and company in one query.

    A row is recomputed from its sources whenever one of them changes (``_refresh``), never adjusted by a
    delta: two transactions refreshing the same row conflict on its unique key and one is retried, so the
    table cannot drift from the invoices. ``_rebuild`` recomputes whole companies (installation, upgrade,
    the "Rebuild" button after data imported by SQL).
    """

    _name = "crm.sales.fact"
    _description = "Customer Daily Sales Facts"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _log_access = False

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    # no index of its own: the covering index of init() leads with company_id
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True, help="Posted customer invoices of the day.")
    gross_revenue = fields.Monetary(
        readonly=True,
        help="Untaxed invoice lines minus ordinary credit notes, before the cost to serve (loyalty rewards, "
        "credit notes of feedback tickets), in company currency.",
    )
    net_revenue = fields.Monetary(
        readonly=True,
        help="Gross revenue minus the cost to serve: the untaxed amount invoiced after every credit note and "
        "points discount.",
    )
    contribution = fields.Monetary(
        readonly=True,
        help="Net revenue minus the cost of goods (with the ERP bridge: valuation of the deliveries and "
        "consumables' cost): what value classes rank customers by.",
    )

    _sql_constraints = [
        ("partner_company_date_uniq", "UNIQUE(partner_id, company_id, date)", "One row per customer, company and day.")
    ]

    def init(self):
        # the nightly RFM reads a company's rows customer by customer: an index-only scan of this index
        # feeds the per-customer aggregate in order, without hashing 300,000 rows into 100,000 groups
        self.env.cr.execute("DROP INDEX IF EXISTS crm_sales_fact_company_partner_index")  # releases <= 18.0.1.5
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_sales_fact_customer_index
                   ON crm_sales_fact (company_id, partner_id, date)
                   INCLUDE (invoice_count, net_revenue, contribution)"""
        )

    # ------------------------------------------------------------------ registry
    @api.model
    def _fact_sources(self):
        """{source name: {"measures": [columns], "tag": change family}}: each source is the method
        ``_fact_source_<name>(scope)``. ``tag`` names what changes it ("moves": invoices and their lines;
        "layers": valuation layers): a refresh after a change of invoices recomputes the "moves" sources'
        columns and keeps the others'."""
        return {
            "invoices": {"measures": ["invoice_count"], "tag": "moves"},
            "invoice_lines": {
                "measures": ["gross_revenue", *self._fact_cost_to_serve(), *self._fact_line_measures()],
                "tag": "moves",
            },
        }

    @api.model
    def _fact_line_classes(self):
        """[(sequence, measure, condition)]: invoice lines that are not revenue but cost to serve, by the first
        matching condition (SQL over the invoice line ``aml`` and its invoice ``m``); their balance is summed
        in ``measure`` instead of the gross revenue. Addons append theirs (loyalty rewards, ticket credits)."""
        return []

    @api.model
    def _fact_line_measures(self):
        """{measure: SQL expression over ``aml`` and ``m``}: extra sums of invoice lines (consumables' cost)."""
        return {}

    @api.model
    def _fact_cost_to_serve(self):
        """Measures that are cost to serve: gross revenue - cost to serve = net revenue."""
        return [measure for _seq, measure, _cond in sorted(self._fact_line_classes())]

    @api.model
    def _fact_cost_of_goods(self):
        """Measures that are cost of goods: net revenue - cost of goods = contribution. Addons append theirs."""
        return []

    @api.model
    def _fact_columns(self):
        """The measure columns the sources fill, in registration order."""
        columns = []
        for source in self._fact_sources().values():
            columns += [c for c in source["measures"] if c not in columns]
        return columns

    @api.model
    def _fact_stored_measures(self):
        """Derived measures stored on each row as well (the nightly runs read one column instead of a formula)."""
        return ["net_revenue", "contribution"]

    # ------------------------------------------------------------------ named measures
    @api.model
    def _fact_measure_names(self):
        """The names ``_customer_totals`` answers (``_fact_measures`` gives their labels)."""
        return {*DERIVED_MEASURES, *self._fact_columns(), *self._fact_stored_measures()}

    @api.model
    def _fact_measures(self):
        """{name: label}: every figure the read API answers, the names the screens and exports use."""
        labels = {
            "invoice_count": _("Invoices"),
            "purchase_days": _("Purchase Days"),
            "first_purchase": _("First Purchase"),
            "last_purchase": _("Last Purchase"),
            "repeat_net_revenue": _("Net Revenue of Repeat Purchases"),
            "gross_revenue": _("Gross Revenue"),
            "cost_to_serve": _("Cost to Serve"),
            "net_revenue": _("Net Revenue"),
            "cost_of_goods": _("Cost of Goods"),
            "gross_margin": _("Gross Margin"),
            "contribution": _("Contribution"),
        }
        fields_ = self._fields
        for column in self._fact_columns():
            labels.setdefault(column, fields_[column].get_description(self.env)["string"])
        return labels

    @api.model
    def _measure_sql(self, name, total):
        """SQL of measure ``name`` given ``total(column)``, the SQL of a measure column's total in the
        caller's query: the one definition of each derived figure."""

        def add(columns):
            return SQL("(%s)", SQL(" + ").join([SQL("0"), *(total(c) for c in columns)]))

        cost_to_serve, cost_of_goods = add(self._fact_cost_to_serve()), add(self._fact_cost_of_goods())
        derived = {
            "cost_to_serve": cost_to_serve,
            "cost_of_goods": cost_of_goods,
            "net_revenue": SQL("(%s - %s)", total("gross_revenue"), cost_to_serve),
            "gross_margin": SQL("(%s - %s)", total("gross_revenue"), cost_of_goods),
            "contribution": SQL("(%s - %s - %s)", total("gross_revenue"), cost_to_serve, cost_of_goods),
        }
        return derived[name] if name in derived else total(name)

    @api.model
    def _daily_rows_sql(self, companies=None, partners=None, date_from=None, date_to=None):
        """SQL of the stored daily rows (every column of the facts) of these companies and commercial
        partners over the days after ``date_from`` up to ``date_to``: for consumers whose figure needs the
        days themselves (the lifecycle rhythm since a customer's last loss), the totals otherwise."""
        scope = FactScope(
            partner_ids=partners.ids if partners is not None else None,
            company_ids=companies.ids if companies is not None else None,
            date_from=date_from,
            date_to=date_to,
        )
        return SQL(
            "SELECT * FROM crm_sales_fact f WHERE %s",
            scope.where(SQL("f.partner_id"), SQL("f.company_id"), SQL("f.date")),
        )

    @api.model
    def _customer_totals_sql(
        self, measures, companies=None, partners=None, date_from=None, date_to=None, extra_rows=None
    ):
        """SQL of (partner_id, company_id, <measures>): each customer's totals per company over the days
        after ``date_from`` up to ``date_to`` (both optional), from the facts, for set-based consumers
        that go on in SQL (ranking, rules). ``partners`` are commercial partners.

        ``extra_rows``: SQL of more daily rows (partner_id, company_id, date, invoice_count, net_revenue,
        contribution) counted as if they were facts (confirmed orders not invoiced yet, when a company counts
        them); with it, only those measures and the purchase dates are available."""
        rows = self._daily_rows_sql(companies, partners, date_from, date_to)
        if extra_rows is not None:
            base = SQL(", ").join(
                SQL.identifier(c)
                for c in ("partner_id", "company_id", "date", "invoice_count", "net_revenue", "contribution")
            )
            rows = SQL("SELECT %s FROM (%s) d UNION ALL SELECT %s FROM (%s) e", base, rows, base, extra_rows)
        stored = set(self._fact_stored_measures())

        def total(column):
            return SQL("COALESCE(SUM(f.%s), 0)", SQL.identifier(column))

        def aggregate(name):
            if name == "purchase_days":
                return SQL("COUNT(*) FILTER (WHERE f.invoice_count > 0)")
            if name == "first_purchase":
                return SQL("MIN(f.date) FILTER (WHERE f.invoice_count > 0)")
            if name == "last_purchase":
                return SQL("MAX(f.date) FILTER (WHERE f.invoice_count > 0)")
            if name == "repeat_net_revenue":
                # the purchase days after the first (Gamma-Gamma models the repeat purchases)
                return SQL(
                    "COALESCE(SUM(f.net_revenue) FILTER (WHERE f.invoice_count > 0)"
                    " - (ARRAY_AGG(f.net_revenue ORDER BY f.date) FILTER (WHERE f.invoice_count > 0))[1], 0)"
                )
            if name in stored:
                return total(name)
            return self._measure_sql(name, total)

        unknown = set(measures) - self._fact_measure_names()
        if unknown:
            raise ValueError(f"unknown customer measures: {sorted(unknown)}")
        # the facts are written with SQL by their owner: nothing pending in the ORM, but their sources are
        return SQL(
            "SELECT f.partner_id, f.company_id, %s FROM (%s) f GROUP BY f.partner_id, f.company_id",
            SQL(", ").join(SQL("%s AS %s", aggregate(m), SQL.identifier(m)) for m in measures),
            rows,
        )

    @api.model
    def _customer_totals(self, partners, companies=None, date_from=None, date_to=None, measures=("net_revenue",)):
        """{(partner_id, company_id): {measure: value}} of these commercial partners (every company when
        ``companies`` is None), in one query. Missing customers have no figure (callers default to 0)."""
        if not partners:
            return {}
        measures = list(measures)
        query = self._customer_totals_sql(measures, companies, partners, date_from, date_to)
        return {
            (partner_id, company_id): dict(zip(measures, values, strict=True))
            for partner_id, company_id, *values in self.env.execute_query(query)
        }

    @api.model
    def _fact_source_rows_sql(self, scope, grain="month", columns=None):
        """SQL of rows (id, partner_id, company_id, date, categ_id, <measure columns>) straight from the
        registered sources, by customer, company, product category and ``grain`` ("month": first day of the
        month, "day"): what a report by product category reads (the stored facts have no category). ``id``
        is stable from one read to the next (the row's first source record). ``columns``: the measure columns
        wanted (by default the amounts: every column but the invoice count, which has no category); only the
        sources of these columns are read."""
        registry = self._fact_sources()
        columns = columns or [c for c in self._fact_columns() if c != "invoice_count"]
        date = SQL("date_trunc('month', s.date)::date") if grain == "month" else SQL("s.date")
        sources = [name for name, src in registry.items() if set(src["measures"]) & set(columns)]
        return SQL(
            """SELECT MIN(s.row_key * %(n)s + s.source) AS id, s.partner_id, s.company_id, %(date)s AS date, s.categ_id,
                      %(sums)s
                 FROM (%(union)s) s
             GROUP BY s.partner_id, s.company_id, %(date)s, s.categ_id""",
            n=len(sources),
            date=date,
            sums=SQL(", ").join(SQL("SUM(s.%s) AS %s", SQL.identifier(c), SQL.identifier(c)) for c in columns),
            union=self._sources_union(scope, sources, columns, with_source=True),
        )

    # ------------------------------------------------------------------ sources of this addon
    @api.model
    def _fact_source_invoices(self, scope):
        return SQL(
            """
            SELECT m.commercial_partner_id AS partner_id, m.company_id, m.invoice_date AS date, NULL::int AS categ_id,
                   MIN(m.id)::bigint AS row_key, COUNT(*) FILTER (WHERE m.move_type = 'out_invoice') AS invoice_count
              FROM account_move m
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
               AND m.commercial_partner_id IS NOT NULL AND m.invoice_date IS NOT NULL AND %s
          GROUP BY 1, 2, 3
            """,
            scope.where(SQL("m.commercial_partner_id"), SQL("m.company_id"), SQL("m.invoice_date")),
        )

    @api.model
    def _fact_source_invoice_lines(self, scope):
        classes = sorted(self._fact_line_classes())
        kind = (
            SQL("CASE %s ELSE '' END", SQL(" ").join(SQL("WHEN %s THEN %s", cond, name) for _s, name, cond in classes))
            if classes
            else SQL("''")
        )
        sums = [SQL("SUM(CASE WHEN k.kind = '' THEN -aml.balance ELSE 0 END) AS gross_revenue")]
        sums += [
            SQL("SUM(CASE WHEN k.kind = %s THEN aml.balance ELSE 0 END) AS %s", name, SQL.identifier(name))
            for _s, name, _c in classes
        ]
        sums += [SQL("SUM(%s) AS %s", expr, SQL.identifier(name)) for name, expr in self._fact_line_measures().items()]
        return SQL(
            """
            SELECT m.commercial_partner_id AS partner_id, m.company_id, m.invoice_date AS date, pt.categ_id,
                   MIN(aml.id)::bigint AS row_key, %(sums)s
              FROM account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
         LEFT JOIN product_product pp ON pp.id = aml.product_id
         LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
        CROSS JOIN LATERAL (SELECT %(kind)s AS kind) k
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund') AND aml.display_type = 'product'
               AND m.commercial_partner_id IS NOT NULL AND m.invoice_date IS NOT NULL AND %(where)s
          GROUP BY 1, 2, 3, 4
            """,
            sums=SQL(", ").join(sums),
            kind=kind,
            where=scope.where(SQL("m.commercial_partner_id"), SQL("m.company_id"), SQL("m.invoice_date")),
        )

    # ------------------------------------------------------------------ maintenance
    @api.model
    def _refresh(self, keys, tags=None):
        """Recompute the rows of these (partner_id, company_id, date) keys from their sources (those of
        ``tags`` only, when given)."""
        keys = {key for key in keys if all(key)}
        if keys:
            self._write_facts(FactScope(partner_ids=[k[0] for k in keys], keys=keys), tags)

    @api.model
    def _refresh_partners(self, partner_ids):
        """Recompute every row of these customers (their contacts moved to another commercial entity)."""
        ids = {pid for pid in partner_ids if pid}
        if ids:
            self._write_facts(FactScope(partner_ids=ids))

    @api.model
    def _refresh_products(self, product_ids):
        """Every customer day with invoice lines of these products (a product became or stopped being a
        loyalty reward: its lines move between revenue and cost to serve)."""
        if not product_ids:
            return
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT DISTINCT m.commercial_partner_id, m.company_id, m.invoice_date
              FROM account_move_line aml JOIN account_move m ON m.id = aml.move_id
             WHERE aml.product_id = ANY(%s) AND m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
            """,
                list(product_ids),
            )
        )
        self._refresh(rows, tags={"moves"})

    @api.model
    def _rebuild(self, companies=None):
        """Recompute the facts of these companies (all by default) from scratch."""
        ids = (companies or self.env["res.company"].sudo().search([])).ids
        self._write_facts(FactScope(company_ids=ids))

    @api.model
    def _sources_union(self, scope, sources, columns, with_source=False):
        """The rows of these sources with every column of ``columns`` by name (0 where a source has none)."""
        registry = self._fact_sources()
        parts = []
        for index, name in enumerate(sources):
            own = registry[name]["measures"]
            values = [
                SQL("q.%s", SQL.identifier(c)) if c in own else SQL("0 AS %s", SQL.identifier(c)) for c in columns
            ]
            parts.append(
                SQL(
                    "SELECT q.partner_id, q.company_id, q.date, q.categ_id, q.row_key, %s%s FROM (%s) q",
                    SQL("%s AS source, ", index) if with_source else SQL(),
                    SQL(", ").join(values),
                    getattr(self, f"_fact_source_{name}")(scope),
                )
            )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _write_facts(self, scope, tags=None):
        """One statement: aggregate the sources (of ``tags``) for the scope's keys, upsert their columns
        where they changed, zero them on the selected rows they no longer reach, and delete the rows left
        without any figure. The stored derived measures follow from the row's columns."""
        columns = self._fact_columns()
        sources = [name for name, src in self._fact_sources().items() if tags is None or src["tag"] in tags]
        owned = [c for c in columns if any(c in self._fact_sources()[s]["measures"] for s in sources)]
        kept = [c for c in columns if c not in owned]
        derived = self._fact_stored_measures()

        def ident(c):
            return SQL.identifier(c)

        def each(template, cols):
            return SQL(", ").join(SQL(template, *[ident(c)] * template.count("%s")) for c in cols)

        def derived_values(column):
            return SQL(", ").join(self._measure_sql(d, column) for d in derived)

        def derived_sets(column):
            return SQL(", ").join(SQL("%s = %s", ident(d), self._measure_sql(d, column)) for d in derived)

        no_figure = SQL(" AND ").join([SQL("TRUE"), *(SQL("COALESCE(f.%s, 0) = 0", ident(c)) for c in kept)])
        # a row the sources no longer reach whose own columns are zero already has nothing to clear: left out,
        # else a refresh of the service costs rewrote every sales-only row of the company (315,000 updates and
        # their foreign key checks: 13 of its 16 s at full scale)
        owned_zero = SQL(" AND ").join(SQL("COALESCE(f.%s, 0) = 0", ident(c)) for c in owned)
        # the sources are read in SQL: pending changes of invoices, lines, products, layers first
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH src AS (
                SELECT partner_id, company_id, date, %(sums)s
                  FROM (%(union)s) s
              GROUP BY partner_id, company_id, date
            ), orphan AS (
                SELECT f.id, %(no_figure)s AS empty
                  FROM crm_sales_fact f
                 WHERE %(selected)s AND (%(no_figure)s OR NOT (%(owned_zero)s))
                   AND NOT EXISTS (SELECT FROM src WHERE src.partner_id = f.partner_id
                                      AND src.company_id = f.company_id AND src.date = f.date)
            ), gone AS (
                DELETE FROM crm_sales_fact WHERE id IN (SELECT id FROM orphan WHERE empty)
            ), cleared AS (
                UPDATE crm_sales_fact f SET %(zeroes)s, %(zero_derived)s
                 WHERE f.id IN (SELECT id FROM orphan WHERE NOT empty)
            )
            INSERT INTO crm_sales_fact AS f (partner_id, company_id, date, %(all_columns)s, %(derived)s)
            SELECT partner_id, company_id, date, %(owned)s, %(kept_zeroes)s %(new_derived)s FROM src
            ON CONFLICT (partner_id, company_id, date) DO UPDATE
               SET %(updates)s, %(merged_derived)s
             WHERE (%(current)s) IS DISTINCT FROM (%(excluded)s)
            """,
                sums=each("SUM(%s) AS %s", owned),
                union=self._sources_union(scope, sources, owned),
                selected=scope.where(SQL("f.partner_id"), SQL("f.company_id"), SQL("f.date")),
                no_figure=no_figure,
                owned_zero=owned_zero,
                zeroes=each("%s = 0", owned),
                derived=each("%s", derived),
                zero_derived=derived_sets(lambda c: SQL("0") if c in owned else SQL("f.%s", ident(c))),
                owned=each("%s", owned),
                all_columns=each("%s", owned + kept),
                # a new row has no figure yet from the other sources
                kept_zeroes=SQL("").join(SQL("0, ") for _c in kept),
                new_derived=derived_values(lambda c: SQL("src.%s", ident(c)) if c in owned else SQL("0")),
                updates=each("%s = EXCLUDED.%s", owned),
                # owned columns take their new values, the others stay as the row has them
                merged_derived=derived_sets(lambda c: SQL("EXCLUDED.%s" if c in owned else "f.%s", ident(c))),
                current=each("f.%s", owned),
                excluded=each("EXCLUDED.%s", owned),
            )
        )
        self.invalidate_model()
