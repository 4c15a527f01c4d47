from odoo import _, models
from odoo.exceptions import UserError


class CrmLoyaltyRedeemWizard(models.TransientModel):
    _inherit = "crm.loyalty.redeem.wizard"

    def action_apply(self):
        partner = self.order_id.partner_id.commercial_partner_id
        if self.order_id.company_id.loyalty_block_overdue and partner.credit_overdue:
            raise UserError(
                _("%(customer)s has overdue invoices: settle them before redeeming points.", customer=partner.name)
            )
        return super().action_apply()
