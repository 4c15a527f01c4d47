from odoo import models


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
