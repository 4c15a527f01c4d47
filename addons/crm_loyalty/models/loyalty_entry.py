from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_is_zero, format_date

from ..tools.points import allocate_fifo

ENTRY_TYPES = [
    ("earn", "Earn"),
    ("bonus", "Bonus"),
    ("redeem", "Redeem"),
    ("expire", "Expire"),
    ("adjust", "Adjustment"),
    ("reverse", "Reversal"),
]
BONUS_KINDS = [
    ("first_purchase", "First purchase"),
    ("birthday", "Birthday"),
    ("referral", "Referral"),
    ("goodwill", "Goodwill"),
    ("other", "Other"),
]
PRECISION = 1e-6


class CrmLoyaltyEntry(models.Model):
    """One line of the points ledger. Immutable: corrections are new (reversing) entries."""

    _name = "crm.loyalty.entry"
    _description = "Loyalty Ledger Entry"
    _order = "date desc, id desc"
    _rec_name = "reference"

    reference = fields.Char(compute="_compute_reference")
    membership_id = fields.Many2one(
        "crm.loyalty.membership", required=True, ondelete="cascade", index=True, readonly=True
    )
    program_id = fields.Many2one(related="membership_id.program_id", store=True, index=True)
    partner_id = fields.Many2one(related="membership_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="membership_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True, readonly=True)
    entry_type = fields.Selection(ENTRY_TYPES, string="Type", required=True, readonly=True, index=True)
    bonus_kind = fields.Selection(BONUS_KINDS, readonly=True)
    points = fields.Float(required=True, readonly=True)
    amount_base = fields.Monetary(
        string="Invoiced Base",
        currency_field="currency_id",
        readonly=True,
        help="Untaxed invoiced amount (company currency) behind an earn or its reversal.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    counts_lifetime = fields.Boolean(readonly=True, help="Counts towards lifetime points and tier qualification.")
    expiry_date = fields.Date(readonly=True, index=True)
    remaining = fields.Float(
        compute="_compute_remaining", store=True, help="Points of this lot not yet consumed (positive entries)."
    )
    unmatched = fields.Float(
        compute="_compute_remaining",
        store=True,
        help="Points of this debit not yet covered by a lot (a deficit left by a reversal).",
    )
    move_id = fields.Many2one("account.move", string="Invoice / Credit Note", readonly=True, index="btree_not_null")
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    reason = fields.Char(
        string="Note",
        readonly=True,
        help="Free text typed by a user (manual adjustments, goodwill bonuses). Entries posted by the system "
        "keep it empty: their reason is rendered from the entry type and the documents in the reader's language.",
    )
    reason_display = fields.Char(string="Reason", compute="_compute_reason_display", search="_search_reason_display")
    approved_by_id = fields.Many2one("res.users", readonly=True)
    reversed_entry_id = fields.Many2one(
        "crm.loyalty.entry", string="Reverses", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    reversal_ids = fields.One2many("crm.loyalty.entry", "reversed_entry_id", string="Reversals")
    expired_lot_id = fields.Many2one("crm.loyalty.entry", readonly=True, index="btree_not_null", ondelete="cascade")
    lot_allocation_ids = fields.One2many("crm.loyalty.allocation", "lot_id", string="Consumed By")
    debit_allocation_ids = fields.One2many("crm.loyalty.allocation", "entry_id", string="Consumed Lots")

    _sql_constraints = [("points_not_zero", "CHECK(points <> 0)", "A ledger entry moves at least some points.")]

    def _compute_reference(self):
        labels = dict(self._fields["entry_type"]._description_selection(self.env))
        for entry in self:
            entry.reference = "{} {}".format(labels.get(entry.entry_type, ""), entry.membership_id.name or "")

    @api.depends_context("lang")
    @api.depends(
        "entry_type",
        "bonus_kind",
        "reason",
        "move_id",
        "sale_order_id",
        "expired_lot_id.date",
        "reversed_entry_id",
        "points",
    )
    def _compute_reason_display(self):
        """The reason as the reader reads it: rendered from the entry type, the bonus kind and the linked
        documents in the current language (stored text would stay in the language of whoever posted it).
        Only free text typed by a user (``reason``) is shown as typed."""
        for entry in self:
            entry.reason_display = entry._render_reason()

    def _render_reason(self):
        self.ensure_one()
        move, order = self.move_id, self.sale_order_id
        if self.entry_type == "earn" and move:
            return move.name
        if self.entry_type == "bonus":
            if self.bonus_kind == "first_purchase":
                return _("First purchase bonus")
            if self.bonus_kind == "birthday":
                return _("Happy birthday!")
            if self.bonus_kind == "referral" and move:
                return _("Referral of %(customer)s", customer=move.commercial_partner_id.name)
        if self.entry_type == "redeem" and order and not self.reason:
            return _("Redeemed on %(order)s", order=order.name)
        if self.entry_type == "expire" and self.expired_lot_id:
            return _(
                "Expiry of points earned on %(date)s",
                date=format_date(self.env, self.expired_lot_id.date),
            )
        if self.entry_type == "reverse" and not self.reason:
            if order:
                return _("%(order)s cancelled", order=order.name)
            # a credit note takes points back; resetting an invoice (or a credit note) to draft undoes its entries
            if move and move.move_type == "out_refund" and self.points < 0:
                return _("Credit note %(refund)s", refund=move.name)
            if move:
                return _("%(move)s reset to draft", move=move.name)
            if self.reversed_entry_id:
                return _("Reversal of %(entry)s", entry=self.reversed_entry_id.reference)
        return self.reason or ""

    def _search_reason_display(self, operator, value):
        """Search the typed note and the documents the rendered reasons name."""
        if operator not in ("ilike", "not ilike", "=", "!="):
            raise UserError(_("Unsupported search on the reason."))
        negate = operator in ("not ilike", "!=")
        positive = {"not ilike": "ilike", "!=": "="}.get(operator, operator)
        domain = [
            "|",
            "|",
            ("reason", positive, value),
            ("move_id.name", positive, value),
            ("sale_order_id.name", positive, value),
        ]
        return ["!", *domain] if negate else domain

    @api.depends("points", "lot_allocation_ids.points", "debit_allocation_ids.points")
    def _compute_remaining(self):
        for entry in self:
            if entry.points > 0:
                entry.remaining = entry.points - sum(entry.lot_allocation_ids.mapped("points"))
                entry.unmatched = 0.0
            else:
                entry.remaining = 0.0
                entry.unmatched = -entry.points - sum(entry.debit_allocation_ids.mapped("points"))

    # ------------------------------------------------------------------ immutability
    @api.model_create_multi
    def create(self, vals_list):
        batch_net, debited = defaultdict(float), set()
        reversed_roots = self.browse(
            {vals["reversed_entry_id"] for vals in vals_list if vals.get("reversed_entry_id")}
        ).exists()
        for vals in vals_list:
            self._check_entry_vals(vals)
            vals.setdefault("counts_lifetime", vals.get("entry_type") in ("earn", "bonus"))
            if vals.get("entry_type") == "adjust":
                vals.setdefault("approved_by_id", self.env.uid)
            membership_id = vals.get("membership_id")
            if not membership_id or self._is_deficit_reversal(vals, reversed_roots):
                continue
            batch_net[membership_id] += vals["points"]
            if vals["points"] < 0:
                debited.add(membership_id)
        # a debit (a redemption, an adjustment, an expiry written by hand or imported) never spends points the
        # member does not have, whoever writes it (credits posted in the same batch count); only the
        # reversal of earned points may leave the documented deficit
        for membership_id in debited:
            if batch_net[membership_id] < 0:
                self.env["crm.loyalty.membership"].browse(membership_id)._check_can_spend(-batch_net[membership_id])
        entries = super().create(vals_list)
        entries._allocate()
        entries.membership_id._invalidate_balance()
        return entries

    @api.model
    def _is_deficit_reversal(self, vals, reversed_roots):
        """A reversal taking back points the member was given (an earn by a credit note or a reset to draft):
        the points may already be spent, so it may leave a deficit that the next earn covers."""
        if vals.get("entry_type") != "reverse" or vals["points"] >= 0 or not vals.get("reversed_entry_id"):
            return False
        root = reversed_roots.filtered(lambda e: e.id == vals["reversed_entry_id"])
        return bool(root) and root.points > 0 and root.membership_id.id == vals.get("membership_id")

    def write(self, vals):  # pylint: disable=method-required-super
        # immutable by design: never reaches the ORM write
        raise UserError(_("Ledger entries are immutable: post a reversing entry or an adjustment instead."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Ledger entries cannot be deleted: post a reversing entry or an adjustment instead."))

    @api.model
    def _check_entry_vals(self, vals):
        points = vals.get("points")
        if not isinstance(points, (int, float)) or isinstance(points, bool):
            raise ValidationError(_("Points must be a number."))
        entry_type = vals.get("entry_type")
        if entry_type in ("earn", "bonus") and points <= 0:
            raise ValidationError(_("Earned and bonus points must be positive."))
        if entry_type in ("redeem", "expire") and points >= 0:
            raise ValidationError(_("Redeemed and expired points are recorded as negative amounts."))
        if entry_type == "adjust" and not vals.get("reason"):
            raise ValidationError(_("A manual adjustment needs a reason."))

    # ------------------------------------------------------------------ FIFO allocation
    def _allocate(self):
        """Match the open debits of the touched memberships against their open lots, FIFO by expiry.

        Set-based: two searches for all memberships, one bulk create of allocations.
        """
        memberships = self.membership_id
        if not memberships:
            return
        self.flush_model()
        Entry = self.sudo()  # sudo: allocations are bookkeeping of the ledger itself, whoever posts the entry
        lots = Entry.search(
            [("membership_id", "in", memberships.ids), ("points", ">", 0), ("remaining", ">", PRECISION)],
            order="membership_id, expiry_date asc nulls last, date, id",
        )
        debits = Entry.search(
            [("membership_id", "in", memberships.ids), ("points", "<", 0), ("unmatched", ">", PRECISION)],
            order="membership_id, date, id",
        )
        lots_by_member = defaultdict(list)
        for lot in lots:
            lots_by_member[lot.membership_id.id].append((lot.id, lot.remaining))
        needs_by_member = defaultdict(list)
        for debit in debits:
            preferred = (debit.reversed_entry_id or debit.expired_lot_id).id or None
            needs_by_member[debit.membership_id.id].append((debit.id, debit.unmatched, preferred))
        alloc_vals = [
            {"lot_id": lot_id, "entry_id": need_id, "points": pts}
            for member_id, needs in needs_by_member.items()
            for lot_id, need_id, pts in allocate_fifo(lots_by_member.get(member_id, []), needs)
            if not float_is_zero(pts, precision_digits=6)
        ]
        if alloc_vals:
            self.env["crm.loyalty.allocation"].sudo().create(alloc_vals)

    # ------------------------------------------------------------------ reversal
    def _net_by_root(self):
        """{root entry: net points} grouping each entry with the entry it reverses."""
        net = defaultdict(float)
        for entry in self:
            net[entry.reversed_entry_id or entry] += entry.points
        return net

    def _prepare_reversal_vals(self, root, points, **extra):
        vals = {
            "membership_id": root.membership_id.id,
            "entry_type": "reverse",
            "points": points,
            "reversed_entry_id": root.id,
            "counts_lifetime": root.counts_lifetime,
            "expiry_date": root.expiry_date if points > 0 else False,
        }
        vals.update(extra)
        return vals

    def _reverse_net(self, **extra):
        """Post one reversing entry per root so that the net of ``self`` becomes zero."""
        vals_list = []
        for root, net in self._net_by_root().items():
            if float_is_zero(net, precision_digits=6):
                continue
            share = (net / root.points) if root.points else 0.0
            vals_list.append(self._prepare_reversal_vals(root, -net, amount_base=-root.amount_base * share, **extra))
        return self.create(vals_list) if vals_list else self.browse()

    # ------------------------------------------------------------------ reporting helpers
    @api.model
    def _sum_points_sql(self, membership_ids):
        """Ledger sums straight from the database: {membership_id: points}. Used under lock."""
        self.flush_model(["membership_id", "points"])
        self.env.cr.execute(
            SQL(
                "SELECT membership_id, COALESCE(SUM(points), 0) FROM crm_loyalty_entry"
                " WHERE membership_id IN %s GROUP BY membership_id",
                tuple(membership_ids),
            )
        )
        return dict(self.env.cr.fetchall())
