from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    feedback_ticket_id = fields.Many2one("crm.feedback.ticket", copy=False, index="btree_not_null", readonly=True)

    @api.model
    def _crm_fact_fields(self):
        # a credit note linked to a ticket moves from revenue to cost to serve in its customer's figures
        return super()._crm_fact_fields() | {"feedback_ticket_id"}


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    @api.model
    def _crm_feedback_ticket(self):
        return self.env.context.get("crm_feedback_ticket_id")

    def _prepare_default_reversal(self, move):
        vals = super()._prepare_default_reversal(move)
        if self._crm_feedback_ticket():
            vals["feedback_ticket_id"] = self._crm_feedback_ticket()
        return vals
