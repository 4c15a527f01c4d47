from odoo import Command
from odoo.tests import tagged

from .common import FeedbackCommon


@tagged("post_install", "-at_install")
class TestQualityLoop(FeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.vendor = env["res.partner"].create({"name": "Chair Factory"})
        cls.product = env["product.product"].create(
            {
                "name": "Tracked Chair",
                "is_storable": True,
                "tracking": "lot",
                "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 20})],
            }
        )
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.lot1, cls.lot2 = env["stock.lot"].create(
            [
                {"name": "L-001", "product_id": cls.product.id, "company_id": cls.company.id},
                {"name": "L-002", "product_id": cls.product.id, "company_id": cls.company.id},
            ]
        )
        for lot in (cls.lot1, cls.lot2):
            env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 5, lot_id=lot)
        cls.customer_b = env["res.partner"].create({"name": "Second Buyer", "is_company": True})
        cls.customer_c = env["res.partner"].create({"name": "Third Buyer", "is_company": True})
        cls.delivery_a = cls._deliver(cls.customer, cls.lot1, 2)
        cls._deliver(cls.customer_b, cls.lot1, 1)
        cls._deliver(cls.customer_c, cls.lot2, 1)

    @classmethod
    def _deliver(cls, partner, lot, qty):
        customers = cls.env.ref("stock.stock_location_customers")
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": cls.warehouse.out_type_id.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": cls.product.name,
                            "product_id": cls.product.id,
                            "product_uom_qty": qty,
                            "product_uom": cls.product.uom_id.id,
                            "location_id": cls.warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [
            Command.create(
                {
                    "product_id": cls.product.id,
                    "lot_id": lot.id,
                    "quantity": qty,
                    "product_uom_id": cls.product.uom_id.id,
                    "picking_id": picking.id,
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                }
            )
        ]
        picking.move_ids.picked = True
        picking.button_validate()
        assert picking.state == "done", picking.state
        return picking

    def _row(self, lot):
        return self.env["crm.feedback.quality"].search([("product_id", "=", self.product.id), ("lot_id", "=", lot.id)])

    def test_complaint_rates_per_lot_product_and_vendor(self):
        self._ticket(product_id=self.product.id, lot_id=self.lot1.id, picking_id=self.delivery_a.id)
        self._ticket(product_id=self.product.id, lot_id=self.lot1.id, ticket_type="suggestion")  # not a complaint
        row1, row2 = self._row(self.lot1), self._row(self.lot2)
        self.assertRecordValues(
            row1,
            [
                {
                    "delivery_count": 2,
                    "customer_count": 2,
                    "delivered_qty": 3.0,
                    "complaint_count": 1,
                    "complaint_rate": 50.0,
                    "vendor_id": self.vendor.id,
                    "returned_qty": 0.0,
                }
            ],
        )
        self.assertRecordValues(row2, [{"delivery_count": 1, "complaint_count": 0, "complaint_rate": 0.0}])
        # roll-ups on the product, its template and the lots
        self.assertEqual(self.product.feedback_complaint_count, 1)
        self.assertAlmostEqual(self.product.feedback_complaint_rate, 100.0 / 3, places=2)
        self.assertEqual(self.product.product_tmpl_id.feedback_complaint_count, 1)
        self.assertEqual(self.lot1.feedback_complaint_rate, 50.0)
        self.assertEqual(self.lot2.feedback_complaint_count, 0)
        # ranking the worst first, grouped by vendor
        worst = self.env["crm.feedback.quality"].search([("product_id", "=", self.product.id)], limit=1)
        self.assertEqual(worst.lot_id, self.lot1)
        by_vendor = self.env["crm.feedback.quality"]._read_group(
            [("vendor_id", "=", self.vendor.id)], ["vendor_id"], ["complaint_count:sum", "delivery_count:sum"]
        )
        self.assertEqual(by_vendor, [(self.vendor, 1, 3)])

    def test_customers_who_received_the_lot_and_returns(self):
        action = self.lot1.action_open_feedback_lot_customers()
        self.assertEqual(set(action["domain"][0][2]), {self.customer.id, self.customer_b.id})
        ticket = self._ticket(
            product_id=self.product.id, lot_id=self.lot1.id, picking_id=self.delivery_a.id, ticket_type="return"
        )
        wizard_action = ticket.action_create_return()
        wizard = (
            self.env["stock.return.picking"].browse(wizard_action["res_id"]).with_context(**wizard_action["context"])
        )
        wizard.product_return_moves.quantity = 1
        wizard.action_create_returns()
        back = ticket.return_picking_ids
        back.move_ids.move_line_ids.write({"lot_id": self.lot1.id, "quantity": 1})
        back.move_ids.picked = True
        back.button_validate()
        self.assertEqual(back.state, "done")
        self.assertRecordValues(self._row(self.lot1), [{"returned_qty": 1.0, "complaint_count": 1}])
        tickets = self.env["crm.feedback.ticket"].search(self._row(self.lot1).action_open_tickets()["domain"])
        self.assertEqual(tickets, ticket)
