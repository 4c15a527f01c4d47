from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.models.crm_sales_fact import FactScope

# the costs of serving a customer that are not on the invoices, each a registered source of the facts (tag
# "service"), dated on the day the cost was incurred; their sum is the service cost
SERVICE_COSTS = ("ticket_handling_cost", "freight_cost", "return_cost", "payment_delay_cost")

# the cost components a customer's net profit is reduced by: the service costs and the cost to serve already on
# the invoices (loyalty rewards, ticket credit notes); the largest names what makes a customer unprofitable
COST_COMPONENTS = (
    "ticket_handling_cost",
    "freight_cost",
    "return_cost",
    "payment_delay_cost",
    "loyalty_rewards",
    "ticket_credit",
)


class CrmSalesFact(models.Model):
    """The customer figures carry the cost of goods too: the valuation of the deliveries to the customer,
    returns deducted (``cogs``, by delivery date: FIFO or average cost as configured), and the consumables
    invoiced without a delivery at their standard cost when the invoice was posted (``consumable_cost``, by
    invoice date). Contribution = net revenue - cost of goods.

    And the cost to serve a customer beyond the invoices: handling their tickets, shipping to them, handling
    their returns, waiting for their late payments. Each is a source of the facts (tag ``service``) and a
    column, each priced with a rate of the company's settings when the figures are computed:

    - ticket handling: closed tickets, by closing day: the hours of the ticket's timesheets when it has any,
      else its time spent, x the team's hourly cost (the company's when the team has none);
    - freight: deliveries done, by day done: the carrier's shipping cost when the delivery has a carrier
      (``stock_delivery``), else the company's cost per shipment;
    - returns handling: customer returns done, by day done: the company's cost per return;
    - payment delay: each payment of an invoice after its due date, by payment day: amount x days late x the
      company's annual cost of capital / 365 (invoices still open cost nothing until paid).

    ``service_cost`` is their sum, ``net_profit = contribution - service_cost`` (derived measures). The
    loyalty rewards and ticket credit notes stay where they are (cost to serve on the invoices, out of net
    revenue and so out of contribution): counted once.
    """

    _inherit = "crm.sales.fact"

    cogs = fields.Monetary(
        string="Cost of Goods Delivered",
        readonly=True,
        help="Valuation of the day's deliveries to the customer, returns deducted.",
    )
    consumable_cost = fields.Monetary(
        string="Consumables Cost",
        readonly=True,
        help="Cost of the consumables invoiced that day without a delivery, at their standard cost when the "
        "invoice was posted (delivered goods are costed by their valuation).",
    )
    ticket_handling_cost = fields.Monetary(
        string="Ticket Handling",
        readonly=True,
        help="Time spent on the customer's tickets closed that day x the team's hourly cost.",
    )
    freight_cost = fields.Monetary(
        string="Freight",
        readonly=True,
        help="Shipping cost of the day's deliveries: the carrier's price, else the company's cost per shipment.",
    )
    return_cost = fields.Monetary(
        string="Returns Handling", readonly=True, help="The day's returns x the company's handling cost per return."
    )
    payment_delay_cost = fields.Monetary(
        string="Payment Delay",
        readonly=True,
        help="Payments received that day after the due date: amount x days late x annual cost of capital / 365.",
    )

    @api.model
    def _fact_sources(self):
        return {
            **super()._fact_sources(),
            # valuation layers change with the deliveries, not with the invoices
            "valuation": {"measures": ["cogs"], "tag": "layers"},
            # the service costs change with tickets, pickings and payments: refreshed through the queue
            "tickets": {"measures": ["ticket_handling_cost"], "tag": "service"},
            "shipments": {"measures": ["freight_cost"], "tag": "service"},
            "returns": {"measures": ["return_cost"], "tag": "service"},
            "late_payments": {"measures": ["payment_delay_cost"], "tag": "service"},
        }

    @api.model
    def _fact_line_measures(self):
        return {**super()._fact_line_measures(), "consumable_cost": SQL("COALESCE(aml.crm_consumable_cost, 0)")}

    @api.model
    def _fact_cost_of_goods(self):
        return [*super()._fact_cost_of_goods(), "cogs", "consumable_cost"]

    @api.model
    def _fact_source_valuation(self, scope):
        """Valuation layers of the deliveries and returns of sale orders, by customer, company, day of the
        delivery (the stock move's date, the application's clock like every other date of the figures; the
        layer's create_date is the database's) and product category: minus their value is the cost of goods."""
        return SQL(
            """
            SELECT cp.commercial_partner_id AS partner_id, svl.company_id, sm.date::date AS date,
                   vpt.categ_id, MIN(svl.id)::bigint AS row_key, -SUM(svl.value) AS cogs
              FROM stock_valuation_layer svl
              JOIN product_product vpp ON vpp.id = svl.product_id
              JOIN product_template vpt ON vpt.id = vpp.product_tmpl_id
              JOIN stock_move sm ON sm.id = svl.stock_move_id
              JOIN sale_order_line sol ON sol.id = sm.sale_line_id
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner cp ON cp.id = so.partner_id
             WHERE %s
          GROUP BY 1, 2, 3, 4
            """,
            scope.where(SQL("cp.commercial_partner_id"), SQL("svl.company_id"), SQL("sm.date::date")),
        )

    @api.model
    def _refresh_layers(self, layers):
        """Valuation layers of customer deliveries: the cost of goods of their customer and day."""
        self._refresh(
            {
                (
                    layer.stock_move_id.sale_line_id.order_id.partner_id.commercial_partner_id.id,
                    layer.company_id.id,
                    layer.stock_move_id.date.date(),
                )
                for layer in layers
                if layer.stock_move_id.sale_line_id
            },
            tags={"layers"},
        )

    @api.model
    def _fact_measure_names(self):
        return {*super()._fact_measure_names(), "service_cost", "net_profit"}

    @api.model
    def _fact_measures(self):
        return {**super()._fact_measures(), "service_cost": _("Service Cost"), "net_profit": _("Net Profit")}

    @api.model
    def _measure_sql(self, name, total):
        if name == "service_cost":
            return SQL("(%s)", SQL(" + ").join(total(c) for c in SERVICE_COSTS))
        if name == "net_profit":
            return SQL("(%s - %s)", self._measure_sql("contribution", total), self._measure_sql("service_cost", total))
        return super()._measure_sql(name, total)

    @api.model
    def _cost_component_labels(self):
        """{component: label} of the cost components, in the order of COST_COMPONENTS; "cost_of_goods" names a
        customer sold below cost."""
        labels = self._fact_measures()
        return {
            **{c: labels[c] for c in COST_COMPONENTS},
            "ticket_handling_cost": _("Ticket Handling"),
            "freight_cost": _("Freight"),
            "return_cost": _("Returns Handling"),
            "payment_delay_cost": _("Payment Delay"),
            "cost_of_goods": _("Cost of Goods"),
        }

    # ------------------------------------------------------------------ sources
    # each service source returns the days with a cost only (HAVING): a rate left at zero adds no row
    @api.model
    def _fact_source_tickets(self, scope):
        """Closed, verified tickets, by customer, company and closing day: the hours of their timesheets (or
        their Time Spent) x the team's hourly cost."""
        return SQL(
            """
            SELECT t.commercial_partner_id AS partner_id, t.company_id, t.date_closed::date AS date,
                   NULL::int AS categ_id, MIN(t.id)::bigint AS row_key,
                   ROUND(SUM(COALESCE(ts.hours, t.time_spent) * COALESCE(NULLIF(team.crm_hourly_cost, 0),
                                                     c.crm_ticket_hourly_cost, 0))::numeric, 2) AS ticket_handling_cost
              FROM crm_feedback_ticket t
              JOIN res_company c ON c.id = t.company_id
         LEFT JOIN crm_feedback_team team ON team.id = t.team_id
              -- the timesheets recorded on the ticket, when there are any, else its Time Spent
         LEFT JOIN LATERAL (SELECT SUM(l.unit_amount) AS hours FROM account_analytic_line l
                             WHERE l.crm_feedback_ticket_id = t.id) ts ON TRUE
             WHERE t.is_closed AND t.verified AND t.date_closed IS NOT NULL
               AND t.commercial_partner_id IS NOT NULL AND %s
          GROUP BY 1, 2, 3
            HAVING SUM(COALESCE(ts.hours, t.time_spent)
                       * COALESCE(NULLIF(team.crm_hourly_cost, 0), c.crm_ticket_hourly_cost, 0)) <> 0
            """,
            scope.where(SQL("t.commercial_partner_id"), SQL("t.company_id"), SQL("t.date_closed::date")),
        )

    @api.model
    def _fact_source_shipments(self, scope):
        """Deliveries done to customers (returns to vendors aside), by customer, company and day done."""
        price = SQL("c.crm_shipment_cost")
        if "carrier_price" in self.env["stock.picking"]._fields:
            # stock_delivery installed: the carrier's shipping cost of the delivery when it has a carrier
            price = SQL("CASE WHEN p.carrier_id IS NOT NULL THEN COALESCE(p.carrier_price, 0) ELSE %s END", price)
        return SQL(
            """
            SELECT cp.commercial_partner_id AS partner_id, p.company_id, p.date_done::date AS date,
                   NULL::int AS categ_id, MIN(p.id)::bigint AS row_key,
                   ROUND(SUM(COALESCE(%(price)s, 0))::numeric, 2) AS freight_cost
              FROM stock_picking p
              JOIN stock_picking_type pt ON pt.id = p.picking_type_id
              JOIN res_partner cp ON cp.id = p.partner_id
              JOIN res_company c ON c.id = p.company_id
             WHERE p.state = 'done' AND pt.code = 'outgoing' AND p.return_id IS NULL AND p.date_done IS NOT NULL
               AND %(where)s
          GROUP BY 1, 2, 3
            HAVING SUM(COALESCE(%(price)s, 0)) <> 0
            """,
            price=price,
            where=scope.where(SQL("cp.commercial_partner_id"), SQL("p.company_id"), SQL("p.date_done::date")),
        )

    @api.model
    def _fact_source_returns(self, scope):
        """Customer returns done (receipts returning a delivery), by customer, company and day done."""
        return SQL(
            """
            SELECT cp.commercial_partner_id AS partner_id, p.company_id, p.date_done::date AS date,
                   NULL::int AS categ_id, MIN(p.id)::bigint AS row_key,
                   ROUND(SUM(COALESCE(c.crm_return_cost, 0))::numeric, 2) AS return_cost
              FROM stock_picking p
              JOIN stock_picking_type pt ON pt.id = p.picking_type_id
              JOIN stock_picking orig ON orig.id = p.return_id
              JOIN stock_picking_type opt ON opt.id = orig.picking_type_id
              JOIN res_partner cp ON cp.id = p.partner_id
              JOIN res_company c ON c.id = p.company_id
             WHERE p.state = 'done' AND pt.code = 'incoming' AND opt.code = 'outgoing' AND p.date_done IS NOT NULL
               AND %s
          GROUP BY 1, 2, 3
            HAVING SUM(COALESCE(c.crm_return_cost, 0)) <> 0
            """,
            scope.where(SQL("cp.commercial_partner_id"), SQL("p.company_id"), SQL("p.date_done::date")),
        )

    @api.model
    def _fact_source_late_payments(self, scope):
        """Each payment of a customer invoice's receivable after its due date (its reconciliation with anything
        but a credit note), by customer, company and payment day (the later date of the two reconciled items):
        amount x days late x rate / 365."""
        return SQL(
            """
            SELECT m.commercial_partner_id AS partner_id, m.company_id, apr.max_date AS date,
                   NULL::int AS categ_id, MIN(apr.id)::bigint AS row_key,
                   ROUND(SUM(apr.amount * (apr.max_date - aml.date_maturity)
                             * COALESCE(c.crm_cost_of_capital, 0)::numeric / 100 / 365), 2) AS payment_delay_cost
              FROM account_partial_reconcile apr
              JOIN account_move_line aml ON aml.id = apr.debit_move_id
              JOIN account_move m ON m.id = aml.move_id
              JOIN account_move_line pl ON pl.id = apr.credit_move_id
              JOIN account_move pm ON pm.id = pl.move_id
              JOIN res_company c ON c.id = m.company_id
             WHERE m.state = 'posted' AND m.move_type = 'out_invoice' AND aml.display_type = 'payment_term'
               -- a credit note settling the invoice is no money kept by the customer
               AND pm.move_type <> 'out_refund'
               AND apr.max_date > aml.date_maturity AND m.commercial_partner_id IS NOT NULL AND %s
          GROUP BY 1, 2, 3
            HAVING SUM(apr.amount * (apr.max_date - aml.date_maturity) * COALESCE(c.crm_cost_of_capital, 0)) <> 0
            """,
            scope.where(SQL("m.commercial_partner_id"), SQL("m.company_id"), SQL("apr.max_date")),
        )

    # ------------------------------------------------------------------ refresh
    @api.model
    def _refresh_service_costs(self, partners=None, companies=None):
        """Recompute the service cost columns of these commercial partners (the refresh queue's batch) or of
        every customer of these companies (a rate changed), from their sources."""
        if partners is not None and not partners:
            return
        self._write_facts(
            FactScope(
                partner_ids=partners.ids if partners is not None else None,
                company_ids=companies.ids if companies is not None else None,
            ),
            tags={"service"},
        )
