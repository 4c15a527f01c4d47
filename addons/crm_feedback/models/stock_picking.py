from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    feedback_ticket_id = fields.Many2one("crm.feedback.ticket", copy=False, index="btree_not_null", readonly=True)


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        if self.env.context.get("crm_feedback_ticket_id"):
            vals["feedback_ticket_id"] = self.env.context["crm_feedback_ticket_id"]
        return vals
