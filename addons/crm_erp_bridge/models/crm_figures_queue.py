from odoo import fields, models


class CrmFiguresQueue(models.Model):
    """Deliveries and returns refresh the customer's figures too (their cost of goods, the lifecycle); so do
    tickets handled and invoices paid (their cost to serve)."""

    _inherit = "crm.figures.queue"

    event = fields.Selection(
        selection_add=[
            ("delivery", "Delivery validated"),
            ("return", "Return validated"),
            ("ticket", "Ticket handled"),
            ("reconcile", "Invoice paid or unpaid"),
        ],
        ondelete={"delivery": "cascade", "return": "cascade", "ticket": "cascade", "reconcile": "cascade"},
    )
