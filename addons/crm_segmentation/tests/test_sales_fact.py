from datetime import date

from odoo.tests import tagged

from .common import SegmentationCommon


@tagged("post_install", "-at_install")
class TestSalesFacts(SegmentationCommon):
    """The daily sales facts follow the invoices through every state change, and equal a rebuild."""

    def _facts(self, *partners):
        Fact = self.env["crm.sales.fact"]
        Fact.invalidate_model()
        rows = Fact.search([("partner_id", "in", [p.id for p in partners]), ("company_id", "=", self.company.id)])
        return {(r.partner_id.name, r.date, r.invoice_count, r.net_revenue) for r in rows}

    def _assert_rebuild_changes_nothing(self, *partners):
        kept = self._facts(*partners)
        self.env["crm.sales.fact"]._rebuild(self.company)
        self.assertEqual(self._facts(*partners), kept, "the maintained rows equal the rows rebuilt from invoices")

    def test_posting_refund_draft_cancel(self):
        a = self._customer("A")
        march1, march2 = date(2026, 3, 1), date(2026, 3, 2)
        invoice = self._invoice(a, march1, 100)
        self.assertEqual(self._facts(a), {("A", march1, 1, 100)})
        self._invoice(a, march1, 30, move_type="out_refund")
        self.assertEqual(self._facts(a), {("A", march1, 1, 70)}, "a credit note of the same day is deducted")
        invoice.button_draft()
        self.assertEqual(self._facts(a), {("A", march1, 0, -30)})
        invoice.invoice_date = march2
        invoice.action_post()
        self.assertEqual(self._facts(a), {("A", march1, 0, -30), ("A", march2, 1, 100)})
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(self._facts(a), {("A", march1, 0, -30)})
        self._assert_rebuild_changes_nothing(a)

    def test_contact_moving_to_another_company(self):
        a, b = self._customer("A"), self._customer("B")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": a.id})
        self._invoice(contact, "2026-04-01", 80)
        self._invoice(b, "2026-04-01", 20)
        self.assertEqual(self._facts(a, b), {("A", date(2026, 4, 1), 1, 80), ("B", date(2026, 4, 1), 1, 20)})
        contact.parent_id = b
        self.assertEqual(self._facts(a, b), {("B", date(2026, 4, 1), 2, 100)}, "the contact's invoice moved to B")
        self._assert_rebuild_changes_nothing(a, b)

    def test_rebuild_button_restores_rows_written_around_the_orm(self):
        a = self._customer("A")
        self._invoice(a, "2026-05-01", 60)
        self.env.cr.execute("DELETE FROM crm_sales_fact WHERE partner_id = %s", [a.id])
        self.assertFalse(self._facts(a))
        settings = self.env["res.config.settings"].with_context(allowed_company_ids=self.company.ids).create({})
        action = settings.action_crm_rebuild_sales_facts()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self._facts(a), {("A", date(2026, 5, 1), 1, 60)})
