from odoo import models

# the fields of a done picking its freight or return cost is computed from (crm.sales.fact's sources)
PICKING_COST_FIELDS = {"carrier_price", "carrier_id", "date_done", "partner_id"}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        customer_moves = self.filtered(
            lambda p: p.state == "done" and p.partner_id and p.picking_type_code in ("outgoing", "incoming")
        )
        self.env["crm.figures.queue"]._enqueue(
            customer_moves.filtered(lambda p: p.picking_type_code == "outgoing").partner_id, "delivery"
        )
        self.env["crm.figures.queue"]._enqueue(
            customer_moves.filtered(lambda p: p.return_id and p.picking_type_code == "incoming").partner_id, "return"
        )
        return res

    def write(self, vals):
        res = super().write(vals)
        if PICKING_COST_FIELDS.intersection(vals):
            # a done delivery's carrier cost or date changed: its customer's freight cost follows
            customer_pickings = self.filtered(
                lambda p: p.state == "done" and (p.picking_type_code == "outgoing" or p.return_id)
            )
            self.env["crm.figures.queue"]._enqueue(customer_pickings.partner_id, "delivery")
        return res
