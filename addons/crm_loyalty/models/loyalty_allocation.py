from odoo import _, fields, models
from odoo.exceptions import UserError


class CrmLoyaltyAllocation(models.Model):
    """How a debit (redeem, expire, negative reversal or adjustment) consumed earn lots, FIFO."""

    _name = "crm.loyalty.allocation"
    _description = "Loyalty Points Allocation"
    _order = "id"

    lot_id = fields.Many2one("crm.loyalty.entry", required=True, ondelete="cascade", index=True)
    entry_id = fields.Many2one("crm.loyalty.entry", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="entry_id.company_id", store=True)
    points = fields.Float(required=True)

    _sql_constraints = [("points_positive", "CHECK(points > 0)", "An allocation moves a positive number of points.")]

    def write(self, vals):  # immutable by design; pylint: disable=method-required-super
        raise UserError(_("Points allocations are part of the ledger and cannot be changed."))
