from odoo import api, models


class AccountPartialReconcile(models.Model):
    """Paying a customer invoice (or undoing the payment) changes its customer's payment delay cost: the
    customer is queued for the refresh of their figures (crm.figures.queue)."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._crm_enqueue_payment_delay()
        return partials

    @api.ondelete(at_uninstall=False)
    def _unlink_crm_enqueue_payment_delay(self):
        self._crm_enqueue_payment_delay()

    def _crm_enqueue_payment_delay(self):
        invoices = self.debit_move_id.move_id.filtered(lambda m: m.move_type == "out_invoice")
        self.env["crm.figures.queue"]._enqueue(invoices.commercial_partner_id, "reconcile")
