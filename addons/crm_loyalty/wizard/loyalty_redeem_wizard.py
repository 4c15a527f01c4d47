from odoo import _, api, fields, models
from odoo.exceptions import UserError


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
        if not self.membership_id:
            return 0.0
        cap = self.order_id._crm_loyalty_redeem_cap(self.membership_id.program_id)
        return max(min(self.membership_id.balance, cap), 0.0)

    def action_apply(self):
        self.ensure_one()
        order, member, program = self.order_id, self.membership_id, self.membership_id.program_id
        if order.state not in ("draft", "sent"):
            raise UserError(_("Points can be redeemed on quotations only."))
        # the same rules hold again when the order is confirmed
        order._crm_loyalty_check_redemption(member, self.points)
        if not program.reward_product_id:
            raise UserError(_("Set a reward product on the program %(program)s first.", program=program.name))
        order.order_line.filtered(lambda l: l.loyalty_membership_id == member).unlink()
        self.env["sale.order.line"].create(
            {
                "order_id": order.id,
                "product_id": program.reward_product_id.id,
                "name": _(
                    "%(points)s loyalty points redeemed (%(program)s)",
                    points=program._format_points(self.points),
                    program=program.name,
                ),
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
