from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestStory(AccountTestInvoicingCommon):
    """The story, generated small in a company of its own, leaves the screens with shape: every customer's
    purchases posted, champions scored with their frequency and revenue, twelve monthly snapshots, members
    with points, paid and overdue invoices, tickets, ratings and NPS answers on the overview."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= (
            cls.env.ref("sales_team.group_sale_manager")
            + cls.env.ref("crm_loyalty.group_loyalty_user")
            + cls.env.ref("crm_feedback.group_feedback_user")
        )
        # sudo: the story runs as the demo loader does (superuser), writing every kind of record
        cls.personas = cls.env["crm.demo.story"].sudo()._generate(company=cls.company, customers=24, seed=7)
        cls.customers = cls.env["res.partner"].union(*cls.personas.values())
        cls.today = fields.Date.context_today(cls.env["crm.demo.story"])

    def test_sales_and_scores(self):
        self.assertGreaterEqual(len(self.personas), 4)
        invoices = self.env["account.move"].search(
            [("partner_id", "in", self.customers.ids), ("move_type", "=", "out_invoice")]
        )
        self.assertTrue(invoices)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertTrue(all(move.invoice_date <= self.today for move in invoices))
        scores = self.env["crm.rfm.score"].search(
            [("partner_id", "in", self.customers.ids), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(scores), len(self.customers))
        champions = scores.filtered(lambda s: s.partner_id in self.personas["champion"])
        self.assertTrue(champions)
        for score in champions:
            self.assertGreaterEqual(score.frequency, 5)
            self.assertGreater(score.monetary, 0)
            self.assertTrue(score.segment_id)
        months = self.env["crm.rfm.snapshot"].search([("company_id", "=", self.company.id)]).mapped("month")
        self.assertGreaterEqual(len(set(months)), 12)

    def test_payments_points_and_feedback(self):
        invoices = self.env["account.move"].search(
            [("partner_id", "in", self.customers.ids), ("move_type", "=", "out_invoice")]
        )
        old = invoices.filtered(lambda m: m.invoice_date < self.today - timedelta(days=120))
        self.assertTrue(old)
        paid = old.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        self.assertGreater(len(paid), len(old) * 0.8)
        if "at_risk" in self.personas:
            last = invoices.filtered(lambda m: m.partner_id == self.personas["at_risk"][0]).sorted("invoice_date")[-1]
            self.assertEqual(last.payment_state, "not_paid")
        members = self.env["crm.loyalty.membership"].search([("partner_id", "in", self.customers.ids)])
        self.assertTrue(members)
        self.assertGreater(sum(members.mapped("lifetime_points")), 0)
        overview = self.env["crm.dashboard"].with_company(self.company).get_overview()
        sections = {section["key"]: section for section in overview["sections"]}
        charts = {chart["key"]: chart for chart in sections["segmentation"]["charts"]}
        sizes = charts["segment_sizes"]["datasets"]
        months = zip(*(dataset["data"] for dataset in sizes), strict=True)
        self.assertGreaterEqual(sum(1 for month in months if any(month)), 12)
        tiles = {tile["key"]: tile for tile in sections["feedback"]["tiles"]}
        self.assertIsNotNone(tiles["nps"]["value"])
        tickets = self.env["crm.feedback.ticket"].search([("partner_id", "in", self.customers.ids)])
        self.assertTrue(tickets.filtered("is_closed"))
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "crm.feedback.ticket"), ("res_id", "in", tickets.ids), ("consumed", "=", True)]
        )
        self.assertTrue(ratings)
