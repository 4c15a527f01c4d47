from odoo import _, api, fields, models
from odoo.tools import SQL

QUALITY_TYPES = ("complaint", "return")


class CrmFeedbackQuality(models.Model):
    """Complaint rates per product, lot/serial and vendor: the quality loop back into inventory.

    One row per company x product x lot (no lot for untracked products). Deliveries are done stock
    move lines into a customer location; complaints are complaint and return-request tickets that
    name the product (and the lot when known); returns are done moves back from customers. The
    vendor is the product's first supplier (``product.supplierinfo``, lowest sequence).
    complaint rate = complaints per 100 delivery lines.
    """

    _name = "crm.feedback.quality"
    _description = "Complaint Rates by Product, Lot and Vendor"
    _auto = False
    _order = "complaint_rate desc, complaint_count desc"
    _rec_name = "product_id"
    _depends = {
        "stock.move.line": [
            "state",
            "product_id",
            "lot_id",
            "company_id",
            "quantity_product_uom",
            "picking_id",
            "location_id",
            "location_dest_id",
        ],
        "stock.picking": ["partner_id"],
        "stock.location": ["usage"],
        "crm.feedback.ticket": ["product_id", "lot_id", "company_id", "ticket_type"],
        "product.supplierinfo": ["partner_id", "product_tmpl_id", "product_id", "sequence"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", readonly=True)
    vendor_id = fields.Many2one("res.partner", readonly=True)
    delivery_count = fields.Integer(string="Delivery Lines", readonly=True)
    customer_count = fields.Integer(string="Customers Delivered", readonly=True, aggregator="max")
    delivered_qty = fields.Float(string="Delivered Quantity", readonly=True, digits="Product Unit of Measure")
    returned_qty = fields.Float(string="Returned Quantity", readonly=True, digits="Product Unit of Measure")
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    complaint_rate = fields.Float(
        string="Complaints per 100 Deliveries", readonly=True, aggregator="avg", digits=(16, 2)
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH delivered AS (
                SELECT sml.company_id, sml.product_id, sml.lot_id,
                       COUNT(*) AS delivery_count,
                       COUNT(DISTINCT sp.partner_id) AS customer_count,
                       SUM(sml.quantity_product_uom) AS delivered_qty
                  FROM stock_move_line sml
                  JOIN stock_location dest ON dest.id = sml.location_dest_id AND dest.usage = 'customer'
                  JOIN stock_location src ON src.id = sml.location_id AND src.usage <> 'customer'
             LEFT JOIN stock_picking sp ON sp.id = sml.picking_id
                 WHERE sml.state = 'done'
              GROUP BY sml.company_id, sml.product_id, sml.lot_id
            ), returned AS (
                SELECT sml.company_id, sml.product_id, sml.lot_id, SUM(sml.quantity_product_uom) AS returned_qty
                  FROM stock_move_line sml
                  JOIN stock_location src ON src.id = sml.location_id AND src.usage = 'customer'
                  JOIN stock_location dest ON dest.id = sml.location_dest_id AND dest.usage <> 'customer'
                 WHERE sml.state = 'done'
              GROUP BY sml.company_id, sml.product_id, sml.lot_id
            ), complained AS (
                SELECT t.company_id, t.product_id, t.lot_id, COUNT(*) AS complaint_count
                  FROM crm_feedback_ticket t
                 WHERE t.product_id IS NOT NULL AND t.ticket_type IN %(types)s
              GROUP BY t.company_id, t.product_id, t.lot_id
            ), keys AS (
                SELECT company_id, product_id, lot_id FROM delivered
                 UNION SELECT company_id, product_id, lot_id FROM returned
                 UNION SELECT company_id, product_id, lot_id FROM complained
            )
            SELECT ROW_NUMBER() OVER (ORDER BY k.company_id, k.product_id, k.lot_id) AS id,
                   k.company_id, k.product_id, pp.product_tmpl_id, pt.categ_id, k.lot_id,
                   vendor.partner_id AS vendor_id,
                   COALESCE(d.delivery_count, 0) AS delivery_count,
                   COALESCE(d.customer_count, 0) AS customer_count,
                   COALESCE(d.delivered_qty, 0) AS delivered_qty,
                   COALESCE(r.returned_qty, 0) AS returned_qty,
                   COALESCE(c.complaint_count, 0) AS complaint_count,
                   CASE WHEN COALESCE(d.delivery_count, 0) > 0
                        THEN 100.0 * COALESCE(c.complaint_count, 0) / d.delivery_count ELSE 0 END AS complaint_rate
              FROM keys k
              JOIN product_product pp ON pp.id = k.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
         LEFT JOIN delivered d ON d.company_id IS NOT DISTINCT FROM k.company_id AND d.product_id = k.product_id
                              AND d.lot_id IS NOT DISTINCT FROM k.lot_id
         LEFT JOIN returned r ON r.company_id IS NOT DISTINCT FROM k.company_id AND r.product_id = k.product_id
                             AND r.lot_id IS NOT DISTINCT FROM k.lot_id
         LEFT JOIN complained c ON c.company_id IS NOT DISTINCT FROM k.company_id AND c.product_id = k.product_id
                               AND c.lot_id IS NOT DISTINCT FROM k.lot_id
         LEFT JOIN LATERAL (
                SELECT si.partner_id FROM product_supplierinfo si
                 WHERE si.product_tmpl_id = pp.product_tmpl_id
                   AND (si.product_id IS NULL OR si.product_id = pp.id)
              ORDER BY si.sequence, si.id LIMIT 1
              ) vendor ON TRUE
            """,
            types=QUALITY_TYPES,
        )

    @api.model
    def _rates_by(self, field, records):
        """{record id: (complaints, deliveries)} for products, templates or lots, in one grouped query."""
        groups = self._read_group([(field, "in", records.ids)], [field], ["complaint_count:sum", "delivery_count:sum"])
        return {rec.id: (complaints, deliveries) for rec, complaints, deliveries in groups}

    def action_open_tickets(self):
        self.ensure_one()
        domain = [("product_id", "=", self.product_id.id), ("ticket_type", "in", QUALITY_TYPES)]
        if self.lot_id:
            domain.append(("lot_id", "=", self.lot_id.id))
        return {
            "type": "ir.actions.act_window",
            "name": _("Complaints"),
            "res_model": "crm.feedback.ticket",
            "view_mode": "list,form",
            "domain": domain,
        }

    def action_open_lot_customers(self):
        self.ensure_one()
        return self.lot_id.action_open_feedback_lot_customers()


class QualityRateMixin(models.AbstractModel):
    """Complaint count and rate on products, templates and lots, read from the quality report."""

    _name = "crm.feedback.quality.mixin"
    _description = "Complaint Rate Fields"
    _quality_field = None  # name of the quality report field that points at this model

    feedback_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_feedback_quality", groups="crm_feedback.group_feedback_user"
    )
    feedback_complaint_rate = fields.Float(
        string="Complaint Rate (%)",
        compute="_compute_feedback_quality",
        digits=(16, 2),
        groups="crm_feedback.group_feedback_user",
        help="Complaint and return-request tickets per 100 customer delivery lines.",
    )

    def _compute_feedback_quality(self):
        rates = self.env["crm.feedback.quality"]._rates_by(self._quality_field, self)
        for record in self:
            complaints, deliveries = rates.get(record.id, (0, 0))
            record.feedback_complaint_count = complaints
            record.feedback_complaint_rate = 100.0 * complaints / deliveries if deliveries else 0.0

    def action_open_feedback_quality(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_feedback.crm_feedback_quality_action")
        action["domain"] = [(self._quality_field, "in", self.ids)]
        return action
