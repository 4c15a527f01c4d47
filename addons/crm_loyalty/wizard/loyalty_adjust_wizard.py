from odoo import _, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_is_zero


class CrmLoyaltyAdjustWizard(models.TransientModel):
    _name = "crm.loyalty.adjust.wizard"
    _description = "Manual Loyalty Points Adjustment"

    membership_id = fields.Many2one("crm.loyalty.membership", required=True, ondelete="cascade")
    balance = fields.Float(related="membership_id.balance")
    points = fields.Float(help="Positive to credit, negative to debit.")
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        member = self.membership_id
        member.program_id._check_usable()
        if float_is_zero(self.points, precision_digits=6):
            raise ValidationError(_("An adjustment moves at least some points."))
        if not (self.reason or "").strip():
            raise ValidationError(_("A manual adjustment needs a reason."))
        if self.points < 0:
            member._check_can_spend(-self.points)
        self.env["crm.loyalty.entry"].create(
            {
                "membership_id": member.id,
                "entry_type": "adjust",
                "points": self.points,
                "reason": self.reason.strip(),
                "approved_by_id": self.env.user.id,
                "expiry_date": member.program_id._expiry_date(fields.Date.context_today(self))
                if self.points > 0
                else False,
            }
        )
        return {"type": "ir.actions.act_window_close"}
