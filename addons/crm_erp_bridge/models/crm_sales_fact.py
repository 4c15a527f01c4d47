from odoo import api, fields, models
from odoo.tools import SQL


class CrmSalesFact(models.Model):
    """The customer figures carry the cost of goods too: the valuation of the deliveries to the customer,
    returns deducted (``cogs``, by delivery date: FIFO or average cost as configured), and the consumables
    invoiced without a delivery at their standard cost when the invoice was posted (``consumable_cost``, by
    invoice date). Contribution = net revenue - cost of goods."""

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

    @api.model
    def _fact_sources(self):
        # valuation layers change with the deliveries, not with the invoices
        return {**super()._fact_sources(), "valuation": {"measures": ["cogs"], "tag": "layers"}}

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
