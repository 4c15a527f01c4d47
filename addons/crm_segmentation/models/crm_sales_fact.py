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
    def _fact_contribution_sql(self):
        """Expression over the summed measure columns giving the ``contribution`` column (stored, so the
        nightly value classes sum one column instead of recomputing it for every row)."""
        return SQL("net_amount")

    @api.model
    def _fact_sources(self, key_filter):
        """[(SQL, columns)]: queries returning (partner_id, company_id, date, *columns) for the rows that
        ``key_filter(partner, company, date)`` selects; several rows of one key are summed."""
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
        return [(query, ["invoice_count", "net_amount"])]

    # ------------------------------------------------------------------ maintenance
    @api.model
    def _refresh(self, keys):
        """Recompute the rows of these (partner_id, company_id, date) keys from their sources."""
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

        self._write_facts(key_filter)

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
    def _write_facts(self, key_filter):
        """One statement: aggregate the sources for the selected keys, upsert the rows that changed and
        delete the selected rows that have no source left."""
        columns = self._fact_columns()
        parts = []
        for query, owned in self._fact_sources(key_filter):
            values = [SQL.identifier(c) if c in owned else SQL("0 AS %s", SQL.identifier(c)) for c in columns]
            parts.append(
                SQL(
                    "SELECT k1 AS partner_id, k2 AS company_id, k3 AS date, %s FROM (%s) AS q(k1, k2, k3, %s)",
                    SQL(", ").join(values),
                    query,
                    SQL(", ").join(SQL.identifier(c) for c in owned),
                )
            )
        sums = SQL(", ").join(SQL("SUM(%s) AS %s", SQL.identifier(c), SQL.identifier(c)) for c in columns)
        columns = [*columns, "contribution"]
        cols = SQL(", ").join(SQL.identifier(c) for c in columns)
        # the sources are read in SQL: pending changes of invoices, lines, products, layers first
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH sums AS (
                SELECT partner_id, company_id, date, %(sums)s
                  FROM (%(union)s) s
              GROUP BY partner_id, company_id, date
            ), src AS (
                SELECT sums.*, %(contribution)s AS contribution FROM sums
            ), gone AS (
                DELETE FROM crm_sales_fact f
                 WHERE %(selected)s
                   AND NOT EXISTS (SELECT FROM src WHERE src.partner_id = f.partner_id
                                      AND src.company_id = f.company_id AND src.date = f.date)
            )
            INSERT INTO crm_sales_fact (partner_id, company_id, date, %(cols)s)
            SELECT partner_id, company_id, date, %(cols)s FROM src
            ON CONFLICT (partner_id, company_id, date) DO UPDATE SET %(updates)s
             WHERE (%(current)s) IS DISTINCT FROM (%(new)s)
            """,
                contribution=self._fact_contribution_sql(),
                sums=sums,
                union=SQL(" UNION ALL ").join(parts),
                selected=key_filter(SQL("f.partner_id"), SQL("f.company_id"), SQL("f.date")),
                cols=cols,
                updates=SQL(", ").join(SQL("%s = EXCLUDED.%s", SQL.identifier(c), SQL.identifier(c)) for c in columns),
                current=SQL(", ").join(SQL("crm_sales_fact.%s", SQL.identifier(c)) for c in columns),
                new=SQL(", ").join(SQL("EXCLUDED.%s", SQL.identifier(c)) for c in columns),
            )
        )
        self.invalidate_model()
