import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon


def factor(months, rate):
    """Sum over the months k = 1..months of 1 / (1 + rate)^(k / 12), by hand."""
    return sum((1 + rate) ** (-k / 12) for k in range(1, months + 1))


@tagged("post_install", "-at_install")
class TestClvContribution(BaseCommon):
    """CLV on contribution (the score's prediction) against the cost to serve over the same horizon, per
    customer, by acquisition cohort and segment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env["res.company"].create({"name": "CLV Company"})
        cls.other_company = env["res.company"].create({"name": "Other CLV Company"})
        cls.today = fields.Date.context_today(env.user)
        cls.Report = env["crm.clv.contribution"].with_context(allowed_company_ids=cls.company.ids)
        # two of the segments the addon installs (data, not demo)
        cls.loyal, cls.at_risk = env["crm.rfm.segment"].search([], limit=2)
        cls.old, cls.young, cls.newest, cls.losing, cls.unknown = env["res.partner"].create(
            [{"name": name, "is_company": True} for name in ("Old", "Young", "Newest", "Losing", "Unknown")]
        )
        # (customer, days since the first purchase, [(days ago, service cost)], CLV, segment, predicted)
        cls._customer(cls.old, 400, [(100, 50), (30, 70), (500, 999)], 1000, cls.loyal)
        cls._customer(cls.young, 60, [(20, 30)], 300, cls.loyal)
        cls._customer(cls.newest, 10, [(5, 5)], 90, cls.at_risk)
        cls._customer(cls.losing, 700, [], -200, cls.at_risk)
        cls._customer(cls.unknown, 200, [(10, 40)], 0, cls.at_risk, predicted=False)

    @classmethod
    def _customer(cls, partner, first, costs, clv, segment, predicted=True, company=None, horizon=12, rate=10.0):
        company = company or cls.company
        cls.env.cr.executemany(
            "INSERT INTO crm_sales_fact (partner_id, company_id, date, invoice_count, net_revenue, contribution,"
            " freight_cost) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(partner.id, company.id, cls.today - timedelta(days=first), 1, 500, 200, 0)]
            + [(partner.id, company.id, cls.today - timedelta(days=d), 0, 0, 0, cost) for d, cost in costs],
        )
        cls.env["crm.rfm.score"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "first_purchase_date": cls.today - timedelta(days=first),
                "segment_id": segment.id,
                "value_class": "high" if clv > 500 else "low",
                "clv_12m": clv,
                "clv_horizon_months": horizon,
                "clv_discount_rate": rate,
                "predicted_at": fields.Datetime.now() if predicted else False,
            }
        )

    def test_per_customer_by_hand(self):
        figures = self.Report._clv_contribution(self.old | self.young | self.newest | self.losing | self.unknown)
        self.assertNotIn(self.unknown.id, figures, "no prediction, no figure")
        twelve = factor(12, 0.10)  # 11.4005
        old = figures[self.old.id]
        # the last 12 months' service cost (50 + 70; 999 was 500 days ago), a twelfth a month, discounted
        self.assertAlmostEqual(old["annual_service_cost"], 120.0)
        self.assertAlmostEqual(old["service_cost_horizon"], 10 * twelve, places=4)
        self.assertAlmostEqual(old["service_cost_horizon"], 114.005, places=3)
        self.assertAlmostEqual(old["clv_ratio"], 1000 / (10 * twelve), places=4)
        self.assertEqual(old["cohort_date"], self.today - timedelta(days=400))
        self.assertEqual((old["horizon_months"], old["discount_rate"]), (12, 10.0))
        # acquired 60 days ago: 30 in 60 days is 182.50 a year
        self.assertAlmostEqual(figures[self.young.id]["annual_service_cost"], 30 * 365 / 60)
        # acquired 10 days ago: scaled over 30 days at least
        self.assertAlmostEqual(figures[self.newest.id]["annual_service_cost"], 5 * 365 / 30)
        losing = figures[self.losing.id]
        self.assertEqual((losing["clv"], losing["service_cost_horizon"]), (-200, 0))
        self.assertIsNone(losing["clv_ratio"], "no service cost: no ratio")
        # the report's rows have keys an XML-RPC client can read (32 bits), one per customer and company
        rows = self.Report.search([("partner_id", "in", (self.old | self.losing).ids)])
        self.assertEqual(len(rows), 2)
        self.assertTrue(all(0 < key < 2**31 for key in rows.ids))
        old_row = rows.filtered(lambda row: row.partner_id == self.old)
        self.assertEqual(old_row.id, self.old.id * 100 + old_row.company_id.id)

    def test_horizon_and_rate_of_the_prediction(self):
        """The cost to serve is taken over the horizon and at the rate the CLV was predicted with."""
        score = self.env["crm.rfm.score"].search([("partner_id", "=", self.old.id)])
        score.write({"clv_horizon_months": 36, "clv_discount_rate": 0.0})
        self.assertAlmostEqual(self.Report._clv_contribution(self.old)[self.old.id]["service_cost_horizon"], 360.0)
        score.clv_discount_rate = 8.0
        cost = self.Report._clv_contribution(self.old)[self.old.id]["service_cost_horizon"]
        self.assertAlmostEqual(cost, 10 * factor(36, 0.08), places=4)
        self.assertLess(cost, 360.0)

    def test_cohort_and_segment_groups_add_up(self):
        rows = self.Report.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(rows), 4)
        for grain in ("year", "quarter", "month"):
            for by in ("segment_id", "value_class"):
                groups = self.Report._clv_contribution_groups(self.company, cohort=grain, by=by)
                self.assertEqual(sum(g["customers"] for g in groups), 4)
                self.assertAlmostEqual(sum(g["clv"] for g in groups), sum(rows.mapped("clv")), places=6)
                for group in groups:
                    members = rows.filtered(
                        lambda r, g=group, b=by, p=grain: (
                            r[b] == g[b]
                            and fields.Date.start_of(r.cohort_date, p) == fields.Date.start_of(g["cohort"], p)
                        )
                    )
                    self.assertEqual(group["customers"], len(members))
                    self.assertAlmostEqual(group["clv"], sum(members.mapped("clv")), places=6)
                    self.assertAlmostEqual(group["clv_mean"], group["clv"] / len(members), places=6)
                    cost = sum(members.mapped("service_cost_horizon"))
                    self.assertAlmostEqual(group["service_cost_mean"], cost / len(members), places=6)
                    if cost:
                        # total CLV over total cost, not a sum or mean of the customers' ratios
                        self.assertAlmostEqual(group["clv_ratio"], group["clv"] / cost, places=6)
                    else:
                        self.assertFalse(group["clv_ratio"])
        # the pivot's ratio over everything
        [(ratio,)] = self.Report._read_group([("company_id", "=", self.company.id)], [], ["clv_ratio:sum"])
        self.assertAlmostEqual(ratio, sum(rows.mapped("clv")) / sum(rows.mapped("service_cost_horizon")), places=6)

    def test_planted_cohort_with_double_clv(self):
        """A cohort of customers worth twice as much (their margin doubled) shows twice the CLV per customer."""
        base = self.env["res.partner"].create([{"name": f"Base {i}", "is_company": True} for i in range(4)])
        double = self.env["res.partner"].create([{"name": f"Double {i}", "is_company": True} for i in range(4)])
        for i, (b, d) in enumerate(zip(base, double, strict=True)):
            self._customer(b, 800, [(10, 20)], 100 + 10 * i, self.loyal, company=self.other_company)
            self._customer(d, 20, [(10, 20)], 2 * (100 + 10 * i), self.loyal, company=self.other_company)
        groups = {
            g["cohort"]: g
            for g in self.Report.with_context(allowed_company_ids=self.other_company.ids)._clv_contribution_groups(
                self.other_company, cohort="month"
            )
        }
        older = groups[fields.Date.start_of(self.today - timedelta(days=800), "month")]
        newer = groups[fields.Date.start_of(self.today - timedelta(days=20), "month")]
        self.assertAlmostEqual(newer["clv_mean"], 2 * older["clv_mean"], places=6)
        self.assertAlmostEqual(newer["clv"], 2 * older["clv"], places=6)

    def test_workbook_sheet(self):
        """The accounting workbook's sheet: by acquisition year and segment, the same figures as the report."""
        wizard = self.env["crm.accounting.export"].create(
            {"company_id": self.company.id, "date_from": self.today - timedelta(days=30), "date_to": self.today}
        )
        book = openpyxl.load_workbook(io.BytesIO(wizard._build_workbook()))
        rows = list(book["CLV by Cohort"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("Acquisition Year", "RFM Segment", "Customers", "CLV on Contribution"))
        body, total = rows[1:-1], rows[-1]
        groups = self.Report._clv_contribution_groups(self.company, cohort="year")
        expected = [
            (
                str(g["cohort"].year),
                g["segment_id"].name,
                g["customers"],
                round(g["clv"], 2),
                round(g["clv_ratio"] or 0, 4),
            )
            for g in groups
        ]
        self.assertEqual(
            sorted((r[0], r[1], r[2], round(r[3], 2), round(r[6] or 0, 4)) for r in body), sorted(expected)
        )
        # 1000 + 300 + 90 - 200 over 4 customers, totalled by formulas
        self.assertEqual((sum(r[2] for r in body), round(sum(r[3] for r in body), 2)), (4, 1190.0))
        self.assertEqual(total[0], "Total")
        self.assertTrue(total[3].startswith("=SUBTOTAL(9,"))

    def test_on_the_customer(self):
        customer = self.old.with_company(self.company)
        self.assertAlmostEqual(customer.crm_clv_service_cost, 10 * factor(12, 0.10), places=2)
        self.assertAlmostEqual(customer.crm_clv_ratio, 1000 / (10 * factor(12, 0.10)), places=2)
        contact = self.env["res.partner"].create({"name": "Buyer at Old", "parent_id": self.old.id})
        self.assertAlmostEqual(contact.with_company(self.company).crm_clv_ratio, customer.crm_clv_ratio)
        self.assertFalse(self.losing.with_company(self.company).crm_clv_ratio)
        self.assertFalse(self.unknown.with_company(self.company).crm_clv_service_cost)

    def test_access(self):
        salesman = new_test_user(
            self.env,
            login="clv_sales",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        self.assertEqual(len(self.Report.with_user(salesman).search([])), 4)
        # another company's customers stay out
        elsewhere = self.env["res.partner"].create({"name": "Elsewhere"})
        self._customer(elsewhere, 50, [], 10, self.loyal, company=self.other_company)
        self.assertEqual(len(self.Report.with_user(salesman).search([])), 4)
        employee = new_test_user(self.env, login="clv_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["crm.clv.contribution"].with_user(employee).search([])
