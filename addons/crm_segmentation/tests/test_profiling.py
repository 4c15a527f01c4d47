from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SegmentationCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestProfilingOptOut(SegmentationCommon):
    """A customer who objects to profiling: no score, prediction, automatic lifecycle move, segment or
    follow-up; what was computed before goes at once. And the explanation of each figure for the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a, cls.b, cls.c = (cls._customer(name) for name in "ABC")
        for day in ("2026-06-20", "2026-05-01", "2026-01-10"):
            cls._invoice(cls.a, day, 1000)
        cls._invoice(cls.b, "2026-06-20", 500)
        cls._invoice(cls.c, "2025-01-15", 5000)
        cls.Score = cls.env["crm.rfm.score"]

    def _score(self, partner):
        return self.Score.search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])

    def test_opted_out_customer_leaves_rfm(self):
        self.Score._recompute(self.company, today=TODAY)
        self.assertTrue(self._score(self.b))
        self.assertTrue(self.env["crm.rfm.snapshot"].search([("partner_id", "=", self.b.id)]))
        self.b.crm_profiling_opt_out = True
        self.assertFalse(self._score(self.b), "the scores go when the customer objects")
        self.assertFalse(self.env["crm.rfm.snapshot"].search([("partner_id", "=", self.b.id)]))
        self.Score._recompute(self.company, today=TODAY)
        self.assertFalse(self._score(self.b), "and the nightly run does not score them again")
        self.assertEqual(self.Score.search([("company_id", "=", self.company.id)]).partner_id, self.a | self.c)
        # ranked among the two others only: A, the more recent and frequent of two, passes the cut points
        # at positions ceil(k * 2 / 5) = 1, 1, 2, 2: R 3, F 3 (R 2, F 4 among the three)
        self.assertEqual(self._score(self.a).rfm_code[:2], "33")
        self.b.crm_profiling_opt_out = False
        self.Score._recompute(self.company, today=TODAY)
        self.assertTrue(self._score(self.b), "scored again once they agree")

    def test_opted_out_customer_leaves_clv(self):
        self.b.crm_profiling_opt_out = True
        customers = {row[0] for row in self.Score._clv_inputs(self.company, TODAY)}
        self.assertEqual(customers, {self.a.id, self.c.id}, "neither predicted nor used to fit the models")

    def test_opted_out_customer_is_not_moved(self):
        d = self._customer("D")
        d.crm_profiling_opt_out = True
        self._invoice(d, "2026-06-01", 100)  # evaluated at posting (crm_lifecycle_sync)
        self.env["res.partner"]._evaluate_lifecycle()
        self.assertFalse(d.lifecycle_stage_id, "no automatic move")
        self.assertTrue(self.a.lifecycle_stage_id, "the others are moved")
        stage = self.env["crm.lifecycle.stage"].search([("code", "=", "formation")])
        d.lifecycle_stage_id = stage  # by hand: allowed
        self.assertEqual(d.lifecycle_stage_id, stage)

    def test_segments_and_followups(self):
        segment = self.env["crm.rule.segment"].create(
            {
                "name": "All",
                "domain": f"[('id', 'in', {(self.a | self.b | self.c).ids})]",
                "company_id": self.company.id,
            }
        )
        segment.action_refresh()
        self.assertEqual(segment.partner_ids, self.a | self.b | self.c)
        self.b.crm_profiling_opt_out = True
        self.assertEqual(segment.partner_ids, self.a | self.c, "left out of the segments at once")
        self.assertEqual(segment.member_count, 2)
        segment.action_refresh()
        self.assertEqual(segment.partner_ids, self.a | self.c)
        # the follow-ups reach the customers who consent to be contacted by phone or e-mail only
        self.a.crm_consent_phone = True
        self.b.crm_consent_phone = True  # consents, but objected to profiling
        notification = self.c.browse((self.a | self.b | self.c).ids)._crm_schedule_followups("Follow up")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("summary", "=", "Follow up")]
        )
        self.assertEqual(activities.mapped("res_id"), self.a.ids)
        self.assertIn("2 customers skipped", notification["params"]["message"])

    def test_explanation_of_a_known_customer(self):
        self.Score._recompute(self.company, today=TODAY)
        with freeze_time("2026-07-01"):
            self.env["res.partner"]._evaluate_lifecycle(partner_ids=self.a.ids)
            items = {item["key"]: item for item in self.a._crm_explain_profiling()}
            # the staff's tab renders the same items
            self.assertIn("At least 3 invoices", str(self.a.crm_profiling_explanation))
        # by hand: 3 customers; R: last purchases C 2025-01-15 < A = B 2026-06-20; F: B = C 1 < A 3; M: B 500 <
        # A 3000 < C 5000; the cut points at positions ceil(k * 3 / 5) give A R 2, F 4, M 2
        rfm = items["rfm"]
        self.assertEqual(rfm["value"], f"R 2, F 4, M 2: {self._score(self.a).segment_id.name}")
        inputs = dict(rfm["inputs"])
        self.assertEqual(inputs["Invoices in the window (F)"], "3")
        self.assertEqual(inputs["Customers compared"], "3")
        self.assertIn("3,000.00", inputs["Net amount invoiced in the window (M)"])
        self.assertIn("ranked three times", rfm["rule"])
        # contribution order C, A, B: A second of three, after the top 20%, within the next 30%
        value = items["value_class"]
        self.assertEqual(value["value"], "Medium value")
        self.assertEqual(dict(value["inputs"])["Decile (1 = the top 10 percent)"], "4")
        self.assertIn("prediction", items)
        # lifecycle on 2026-07-01: 3 invoices in the window, last 11 days ago, typical gap (161 days / 2)
        life = items["lifecycle"]
        self.assertEqual(life["value"], "Stability")
        inputs = dict(life["inputs"])
        self.assertEqual(inputs["Posted invoices"], "3")
        self.assertEqual(inputs["Days since the last purchase"], "11 days")
        self.assertEqual(inputs["Typical gap between purchases"], "80 days")
        self.assertIn("At least 3 invoices", life["rule"])
        # in plain words for the customer: their own purchases, not the company's figures
        self.assertIn("you bought 3 times", rfm["plain"])
        self.assertIn("3,000.00", rfm["plain"])
        self.assertIn("Medium value", value["plain"])
        self.assertTrue(life["plain"].startswith("The stage of your relationship with us follows your purchases"))
        self.assertEqual(
            [label for label, _value in life["plain_inputs"]],
            ["Posted invoices", "Invoices in the last 24 months", "Days since the last purchase"],
        )
        # an opted-out customer: one item saying so
        self.a.crm_profiling_opt_out = True
        self.assertEqual([item["key"] for item in self.a._crm_explain_profiling()], ["opt_out"])
