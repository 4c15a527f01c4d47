from odoo import fields, models


class CrmFiguresQueue(models.Model):
    """Deliveries and returns refresh the customer's figures too (their cost of goods, the lifecycle)."""

    _inherit = "crm.figures.queue"

    event = fields.Selection(
        selection_add=[("delivery", "Delivery validated"), ("return", "Return validated")],
        ondelete={"delivery": "cascade", "return": "cascade"},
    )
