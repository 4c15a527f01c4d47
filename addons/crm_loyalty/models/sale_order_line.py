from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    loyalty_redeem_points = fields.Float(string="Redeemed Points", readonly=True, copy=False)
    loyalty_membership_id = fields.Many2one("crm.loyalty.membership", readonly=True, copy=False, index="btree_not_null")

    def _is_loyalty_reward(self):
        """A line paid with loyalty points (whatever wrote it: the wizard, RPC, an import)."""
        self.ensure_one()
        return bool(self.loyalty_redeem_points or self.loyalty_membership_id)
