from odoo import api, fields, models

from .crm_sales_fact import MOVE_FACT_FIELDS


class AccountMove(models.Model):
    _inherit = "account.move"

    # every per-customer figure (the facts of a customer, the 360 panel, profitability of a customer)
    # filters invoices by commercial partner: without an index each of them reads every invoice
    commercial_partner_id = fields.Many2one(index=True)

    @api.model
    def _crm_fact_fields(self):
        """Fields whose change on a posted customer invoice changes its customer's daily sales facts."""
        return set(MOVE_FACT_FIELDS)

    def _crm_fact_keys(self):
        """(customer, company, date) of the posted customer invoices and credit notes among these moves."""
        return {
            (move.commercial_partner_id.id, move.company_id.id, move.invoice_date)
            for move in self
            if move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        }

    def write(self, vals):
        if not self._crm_fact_fields().intersection(vals):
            return super().write(vals)
        keys = self._crm_fact_keys()
        res = super().write(vals)
        # posting, resetting to draft and cancelling all come through here: the rows of the invoices'
        # customers and days before and after the change are recomputed from the invoices
        self.env["crm.sales.fact"]._refresh(keys | self._crm_fact_keys(), tags={"moves"})
        return res
