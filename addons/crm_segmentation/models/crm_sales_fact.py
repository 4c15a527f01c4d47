from odoo import api, fields, models
from odoo.tools import SQL

# account.move fields the facts are read from: a write of one of them on a posted customer invoice
# refreshes the facts of its customer and day
MOVE_FACT_FIELDS = ("state", "commercial_partner_id", "company_id", "invoice_date", "move_type", "partner_id")


class CrmSalesFact(models.Model):
    """Each customer's invoiced sales of one day in one company, kept up to date as invoices are posted,
    reset to draft or cancelled: what the nightly RFM, value-class and lifecycle computations read instead
    of every invoice (and, with the ERP bridge, every invoice line and valuation layer).

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
    net_amount = fields.Monetary(
        string="Net Invoiced",
        readonly=True,
        help="Untaxed amount of the day's posted invoices minus credit notes, in company currency.",
    )
    contribution = fields.Monetary(
        readonly=True,
        help="What value classes rank customers by: the net invoiced amount, or the net contribution after "
        "cost of goods and cost to serve when the ERP bridge is installed.",
    )

    _sql_constraints = [
        ("partner_company_date_uniq", "UNIQUE(partner_id, company_id, date)", "One row per customer, company and day.")
    ]

    def init(self):
        # the nightly RFM reads a company's rows customer by customer: an index-only scan of this index
        # feeds the per-customer aggregate in order, without hashing 300,000 rows into 100,000 groups
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS crm_sales_fact_company_partner_index
                   ON crm_sales_fact (company_id, partner_id, date) INCLUDE (invoice_count, net_amount, contribution)"""
        )

    # ------------------------------------------------------------------ sources
    @api.model
    def _fact_columns(self):
        """The measure columns, in table order; extensions append theirs and add a source in ``_fact_sources``."""
        return ["invoice_count", "net_amount"]

    @api.model
    def _fact_contribution_sql(self, column):
        """Expression giving the ``contribution`` column (stored, so the nightly value classes sum one column
        instead of recomputing it for every row); ``column(name)`` is the SQL of a measure column."""
        return column("net_amount")

    @api.model
    def _fact_sources(self, key_filter):
        """[(tag, SQL, columns)]: queries returning (partner_id, company_id, date, *columns) for the rows that
        ``key_filter(partner, company, date)`` selects; several rows of one key are summed. Each source owns
        its columns: a change of invoices refreshes the "moves" sources and leaves the others' columns."""
        query = SQL(
            """
            SELECT m.commercial_partner_id, m.company_id, m.invoice_date,
                   COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'), SUM(m.amount_untaxed_signed)
              FROM account_move m
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
               AND m.commercial_partner_id IS NOT NULL AND m.invoice_date IS NOT NULL AND %s
          GROUP BY 1, 2, 3
            """,
            key_filter(SQL("m.commercial_partner_id"), SQL("m.company_id"), SQL("m.invoice_date")),
        )
        return [("moves", query, ["invoice_count", "net_amount"])]

    # ------------------------------------------------------------------ maintenance
    @api.model
    def _refresh(self, keys, tags=None):
        """Recompute the rows of these (partner_id, company_id, date) keys from their sources (those of
        ``tags`` only, when given)."""
        keys = {key for key in keys if all(key)}
        if not keys:
            return
        partners, companies, dates = (list(col) for col in zip(*keys, strict=True))

        def key_filter(partner, company, date):
            # the partner condition alone lets every source start from its customer index
            return SQL(
                "%s = ANY(%s) AND (%s, %s, %s) IN (SELECT * FROM unnest(%s::int[], %s::int[], %s::date[]))",
                partner,
                sorted(set(partners)),
                partner,
                company,
                date,
                partners,
                companies,
                dates,
            )

        self._write_facts(key_filter, tags)

    @api.model
    def _refresh_partners(self, partner_ids):
        """Recompute every row of these customers (their contacts moved to another commercial entity)."""
        ids = sorted({pid for pid in partner_ids if pid})
        if ids:
            self._write_facts(lambda partner, company, date: SQL("%s = ANY(%s)", partner, ids))

    @api.model
    def _rebuild(self, companies=None):
        """Recompute the facts of these companies (all by default) from scratch."""
        ids = (companies or self.env["res.company"].sudo().search([])).ids
        self._write_facts(lambda partner, company, date: SQL("%s = ANY(%s)", company, ids))

    @api.model
    def _write_facts(self, key_filter, tags=None):
        """One statement: aggregate the sources (of ``tags``) for the selected keys, upsert their columns
        where they changed, zero them on the selected rows they no longer reach, and delete the rows left
        without any figure."""
        columns = self._fact_columns()
        sources = [src for src in self._fact_sources(key_filter) if tags is None or src[0] in tags]
        owned = [c for c in columns if any(c in src[2] for src in sources)]
        kept = [c for c in columns if c not in owned]
        parts = []
        for _tag, query, source_columns in sources:
            values = [SQL.identifier(c) if c in source_columns else SQL("0 AS %s", SQL.identifier(c)) for c in owned]
            parts.append(
                SQL(
                    "SELECT k1 AS partner_id, k2 AS company_id, k3 AS date, %s FROM (%s) AS q(k1, k2, k3, %s)",
                    SQL(", ").join(values),
                    query,
                    SQL(", ").join(SQL.identifier(c) for c in source_columns),
                )
            )

        def ident(c):
            return SQL.identifier(c)

        def each(template, cols):
            return SQL(", ").join(SQL(template, *[ident(c)] * template.count("%s")) for c in cols)

        no_figure = SQL(" AND ").join([SQL("TRUE"), *(SQL("COALESCE(f.%s, 0) = 0", ident(c)) for c in kept)])
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
                 WHERE %(selected)s
                   AND NOT EXISTS (SELECT FROM src WHERE src.partner_id = f.partner_id
                                      AND src.company_id = f.company_id AND src.date = f.date)
            ), gone AS (
                DELETE FROM crm_sales_fact WHERE id IN (SELECT id FROM orphan WHERE empty)
            ), cleared AS (
                UPDATE crm_sales_fact f SET %(zeroes)s, contribution = %(zero_contribution)s
                 WHERE f.id IN (SELECT id FROM orphan WHERE NOT empty)
            )
            INSERT INTO crm_sales_fact AS f (partner_id, company_id, date, %(all_columns)s, contribution)
            SELECT partner_id, company_id, date, %(owned)s, %(kept_zeroes)s %(new_contribution)s FROM src
            ON CONFLICT (partner_id, company_id, date) DO UPDATE
               SET %(updates)s, contribution = %(merged_contribution)s
             WHERE (%(current)s) IS DISTINCT FROM (%(excluded)s)
            """,
                sums=each("SUM(%s) AS %s", owned),
                union=SQL(" UNION ALL ").join(parts),
                selected=key_filter(SQL("f.partner_id"), SQL("f.company_id"), SQL("f.date")),
                no_figure=no_figure,
                zeroes=each("%s = 0", owned),
                zero_contribution=self._fact_contribution_sql(
                    lambda c: SQL("0") if c in owned else SQL("f.%s", ident(c))
                ),
                owned=each("%s", owned),
                all_columns=each("%s", owned + kept),
                # a new row has no figure yet from the other sources
                kept_zeroes=SQL("").join(SQL("0, ") for _c in kept),
                new_contribution=self._fact_contribution_sql(
                    lambda c: SQL("src.%s", ident(c)) if c in owned else SQL("0")
                ),
                updates=each("%s = EXCLUDED.%s", owned),
                # owned columns take their new values, the others stay as the row has them
                merged_contribution=self._fact_contribution_sql(
                    lambda c: SQL("EXCLUDED.%s" if c in owned else "f.%s", ident(c))
                ),
                current=each("f.%s", owned),
                excluded=each("EXCLUDED.%s", owned),
            )
        )
        self.invalidate_model()
