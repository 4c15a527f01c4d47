from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        res = super().action_post()
        self.env["crm.figures.queue"]._enqueue(
            self.filtered(lambda p: p.partner_type == "customer").partner_id, "payment"
        )
        return res
