from odoo import api, models


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _crm_fact_fields(self):
        # a credit note tied to a ticket is cost to serve, not negative revenue
        return super()._crm_fact_fields() | {"feedback_ticket_id"}

    def _post(self, soft=True):
        # before the posting writes the state: the daily sales facts refreshed then read the cost
        self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund")).line_ids._crm_set_consumable_cost()
        return super()._post(soft)
