from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft)
        customers = posted.filtered(lambda m: m.move_type == "out_invoice").commercial_partner_id
        if customers:
            # light and bounded: one query for these customers only
            self.env["res.partner"].sudo()._evaluate_lifecycle(partner_ids=customers.ids)  # sudo: stage is derived data
        return posted
