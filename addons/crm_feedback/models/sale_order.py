from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    feedback_ticket_id = fields.Many2one("crm.feedback.ticket", copy=False, index="btree_not_null", readonly=True)
