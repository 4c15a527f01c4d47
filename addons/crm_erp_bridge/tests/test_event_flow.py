from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestEventFlow(AccountTestInvoicingCommon):
    """Business events only queue the customer; the cron refreshes the figures in batches."""

    def _queued(self, partner):
        return self.env["crm.figures.queue"].search([("partner_id", "=", partner.id)])

    def test_invoice_and_payment_queue_then_cron_refreshes(self):
        customer = self.env["res.partner"].create({"name": "Queued Co", "is_company": True})
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": customer.id})
        invoice = self.init_invoice(
            "out_invoice", partner=contact, amounts=[250], post=True, invoice_date=fields.Date.context_today(customer)
        )
        # nothing heavy happened in the user's transaction: no stage yet, one queue row for the customer
        self.assertFalse(customer.lifecycle_stage_id)
        self.assertEqual(self._queued(customer).event, "invoice")
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {}
        )._create_payments()
        # the payment, and its reconciliation with the invoice (a payment delay cost when late)
        self.assertEqual(sorted(self._queued(customer).mapped("event")), ["invoice", "payment", "reconcile"])
        done, remaining = self.env["crm.figures.queue"]._process(batch_size=1000)
        self.assertGreaterEqual(done, 1)
        self.assertEqual(remaining, 0)
        self.assertFalse(self._queued(customer))
        customer.invalidate_recordset()
        self.assertEqual(customer.lifecycle_stage_id.code, "formation")
        self.assertTrue(customer.crm_figures_refreshed_at)
        self.assertLessEqual(customer.crm_figures_refreshed_at, fields.Datetime.now())

    def test_batches_leave_the_rest_queued(self):
        customers = self.env["res.partner"].create([{"name": f"Batch {i}", "is_company": True} for i in range(5)])
        # a clean queue whatever the database holds (sudo: nobody may delete queue rows by hand)
        self.env["crm.figures.queue"].sudo().search([]).unlink()
        self.env["crm.figures.queue"]._enqueue(customers, "delivery")
        self.env["crm.figures.queue"]._enqueue(customers[:2], "return")
        done, remaining = self.env["crm.figures.queue"]._process(batch_size=3)
        self.assertEqual((done, remaining), (3, 2))
        done, remaining = self.env["crm.figures.queue"]._process(batch_size=3)
        self.assertEqual((done, remaining), (2, 0))
        self.assertEqual(self.env["crm.figures.queue"].search_count([]), 0)
        self.assertTrue(all(customers.mapped("crm_figures_refreshed_at")))
