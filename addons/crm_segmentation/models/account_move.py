from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # every per-customer figure (lifecycle after posting, the 360 panel, profitability of a customer)
    # filters invoices by commercial partner: without an index each of them reads every invoice
    commercial_partner_id = fields.Many2one(index=True)

    def _post(self, soft=True):
        posted = super()._post(soft)
        customers = posted.filtered(lambda m: m.move_type == "out_invoice").commercial_partner_id
        if customers:
            customers._lifecycle_on_activity()
        return posted
