from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    loyalty_entry_ids = fields.Many2many(
        "crm.loyalty.entry",
        "crm_loyalty_entry_move_line_rel",
        "move_line_id",
        "entry_id",
        string="Loyalty Ledger Entries",
        readonly=True,
        copy=False,
    )
    crm_consumable_cost = fields.Monetary(
        string="Consumable Cost at Posting",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="Cost of goods of a consumable invoiced without a delivery: its standard cost when the invoice "
        "was posted times the quantity (negative on a credit note). Zero when the goods are delivered: their "
        "cost then comes from the valuation of the delivery.",
    )

    def _crm_set_consumable_cost(self):
        """Freeze the cost of the consumables of these customer invoice lines (set-based: one write per
        distinct value)."""
        by_cost = {}
        for line in self:
            product = line.product_id
            move = line.move_id
            cost = 0.0
            if (
                line.display_type == "product"
                and product.type == "consu"
                and not product.is_storable
                # delivered (kits included): the valuation layers of the deliveries carry the cost
                and not line.sale_line_ids.move_ids.filtered(lambda m: m.state != "cancel")
            ):
                quantity = line.product_uom_id._compute_quantity(line.quantity, product.uom_id, round=False)
                sign = -1 if move.move_type == "out_refund" else 1
                cost = move.company_id.currency_id.round(
                    sign * quantity * product.with_company(move.company_id).standard_price
                )
            if cost != (line.crm_consumable_cost or 0.0):
                by_cost.setdefault(cost, []).append(line.id)
        for cost, ids in by_cost.items():
            self.browse(ids).write({"crm_consumable_cost": cost})
