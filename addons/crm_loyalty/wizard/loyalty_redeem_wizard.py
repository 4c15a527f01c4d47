import math

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare


class CrmLoyaltyRedeemWizard(models.TransientModel):
    _name = "crm.loyalty.redeem.wizard"
    _description = "Redeem Loyalty Points on a Quotation"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="order_id.currency_id")
    membership_id = fields.Many2one(
        "crm.loyalty.membership",
        required=True,
        domain="[('id', 'in', available_membership_ids)]",
    )
    available_membership_ids = fields.Many2many(related="order_id.loyalty_membership_ids")
    balance = fields.Float(related="membership_id.balance")
    max_points = fields.Float(compute="_compute_max_points", string="Maximum Allowed")
    points = fields.Float(string="Points to Redeem")
    amount = fields.Monetary(compute="_compute_amount", string="Discount")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        order = self.env["sale.order"].browse(res.get("order_id"))
        if order and "membership_id" in fields_list and order.loyalty_membership_ids:
            res["membership_id"] = order.loyalty_membership_ids[0].id
        return res

    @api.depends("membership_id", "order_id.amount_total")
    def _compute_max_points(self):
        for wizard in self:
            wizard.max_points = wizard._max_points()

    @api.depends("points", "membership_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.points * wizard.membership_id.program_id.point_value

    def _max_points(self):
        """Lowest of: the balance, and the program's cap on the order total (before any redemption)."""
        self.ensure_one()
        program = self.membership_id.program_id
        if not program or not program.point_value:
            return 0.0
        order = self.order_id
        total = order.amount_total - sum(l.price_total for l in order.order_line if l.loyalty_redeem_points)
        units = round(total * program.max_redeem_pct / 100.0 / program.point_value / program.rounding, 6)
        cap = math.floor(units) * program.rounding
        return max(min(self.membership_id.balance, cap), 0.0)

    def action_apply(self):
        self.ensure_one()
        order, member, program = self.order_id, self.membership_id, self.membership_id.program_id
        if order.state not in ("draft", "sent"):
            raise UserError(_("Points can be redeemed on quotations only."))
        if member.partner_id != order.partner_id.commercial_partner_id:
            raise ValidationError(_("The membership belongs to another customer."))
        if member.state != "active":
            raise UserError(_("%(member)s is not an active membership.", member=member.display_name))
        program._check_usable()
        if program.company_id != order.company_id:
            raise ValidationError(_("The program %(program)s belongs to another company.", program=program.name))
        if program.currency_id != order.currency_id:
            raise ValidationError(
                _(
                    "The order is in %(order_cur)s but the program %(program)s counts in %(prog_cur)s: "
                    "points can only pay orders in the program's currency.",
                    order_cur=order.currency_id.name,
                    program=program.name,
                    prog_cur=program.currency_id.name,
                )
            )
        if not program.reward_product_id:
            raise UserError(_("Set a reward product on the program %(program)s first.", program=program.name))
        if float_compare(self.points, 0.0, precision_digits=6) <= 0:
            raise ValidationError(_("Enter a positive number of points to redeem."))
        if float_compare(self.points, program.min_redeem_points, precision_digits=6) < 0:
            raise ValidationError(_("At least %(min)s points must be redeemed at once.", min=program.min_redeem_points))
        if float_compare(self.points, member.balance, precision_digits=6) > 0:
            raise ValidationError(_("Only %(balance)s points are available.", balance=member.balance))
        if float_compare(self.points, self._max_points(), precision_digits=6) > 0:
            raise ValidationError(
                _(
                    "At most %(max)s points may pay this order (%(pct)s%% of its total).",
                    max=self._max_points(),
                    pct=program.max_redeem_pct,
                )
            )
        order.order_line.filtered(lambda l: l.loyalty_membership_id == member).unlink()
        self.env["sale.order.line"].create(
            {
                "order_id": order.id,
                "product_id": program.reward_product_id.id,
                "name": _("%(points)s loyalty points redeemed (%(program)s)", points=self.points, program=program.name),
                "product_uom_qty": 1.0,
                "price_unit": -self.points * program.point_value,
                # points are a means of payment, like a gift card: no tax on the discount line
                "tax_id": [(5, 0, 0)],
                "loyalty_redeem_points": self.points,
                "loyalty_membership_id": member.id,
                "sequence": 9999,
            }
        )
        return {"type": "ir.actions.act_window_close"}
