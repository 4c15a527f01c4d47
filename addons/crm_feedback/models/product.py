from odoo import _, models


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "crm.feedback.quality.mixin"]
    _quality_field = "product_tmpl_id"


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "crm.feedback.quality.mixin"]
    _quality_field = "product_id"


class StockLot(models.Model):
    _name = "stock.lot"
    _inherit = ["stock.lot", "crm.feedback.quality.mixin"]
    _quality_field = "lot_id"

    def _feedback_lot_customers(self):
        """Commercial partners who received this lot (done deliveries to a customer location)."""
        pickings = self.env["stock.picking"].search(
            [
                ("move_line_ids.lot_id", "in", self.ids),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "customer"),
                ("partner_id", "!=", False),
            ]
        )
        return pickings.partner_id.commercial_partner_id

    def action_open_feedback_lot_customers(self):
        """One click from a suspicious lot to every customer who received it, for proactive outreach."""
        customers = self._feedback_lot_customers()
        return {
            "type": "ir.actions.act_window",
            "name": _("Customers who received %(lots)s", lots=", ".join(self.mapped("name"))),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", customers.ids)],
        }
