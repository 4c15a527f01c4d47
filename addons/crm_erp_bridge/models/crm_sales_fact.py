from odoo import api, fields, models
from odoo.tools import SQL

LINE_COLUMNS = ["revenue", "consumable_cost", "ticket_credit", "loyalty_rewards"]


class CrmSalesFact(models.Model):
    """The daily sales facts carry the customer's contribution too: gross revenue, real cost of goods
    (valuation layers of the deliveries; consumables invoiced without a delivery at their standard cost when
    the invoice is posted), ticket credit notes and loyalty rewards, by invoice date and delivery date, so
    value classes read them instead of every invoice line and valuation layer."""

    _inherit = "crm.sales.fact"

    revenue = fields.Monetary(
        string="Gross Revenue",
        readonly=True,
        help="Invoiced sales, before loyalty rewards and ticket credit notes (the Gross Revenue of Customer "
        "Profitability).",
    )
    cogs = fields.Monetary(
        string="Cost of Goods",
        readonly=True,
        help="Valuation of the day's deliveries to the customer, returns deducted.",
    )
    consumable_cost = fields.Monetary(
        string="Consumables Cost",
        readonly=True,
        help="Cost of the consumables invoiced that day without a delivery, at their standard cost when the "
        "invoice was posted (delivered goods are costed by their valuation, in Cost of Goods).",
    )
    ticket_credit = fields.Monetary(string="Ticket Credit Notes", readonly=True)
    loyalty_rewards = fields.Monetary(readonly=True)

    @api.model
    def _fact_columns(self):
        return [*super()._fact_columns(), *LINE_COLUMNS, "cogs"]

    @api.model
    def _fact_contribution_sql(self, column):
        # value classes on net contribution (revenue - real COGS - cost to serve) instead of revenue
        return SQL(
            "%s - %s - %s - %s - %s",
            column("revenue"),
            column("cogs"),
            column("consumable_cost"),
            column("ticket_credit"),
            column("loyalty_rewards"),
        )

    @api.model
    def _fact_sources(self, key_filter):
        lines, layers = self.env["crm.customer.profitability"]._profitability_parts(grain="day", key_filter=key_filter)
        lines = SQL(
            "SELECT partner_id, company_id, date, SUM(revenue), SUM(cogs), SUM(ticket_credit), SUM(loyalty_rewards)"
            " FROM (%s) src GROUP BY 1, 2, 3",
            lines,
        )
        layers = SQL(
            "SELECT p, c, d, SUM(cost) FROM (%s) AS src(p, c, d, categ, r, cost, t, l) GROUP BY 1, 2, 3", layers
        )
        # invoice lines change with the invoices ("moves"), valuation layers with the deliveries
        return [*super()._fact_sources(key_filter), ("moves", lines, LINE_COLUMNS), ("layers", layers, ["cogs"])]

    @api.model
    def _refresh_layers(self, layers):
        """Valuation layers of customer deliveries: the cost of goods of their customer and day."""
        self._refresh(
            {
                (
                    layer.stock_move_id.sale_line_id.order_id.partner_id.commercial_partner_id.id,
                    layer.company_id.id,
                    layer.create_date.date(),
                )
                for layer in layers
                if layer.stock_move_id.sale_line_id
            },
            tags={"layers"},
        )

    @api.model
    def _refresh_products(self, product_ids):
        """Every customer day with invoice lines of these products (a product became or stopped being a
        loyalty reward: its lines move between revenue and rewards)."""
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
