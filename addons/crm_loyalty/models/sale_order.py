import math
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, formatLang

from ..tools.points import points_digits


class SaleOrder(models.Model):
    _inherit = "sale.order"

    loyalty_membership_ids = fields.Many2many(
        "crm.loyalty.membership", compute="_compute_loyalty_info", string="Loyalty Memberships"
    )
    loyalty_balance = fields.Float(
        compute="_compute_loyalty_info",
        string="Points Balance",
        help="The customer's balance in the program of the order's company (the first by sequence when they "
        "are a member of several): balances of different programs are never added.",
    )
    loyalty_points_preview = fields.Float(
        compute="_compute_loyalty_info",
        string="Points to Earn",
        help="Estimate of the points this order earns once invoiced in the program of the order's company "
        "(current tier and rules).",
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
        # the program of the order's company first, as on the customer (res.partner._compute_loyalty_summary)
        memberships = memberships.sorted(lambda m: (m.program_id.sequence, m.program_id.id))
        for order in self:
            members = memberships.filtered(
                lambda m, o=order: m.partner_id == o.partner_id.commercial_partner_id and m.company_id == o.company_id
            )
            main = members[:1]
            order.loyalty_membership_ids = members
            # figures of one program: points of different programs never add up
            order.loyalty_balance = main.balance
            order.loyalty_points_preview = order._loyalty_estimate(main) if main else 0.0

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
        if not self.loyalty_membership_ids:
            raise UserError(
                _(
                    "%(customer)s is not a member of a loyalty program of %(company)s: there are no points "
                    "to redeem on this quotation.",
                    customer=self.partner_id.commercial_partner_id.display_name,
                    company=self.company_id.name,
                )
            )
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
            entries.filtered(lambda e, o=order: e.sale_order_id == o)._reverse_net(sale_order_id=order.id)
        return res

    # ------------------------------------------------------------------ redemption rules
    def _crm_loyalty_redeem_pct(self, program):
        """Share (%) of this order's total that points of ``program`` may pay: the program's. Override to
        treat customers differently (the value policy of crm_value_policy)."""
        self.ensure_one()
        return program.max_redeem_pct

    def _crm_loyalty_redeem_cap(self, program):
        """Most points of ``program`` that may pay this order: its share of the order's total before any
        redemption, in whole steps of the program's rounding."""
        self.ensure_one()
        if not program.point_value:
            return 0.0
        total = self.amount_total - sum(
            self.order_line.filtered(lambda l: l._is_loyalty_reward()).mapped("price_total")
        )
        units = round(total * self._crm_loyalty_redeem_pct(program) / 100.0 / program.point_value / program.rounding, 6)
        return max(math.floor(units) * program.rounding, 0.0)

    def _crm_loyalty_check_redemption(self, membership, points, spent=0.0):
        """Raise unless ``points`` of ``membership`` may pay this order.

        The rules of every redemption, checked by the redemption wizard and again when the order is
        confirmed, whatever wrote the reward line (the wizard, RPC, an import, a customer changed after
        redeeming): the membership is the customer's (commercial partner) and active, its program is
        active, of the order's company and currency; at least the minimum, at most the balance (read
        under the membership's row lock, less ``spent``: points of this membership already spent in the
        same confirmation) and the program's share of the order. Override to add rules (the bridge adds
        "no redemption while overdue").

        ``membership`` may be out of the user's reach (another company): the caller passes it as
        superuser, and nothing of it is shown unless it is the customer's.
        """
        self.ensure_one()
        program = membership.program_id
        if membership.partner_id != self.partner_id.commercial_partner_id:
            raise ValidationError(
                _("The loyalty points on %(order)s belong to another customer.", order=self.display_name)
            )
        if program.company_id != self.company_id:
            raise ValidationError(
                _("The loyalty points on %(order)s belong to another company.", order=self.display_name)
            )
        if membership.state != "active":
            raise UserError(_("%(member)s is not an active membership.", member=membership.display_name))
        program._check_usable()
        if program.currency_id != self.currency_id:
            raise ValidationError(
                _(
                    "The order is in %(order_cur)s but the program %(program)s counts in %(prog_cur)s: "
                    "points can only pay orders in the program's currency.",
                    order_cur=self.currency_id.name,
                    program=program.name,
                    prog_cur=program.currency_id.name,
                )
            )
        if float_compare(points, 0.0, precision_digits=6) <= 0:
            raise ValidationError(_("Enter a positive number of points to redeem."))
        if float_compare(points, program.min_redeem_points, precision_digits=6) < 0:
            raise ValidationError(
                _(
                    "At least %(min)s points must be redeemed at once.",
                    min=program._format_points(program.min_redeem_points),
                )
            )
        membership._lock_for_update()
        available = self.env["crm.loyalty.entry"]._sum_points_sql(membership.ids).get(membership.id, 0.0) - spent
        if float_compare(points, available, precision_digits=6) > 0:
            raise ValidationError(
                _("Only %(balance)s points are available.", balance=program._format_points(max(available, 0.0)))
            )
        cap = self._crm_loyalty_redeem_cap(program)
        if float_compare(points, cap, precision_digits=6) > 0:
            pct = self._crm_loyalty_redeem_pct(program)
            raise ValidationError(
                _(
                    "At most %(max)s points may pay this order (%(pct)s%% of its total).",
                    max=program._format_points(cap),
                    pct=formatLang(self.env, pct, digits=points_digits(1.0, pct)),
                )
            )

    def _crm_loyalty_post_redemptions(self):
        """Record the redemptions of confirmed orders, under a row lock on each membership.

        Every rule of a redemption is checked again here (``_crm_loyalty_check_redemption``): the reward
        line may have been written by any path, and the order may have changed since.
        """
        lines = self.order_line.filtered(lambda l: l._is_loyalty_reward())
        if not lines:
            return
        # sudo: a salesperson confirming the order spends the points without ledger rights of their own;
        # the membership on a line may even be out of their reach: it is checked against the order
        # (customer, company, balance, ...) below before anything is spent
        Entry_sudo = self.env["crm.loyalty.entry"].sudo()
        memberships_sudo = lines.sudo().loyalty_membership_id
        memberships_sudo._lock_for_update()
        # points an order still holds (redeemed and not given back by a cancellation) are not spent twice
        already = {
            (order.id, member.id)
            for order, member, points in Entry_sudo._read_group(
                [("sale_order_id", "in", self.ids), ("entry_type", "in", ("redeem", "reverse"))],
                ["sale_order_id", "membership_id"],
                ["points:sum"],
            )
            if float_compare(points, 0.0, precision_digits=6) < 0
        }
        groups = defaultdict(lambda: lines.browse())
        for line in lines:
            if not line.loyalty_membership_id or line.loyalty_redeem_points <= 0:
                raise ValidationError(
                    _(
                        "The reward line %(line)s of %(order)s names no membership or no points: remove it and "
                        "redeem with Redeem Points.",
                        line=line.name,
                        order=line.order_id.display_name,
                    )
                )
            groups[(line.order_id, line.loyalty_membership_id.id)] |= line
        vals_list = []
        spent = defaultdict(float)
        today = fields.Date.context_today(self)
        for (order, membership_id), order_lines in groups.items():
            if (order.id, membership_id) in already:
                continue
            member_sudo = memberships_sudo.browse(membership_id)
            points = sum(order_lines.mapped("loyalty_redeem_points"))
            order._crm_loyalty_check_redemption(member_sudo, points, spent=spent[membership_id])
            order._crm_loyalty_check_reward_amount(member_sudo.program_id, points, order_lines)
            spent[membership_id] += points
            vals_list.append(
                {
                    "membership_id": membership_id,
                    "entry_type": "redeem",
                    "points": -points,
                    "sale_order_id": order.id,
                    "date": today,
                }
            )
        if vals_list:
            Entry_sudo.create(vals_list)
            memberships_sudo.browse(list(spent)).write({"last_redeem_date": today})

    def _crm_loyalty_check_reward_amount(self, program, points, lines):
        """The discount of the reward ``lines`` is what their points are worth: points pay nothing more."""
        self.ensure_one()
        value = points * program.point_value
        if self.currency_id.compare_amounts(-sum(lines.mapped("price_total")), value):
            raise ValidationError(
                _(
                    "The discount of %(amount)s on %(order)s does not match the %(points)s points redeemed "
                    "(worth %(value)s): remove the line and redeem the points again.",
                    amount=formatLang(self.env, -sum(lines.mapped("price_total")), currency_obj=self.currency_id),
                    order=self.display_name,
                    points=program._format_points(points),
                    value=formatLang(self.env, value, currency_obj=self.currency_id),
                )
            )
