from odoo import api, models


class StockValuationLayer(models.Model):
    _inherit = "stock.valuation.layer"

    @api.model_create_multi
    def create(self, vals_list):
        layers = super().create(vals_list)
        # a delivery (or return) to a customer is cost of goods of that customer's day
        self.env["crm.sales.fact"]._refresh_layers(layers)
        return layers
