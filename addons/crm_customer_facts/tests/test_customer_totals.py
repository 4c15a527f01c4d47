from datetime import date

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.crm_customer_facts.models.crm_sales_fact import FactScope


@tagged("post_install", "-at_install")
class TestCustomerTotals(AccountTestInvoicingCommon):
    """The one read API of customer figures: totals per customer and company from the daily facts, in one
    query, equal to the invoices they come from."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.other_company = cls.setup_other_company()["company"]
        cls.product = cls.env["product.product"].create({"name": "Tea", "list_price": 10, "taxes_id": False})
        cls.a = cls.env["res.partner"].create({"name": "A", "is_company": True})
        cls.b = cls.env["res.partner"].create({"name": "B", "is_company": True})

    @classmethod
    def _invoice(cls, partner, day, amount, move_type="out_invoice", company=None):
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": fields.Date.to_date(day),
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": cls.product.id, "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def test_totals_per_customer_and_company(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.a.id})
        self._invoice(self.a, "2026-01-10", 100)
        self._invoice(contact, "2026-01-10", 50)  # the same day: one purchase day, two invoices
        self._invoice(self.a, "2026-02-03", 40)
        self._invoice(self.a, "2026-02-20", 30, move_type="out_refund")
        self._invoice(self.b, "2026-03-01", 70)
        self._invoice(self.a, "2026-03-05", 500, company=self.other_company)
        Fact = self.env["crm.sales.fact"]
        measures = ["invoice_count", "purchase_days", "first_purchase", "last_purchase", "gross_revenue", "net_revenue"]
        self.env.flush_all()
        with self.assertQueryCount(1):
            totals = Fact._customer_totals(self.a | self.b, measures=measures)
        self.assertEqual(
            totals[(self.a.id, self.company.id)],
            {
                "invoice_count": 3,
                "purchase_days": 2,
                "first_purchase": date(2026, 1, 10),
                "last_purchase": date(2026, 2, 3),
                "gross_revenue": 160.0,
                "net_revenue": 160.0,
            },
        )
        self.assertEqual(totals[(self.a.id, self.other_company.id)]["net_revenue"], 500.0)
        self.assertEqual(totals[(self.b.id, self.company.id)]["invoice_count"], 1)
        # a window and one company: the days after date_from up to date_to
        window = Fact._customer_totals(
            self.a, self.company, date(2026, 1, 10), date(2026, 2, 28), ["invoice_count", "net_revenue"]
        )
        self.assertEqual(window, {(self.a.id, self.company.id): {"invoice_count": 1, "net_revenue": 10.0}})

    def test_unknown_measure_is_refused(self):
        with self.assertRaises(ValueError):
            self.env["crm.sales.fact"]._customer_totals(self.a, measures=["revenue"])

    def test_report_rows_equal_the_stored_facts(self):
        """The live rows by month and category (what a report by product category reads) come from the same
        sources as the stored facts: their totals agree."""
        self._invoice(self.a, "2026-01-10", 100)
        self._invoice(self.a, "2026-01-25", 20, move_type="out_refund")
        Fact = self.env["crm.sales.fact"]
        self.env.cr.execute(Fact._fact_source_rows_sql(FactScope(partner_ids=self.a.ids, company_ids=self.company.ids)))
        rows = self.env.cr.dictfetchall()
        self.assertEqual(len(rows), 1, "one month, one category")
        stored = Fact._customer_totals(self.a, self.company, measures=["gross_revenue", "invoice_count"])
        self.assertEqual(stored[(self.a.id, self.company.id)], {"gross_revenue": 80.0, "invoice_count": 1})
        self.assertEqual(rows[0]["gross_revenue"], 80.0)
        self.assertEqual(rows[0]["date"], date(2026, 1, 1))
        self.assertEqual(rows[0]["categ_id"], self.product.categ_id.id)

    def test_queue_refreshes_and_stamps(self):
        Queue = self.env["crm.figures.queue"]
        Queue._enqueue(self.a | self.b, "invoice")
        Queue._enqueue(self.a, "payment")
        self.assertEqual(Queue._process(batch_size=1), (1, 1), "one customer per batch, one left")
        self.assertEqual(Queue._process(batch_size=10), (1, 0))
        self.assertTrue(self.a.crm_figures_refreshed_at)
        self.assertTrue(self.b.crm_figures_refreshed_at)
        self.assertFalse(Queue.search_count([]))
