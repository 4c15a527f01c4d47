"""18.0.1.2.0: consumables are costed once. The invoice lines of consumables invoiced without a delivery get
their cost at posting (today's standard price is the best figure left for the past ones); the delivered ones
are costed by their valuation layers only; the daily sales facts are rebuilt from the documents."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    lines = env["account.move.line"].search(
        [
            ("parent_state", "=", "posted"),
            ("move_id.move_type", "in", ("out_invoice", "out_refund")),
            ("display_type", "=", "product"),
            ("product_id.type", "=", "consu"),
            ("product_id.is_storable", "=", False),
        ]
    )
    lines._crm_set_consumable_cost()
    env["crm.sales.fact"]._rebuild()
