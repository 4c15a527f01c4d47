from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_segmentation.models.crm_rfm_score import VALUE_CLASSES


class CrmCustomerProfitability(models.Model):
    """Customer profitability per month: revenue from invoice lines, cost of goods from the stock
    valuation of what was actually delivered (net of returns), and the cost to serve.

    - gross revenue (``revenue``): untaxed invoice and credit note lines, excluding loyalty reward lines and
      credit notes issued from feedback tickets (those are cost to serve);
    - cogs: minus the value of the valuation layers of customer deliveries and returns (real cost,
      FIFO or average as configured), each cost counted once; consumables invoiced without any delivery
      fall back to their standard cost when the invoice was posted (``crm_consumable_cost``);
    - cost to serve: credit notes from feedback tickets + loyalty points redeemed on orders;
    - net revenue = gross revenue - cost to serve: what the customer was invoiced after every credit note
      and points discount (the 360 view's figure);
    - net contribution = gross revenue - cogs - cost to serve.

    The derived measures are defined once, in ``_measure_sql``, for this report, the 360 view and the
    workbook.
    """

    _name = "crm.customer.profitability"
    _description = "Customer Profitability"
    _auto = False
    _order = "date desc"
    _rec_name = "partner_id"
    _depends = {
        "account.move": [
            "state",
            "move_type",
            "invoice_date",
            "company_id",
            "commercial_partner_id",
            "feedback_ticket_id",
        ],
        "account.move.line": ["balance", "quantity", "product_id", "display_type", "move_id", "crm_consumable_cost"],
        "crm.loyalty.program": ["reward_product_id"],
        "stock.valuation.layer": ["value", "stock_move_id", "company_id", "product_id"],
        "product.template": ["categ_id"],
        "crm.rfm.score": ["partner_id", "company_id", "segment_id", "value_class"],
        "stock.move": ["sale_line_id"],
        "sale.order.line": ["order_id"],
        "sale.order": ["partner_id"],
        "res.partner": ["commercial_partner_id", "user_id", "lifecycle_stage_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Month", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    lifecycle_stage_id = fields.Many2one("crm.lifecycle.stage", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    segment_id = fields.Many2one("crm.rfm.segment", string="RFM Segment", readonly=True)
    value_class = fields.Selection(VALUE_CLASSES, readonly=True)
    revenue = fields.Monetary(
        string="Gross Revenue",
        readonly=True,
        help="Untaxed invoiced sales minus ordinary credit notes, before the loyalty rewards (points paid with) "
        "and the credit notes of feedback tickets, which count as cost to serve.",
    )
    cogs = fields.Monetary(string="Cost of Goods Sold", readonly=True)
    gross_margin = fields.Monetary(readonly=True, help="Gross Revenue - Cost of Goods Sold.")
    ticket_credit = fields.Monetary(string="Credit Notes from Tickets", readonly=True)
    loyalty_rewards = fields.Monetary(readonly=True)
    cost_to_serve = fields.Monetary(readonly=True, help="Credit Notes from Tickets + Loyalty Rewards.")
    net_revenue = fields.Monetary(
        readonly=True,
        help="Gross Revenue - Cost to Serve: the untaxed amount invoiced to the customer after every credit "
        "note and points discount (the Net Revenue of the customer's 360° view).",
    )
    net_contribution = fields.Monetary(readonly=True, help="Gross Revenue - Cost of Goods Sold - Cost to Serve.")
    margin_pct = fields.Float(string="Margin %", readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        return self._profitability_query()

    @api.model
    def _measure_sql(self, measure, column):
        """SQL of a derived measure from the base columns, ``column(name)`` giving the SQL of ``revenue``,
        ``cogs``, ``ticket_credit`` or ``loyalty_rewards`` in the caller's query: the one definition of each
        figure, read by this report, the 360 view and the workbook."""
        revenue, cogs, ticket, rewards = (column(c) for c in ("revenue", "cogs", "ticket_credit", "loyalty_rewards"))
        return {
            "gross_margin": SQL("(%s - %s)", revenue, cogs),
            "cost_to_serve": SQL("(%s + %s)", ticket, rewards),
            "net_revenue": SQL("(%s - %s - %s)", revenue, ticket, rewards),
            "net_contribution": SQL("(%s - %s - %s - %s)", revenue, cogs, ticket, rewards),
        }[measure]

    @api.model
    def _profitability_query(self, company_id=None, date_from=None, date_to=None):
        def total(name):
            return SQL("SUM(src.%s)", SQL.identifier(name))

        return SQL(
            """
            WITH src AS (%(src)s)
            -- a key of the grouped rows (their first invoice line or valuation layer): the same row keeps its
            -- id from one read to the next, whatever the order, filter or other customers' rows
            SELECT MIN(src.row_key) AS id, src.partner_id, src.company_id, src.date, src.categ_id,
                   p.user_id, p.lifecycle_stage_id, s.segment_id, s.value_class,
                   SUM(src.revenue) AS revenue, SUM(src.cogs) AS cogs, %(gross_margin)s AS gross_margin,
                   SUM(src.ticket_credit) AS ticket_credit, SUM(src.loyalty_rewards) AS loyalty_rewards,
                   %(cost_to_serve)s AS cost_to_serve, %(net_revenue)s AS net_revenue,
                   %(net_contribution)s AS net_contribution,
                   CASE WHEN SUM(src.revenue) <> 0
                        THEN 100.0 * %(gross_margin)s / SUM(src.revenue) ELSE 0 END AS margin_pct
              FROM src JOIN res_partner p ON p.id = src.partner_id
         LEFT JOIN crm_rfm_score s ON s.partner_id = src.partner_id AND s.company_id = src.company_id
          GROUP BY src.partner_id, src.company_id, src.date, src.categ_id, p.user_id, p.lifecycle_stage_id,
                   s.segment_id, s.value_class
            """,
            src=self._profitability_source(company_id, date_from, date_to),
            gross_margin=self._measure_sql("gross_margin", total),
            cost_to_serve=self._measure_sql("cost_to_serve", total),
            net_revenue=self._measure_sql("net_revenue", total),
            net_contribution=self._measure_sql("net_contribution", total),
        )

    @api.model
    def _profitability_source(self, *args, **kwargs):
        """Invoice lines and valuation layers together: see ``_profitability_parts``."""
        return SQL(" UNION ALL ").join(self._profitability_parts(*args, **kwargs))

    @api.model
    def _profitability_parts(
        self, company_id=None, date_from=None, date_to=None, partner_ids=None, grain="month", key_filter=None
    ):
        """Rows (partner, company, date, product category, revenue, cogs, ticket_credit, loyalty_rewards,
        row_key: an id of the row's first source record, even for invoice lines, odd for valuation layers),
        optionally for some commercial partners only (filtered at the source, so the cost follows their
        history, not the whole company's). ``grain``: "month" (month and product category), "day" (invoice
        or delivery date, no category: the daily sales facts) or "partner" (one row per partner and
        company, date and category empty: what per-customer totals need). ``key_filter(partner, company,
        date)`` returns an extra SQL condition on the rows' keys."""
        move_filter = SQL("")
        svl_filter = SQL("")
        if partner_ids is not None:
            move_filter = SQL("%s AND m.commercial_partner_id = ANY(%s)", move_filter, list(partner_ids))
            svl_filter = SQL("%s AND cp.commercial_partner_id = ANY(%s)", svl_filter, list(partner_ids))
        if company_id:
            move_filter = SQL("%s AND m.company_id = %s", move_filter, company_id)
            svl_filter = SQL("%s AND svl.company_id = %s", svl_filter, company_id)
        if date_from:
            move_filter = SQL("%s AND m.invoice_date > %s", move_filter, date_from)
            svl_filter = SQL("%s AND svl.create_date::date > %s", svl_filter, date_from)
        if date_to:
            move_filter = SQL("%s AND m.invoice_date <= %s", move_filter, date_to)
            svl_filter = SQL("%s AND svl.create_date::date <= %s", svl_filter, date_to)
        if key_filter:
            move_filter = SQL(
                "%s AND %s",
                move_filter,
                key_filter(SQL("m.commercial_partner_id"), SQL("m.company_id"), SQL("m.invoice_date")),
            )
            svl_filter = SQL(
                "%s AND %s",
                svl_filter,
                key_filter(SQL("cp.commercial_partner_id"), SQL("svl.company_id"), SQL("svl.create_date::date")),
            )
        if grain == "month":
            move_keys = SQL("date_trunc('month', m.invoice_date)::date AS date, pc.categ_id AS categ_id")
            svl_keys = SQL("date_trunc('month', svl.create_date)::date, vpt.categ_id")
        elif grain == "day":
            move_keys = SQL("m.invoice_date AS date, NULL::int AS categ_id")
            svl_keys = SQL("svl.create_date::date, NULL::int")
        else:
            move_keys = SQL("NULL::date AS date, NULL::int AS categ_id")
            svl_keys = SQL("NULL::date, NULL::int")
        lines = SQL(
            """
            SELECT m.commercial_partner_id AS partner_id, m.company_id, %(move_keys)s,
                   SUM(CASE WHEN NOT COALESCE(pc.is_reward, FALSE) AND m.feedback_ticket_id IS NULL
                            THEN -aml.balance ELSE 0 END) AS revenue,
                   -- consumables invoiced without a delivery: their cost when the invoice was posted (the cost
                   -- of whatever is delivered comes from the valuation layers below, once)
                   SUM(COALESCE(aml.crm_consumable_cost, 0)) AS cogs,
                   SUM(CASE WHEN NOT COALESCE(pc.is_reward, FALSE) AND m.feedback_ticket_id IS NOT NULL
                            THEN aml.balance ELSE 0 END) AS ticket_credit,
                   SUM(CASE WHEN pc.is_reward THEN aml.balance ELSE 0 END) AS loyalty_rewards,
                   MIN(aml.id)::bigint * 2 AS row_key
              FROM account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
              -- product facts once per product, not once per line
         LEFT JOIN (SELECT pp.id, pt.categ_id,
                           pp.id IN (SELECT reward_product_id FROM crm_loyalty_program
                                      WHERE reward_product_id IS NOT NULL) AS is_reward
                      FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id) pc
                ON pc.id = aml.product_id
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'product' AND m.commercial_partner_id IS NOT NULL %(move_filter)s
          GROUP BY 1, 2, 3, 4
            """,
            move_filter=move_filter,
            move_keys=move_keys,
        )
        layers = SQL(
            """
            SELECT cp.commercial_partner_id, svl.company_id, %(svl_keys)s, 0, -SUM(svl.value), 0, 0,
                   MIN(svl.id)::bigint * 2 + 1
              FROM stock_valuation_layer svl
              JOIN product_product vpp ON vpp.id = svl.product_id
              JOIN product_template vpt ON vpt.id = vpp.product_tmpl_id
              JOIN stock_move sm ON sm.id = svl.stock_move_id
              JOIN sale_order_line sol ON sol.id = sm.sale_line_id
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner cp ON cp.id = so.partner_id
             WHERE TRUE %(svl_filter)s
          GROUP BY 1, 2, 3, 4
            """,
            svl_filter=svl_filter,
            svl_keys=svl_keys,
        )
        return lines, layers
