from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft)
        customers = posted.filtered(lambda m: m.move_type == "out_invoice").commercial_partner_id
        if customers:
            customers._lifecycle_on_activity()
        return posted
