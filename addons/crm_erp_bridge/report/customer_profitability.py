from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.models.crm_sales_fact import FactScope
from odoo.addons.crm_segmentation.models.crm_rfm_score import VALUE_CLASSES


class CrmCustomerProfitability(models.Model):
    """Customer profitability per month and product category, from the sources of the customer figures
    (crm_customer_facts): the same measures, with the same names and definitions, as the 360 view, the
    value classes, the loyalty tiers and the accounting workbook.

    - gross revenue: untaxed invoice and credit note lines, except loyalty rewards and the credit notes of
      feedback tickets (cost to serve);
    - cost of goods: the valuation of what was actually delivered, returns deducted (real cost, FIFO or
      average as configured), and consumables invoiced without a delivery at their standard cost when the
      invoice was posted;
    - cost to serve: credit notes of feedback tickets + loyalty points redeemed on orders;
    - net revenue = gross revenue - cost to serve; gross margin = gross revenue - cost of goods;
      contribution = gross revenue - cost of goods - cost to serve;
    - service cost: ticket handling + freight + returns handling + payment delay (not on the invoices, priced
      with the company's rates); net profit = contribution - service cost.
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
        "stock.move": ["sale_line_id", "date"],
        "sale.order.line": ["order_id"],
        "sale.order": ["partner_id"],
        "res.partner": ["commercial_partner_id", "user_id", "lifecycle_stage_id"],
        # the service costs (models/crm_sales_fact.py)
        "crm.feedback.ticket": ["time_spent", "is_closed", "verified", "date_closed", "team_id"],
        "crm.feedback.team": ["crm_hourly_cost"],
        "account.analytic.line": ["unit_amount", "crm_feedback_ticket_id"],
        "stock.picking": ["state", "date_done", "partner_id", "return_id"],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id", "credit_move_id"],
        "res.company": ["crm_ticket_hourly_cost", "crm_shipment_cost", "crm_return_cost", "crm_cost_of_capital"],
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
    gross_revenue = fields.Monetary(
        readonly=True,
        help="Untaxed invoiced sales minus ordinary credit notes, before the loyalty rewards (points paid with) "
        "and the credit notes of feedback tickets, which count as cost to serve.",
    )
    cost_of_goods = fields.Monetary(
        string="Cost of Goods",
        readonly=True,
        help="Valuation of the goods delivered, returns deducted, and consumables invoiced without a delivery "
        "at their cost when invoiced.",
    )
    gross_margin = fields.Monetary(readonly=True, help="Gross Revenue - Cost of Goods.")
    ticket_credit = fields.Monetary(string="Credit Notes from Tickets", readonly=True)
    loyalty_rewards = fields.Monetary(readonly=True)
    cost_to_serve = fields.Monetary(readonly=True, help="Credit Notes from Tickets + Loyalty Rewards.")
    net_revenue = fields.Monetary(
        readonly=True,
        help="Gross Revenue - Cost to Serve: the untaxed amount invoiced to the customer after every credit "
        "note and points discount (the Net Revenue of the customer's 360° view).",
    )
    contribution = fields.Monetary(readonly=True, help="Gross Revenue - Cost of Goods - Cost to Serve.")
    ticket_handling_cost = fields.Monetary(string="Ticket Handling", readonly=True)
    freight_cost = fields.Monetary(string="Freight", readonly=True)
    return_cost = fields.Monetary(string="Returns Handling", readonly=True)
    payment_delay_cost = fields.Monetary(string="Payment Delay", readonly=True)
    service_cost = fields.Monetary(
        readonly=True,
        help="Ticket Handling + Freight + Returns Handling + Payment Delay (their rates in the settings).",
    )
    net_profit = fields.Monetary(readonly=True, help="Contribution - Service Cost.")
    margin_pct = fields.Float(string="Margin %", readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        Fact = self.env["crm.sales.fact"]

        def column(name):
            return SQL("src.%s", SQL.identifier(name))

        def measure(name):
            return Fact._measure_sql(name, column)

        return SQL(
            """
            SELECT src.id, src.partner_id, src.company_id, src.date, src.categ_id,
                   p.user_id, p.lifecycle_stage_id, s.segment_id, s.value_class,
                   src.gross_revenue, %(cost_of_goods)s AS cost_of_goods, %(gross_margin)s AS gross_margin,
                   src.ticket_credit, src.loyalty_rewards, %(cost_to_serve)s AS cost_to_serve,
                   %(net_revenue)s AS net_revenue, %(contribution)s AS contribution,
                   src.ticket_handling_cost, src.freight_cost, src.return_cost, src.payment_delay_cost,
                   %(service_cost)s AS service_cost, %(net_profit)s AS net_profit,
                   CASE WHEN src.gross_revenue <> 0
                        THEN 100.0 * %(gross_margin)s / src.gross_revenue ELSE 0 END AS margin_pct
              FROM (%(rows)s) src
              JOIN res_partner p ON p.id = src.partner_id
         LEFT JOIN crm_rfm_score s ON s.partner_id = src.partner_id AND s.company_id = src.company_id
            """,
            rows=Fact._fact_source_rows_sql(FactScope(), grain="month"),
            cost_of_goods=measure("cost_of_goods"),
            gross_margin=measure("gross_margin"),
            cost_to_serve=measure("cost_to_serve"),
            net_revenue=measure("net_revenue"),
            contribution=measure("contribution"),
            service_cost=measure("service_cost"),
            net_profit=measure("net_profit"),
        )
