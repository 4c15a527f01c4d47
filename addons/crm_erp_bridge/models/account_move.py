from odoo import api, models


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _crm_fact_fields(self):
        # a credit note tied to a ticket is cost to serve, not negative revenue
        return super()._crm_fact_fields() | {"feedback_ticket_id"}
