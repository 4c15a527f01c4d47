from odoo import _, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _crm_loyalty_check_redemption(self, membership, points, spent=0.0):
        """Credit control: no redemption while the customer is overdue, in the redemption wizard and again
        when the order is confirmed, whatever wrote the reward line."""
        res = super()._crm_loyalty_check_redemption(membership, points, spent=spent)
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        if self.company_id.loyalty_block_overdue and partner.credit_overdue:
            raise UserError(
                _("%(customer)s has overdue invoices: settle them before redeeming points.", customer=partner.name)
            )
        return res
