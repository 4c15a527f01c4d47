from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    loyalty_membership_ids = fields.Many2many(
        "crm.loyalty.membership", compute="_compute_loyalty_info", string="Loyalty Memberships"
    )
    loyalty_balance = fields.Float(compute="_compute_loyalty_info", string="Points Balance")
    loyalty_points_preview = fields.Float(
        compute="_compute_loyalty_info",
        string="Points to Earn",
        help="Estimate of the points this order earns once invoiced (current tier and rules).",
    )
    loyalty_points_redeemed = fields.Float(compute="_compute_loyalty_points_redeemed", string="Points Redeemed")
    loyalty_entry_ids = fields.One2many("crm.loyalty.entry", "sale_order_id", string="Loyalty Entries")

    @api.depends("partner_id", "company_id", "order_line.price_subtotal")
    def _compute_loyalty_info(self):
        Membership = self.env["crm.loyalty.membership"]
        memberships = (
            Membership.search(
                [
                    ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "=", "active"),
                    ("program_id.active", "=", True),
                ]
            )
            if self.partner_id
            else Membership
        )
        for order in self:
            members = memberships.filtered(
                lambda m, o=order: m.partner_id == o.partner_id.commercial_partner_id and m.company_id == o.company_id
            )
            order.loyalty_membership_ids = members
            order.loyalty_balance = sum(members.mapped("balance"))
            order.loyalty_points_preview = sum(order._loyalty_estimate(m) for m in members)

    def _loyalty_estimate(self, membership):
        self.ensure_one()
        program = membership.program_id
        rules = program._multipliers()
        weighted = 0.0
        # the discount paid with points counts as on the invoice: points are not earned on points
        for line in self.order_line.filtered(lambda l: not l.display_type):
            amount = self.currency_id._convert(
                line.price_subtotal,
                self.company_id.currency_id,
                self.company_id,
                self.date_order or fields.Date.context_today(self),
            )
            weighted += amount * program._product_multiplier(line.product_id, rules)
        multiplier = membership.tier_id.multiplier if membership.tier_id else 1.0
        return max(program._round(weighted * program.earn_rate * multiplier), 0.0)

    @api.depends("order_line.loyalty_redeem_points")
    def _compute_loyalty_points_redeemed(self):
        for order in self:
            order.loyalty_points_redeemed = sum(order.order_line.mapped("loyalty_redeem_points"))

    def action_open_loyalty_redeem(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(_("Points can be redeemed on quotations only."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Redeem Points"),
            "res_model": "crm.loyalty.redeem.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_confirm(self):
        res = super().action_confirm()
        self._crm_loyalty_post_redemptions()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        entries = (
            self.env["crm.loyalty.entry"]
            .sudo()
            .search(
                [  # sudo: see _crm_loyalty_post_redemptions
                    ("sale_order_id", "in", self.ids),
                    ("entry_type", "in", ("redeem", "reverse")),
                ]
            )
        )
        for order in self:
            entries.filtered(lambda e, o=order: e.sale_order_id == o)._reverse_net(
                sale_order_id=order.id, reason=_("%(order)s cancelled", order=order.name)
            )
        return res

    def _crm_loyalty_post_redemptions(self):
        """Record the redemptions of confirmed orders, under a row lock on each membership."""
        lines = self.order_line.filtered(lambda l: l.loyalty_redeem_points > 0 and l.loyalty_membership_id)
        if not lines:
            return
        # sudo: a salesperson confirming the order spends the points without ledger rights of their own
        Entry = self.env["crm.loyalty.entry"].sudo()
        memberships = lines.loyalty_membership_id.sudo()
        memberships._lock_for_update()
        already = {
            (o.id, m.id)
            for o, m in Entry._read_group(
                [("sale_order_id", "in", self.ids), ("entry_type", "=", "redeem")], ["sale_order_id", "membership_id"]
            )
        }
        vals_list = []
        pending = {}
        for line in lines:
            member = line.loyalty_membership_id.sudo()
            if (line.order_id.id, member.id) in already:
                continue
            member.program_id._check_usable()
            pending[member.id] = pending.get(member.id, 0.0) + line.loyalty_redeem_points
            member._check_can_spend(pending[member.id])
            vals_list.append(
                {
                    "membership_id": member.id,
                    "entry_type": "redeem",
                    "points": -line.loyalty_redeem_points,
                    "sale_order_id": line.order_id.id,
                    "date": fields.Date.context_today(self),
                    "reason": _("Redeemed on %(order)s", order=line.order_id.name),
                }
            )
        if vals_list:
            Entry.create(vals_list)
            memberships.write({"last_redeem_date": fields.Date.context_today(self)})
