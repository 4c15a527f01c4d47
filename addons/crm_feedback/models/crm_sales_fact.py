from odoo import api, fields, models
from odoo.tools import SQL


class CrmSalesFact(models.Model):
    """The customer figures count the credit notes issued from feedback tickets as cost to serve:
    ``ticket_credit``, out of the gross revenue."""

    _inherit = "crm.sales.fact"

    ticket_credit = fields.Monetary(
        string="Ticket Credit Notes", readonly=True, help="Credit notes issued to resolve feedback tickets."
    )

    @api.model
    def _fact_line_classes(self):
        return [*super()._fact_line_classes(), (20, "ticket_credit", SQL("m.feedback_ticket_id IS NOT NULL"))]
