from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.crm_segmentation.models.crm_rfm_score import CrmRfmScore
from odoo.addons.crm_segmentation.tests.churn_common import ChurnCommon

from ..hooks import post_init_hook


@tagged("post_install", "-at_install")
class TestChurnClv(ChurnCommon):
    """Churn and lifetime value are predicted in the run that computes the scores, read as unknown where
    they cannot be, and use the mean of the repeat purchases on the company's horizon and discount rate."""

    def test_never_predicted_reads_unknown(self):
        customer = self._customer("Fresh Buyer")
        self._invoice(customer, self.today - timedelta(days=1), 300)
        self._recompute()
        score = self._score(customer)
        self.assertTrue(score.computed_at)
        self.assertFalse(score.predicted_at, "too little history: no prediction")
        self.assertFalse(score.churn_probability)
        self.assertIn("20", score.prediction_note, "the reason is shown")
        self.assertNotIn("BG/NBD needs", score.prediction_note, "not the math kernel's English sentence")
        self.assertEqual(score.prediction_note, self.company.clv_prediction_note)
        self.assertEqual(customer.rfm_prediction_note, score.prediction_note)
        self.assertNotIn(score, self._churning(), "a customer never predicted is not likely churning")
        # the nightly run records the reason instead of swallowing it
        self.company.clv_prediction_note = False
        self.Score._cron_recompute()
        self.company.invalidate_recordset()
        self.assertIn("20", self.company.clv_prediction_note)

    def test_one_recompute_predicts_every_score(self):
        self._population()
        self._recompute()
        scores = self.Score.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(scores), 40)
        self.assertTrue(all(scores.mapped("predicted_at")), "the button predicts in the same run")
        self.assertFalse(self.company.clv_prediction_note)
        # the next fit starts from these
        self.assertEqual(set(self.company.clv_parameters), {"bgnbd", "gamma_gamma"})
        self.assertEqual(set(self.company.clv_parameters["bgnbd"]), {"r", "alpha", "a", "b"})
        for score in scores:
            self.assertAlmostEqual(score.churn_probability, 1 - score.prob_alive, places=3)
            self.assertFalse(score.prediction_note)
        newcomer = self._customer("Newcomer")
        self._invoice(newcomer, self.today - timedelta(days=2), 90)
        self._recompute()
        self.assertTrue(self._score(newcomer).predicted_at, "a new score is predicted with it")

    def test_spend_is_the_mean_of_repeat_purchases(self):
        self._population()
        self.company.clv_discount_rate = 0.0
        customer = self._customer("Big First Order")
        self._invoice(customer, self.today - timedelta(days=200), 10000)
        for days in (160, 120, 80, 40, 5):
            self._invoice(customer, self.today - timedelta(days=days), 100)
        inputs = {row[0]: row for row in self.Score._clv_inputs(self.company, self.today)}
        self.assertEqual(inputs[customer.id][1], 5, "five repeat purchases")
        self.assertAlmostEqual(inputs[customer.id][4], 100.0, msg="the first purchase is not a repeat purchase")
        self._recompute()
        score = self._score(customer)
        spend = score.clv_12m / score.expected_purchases_12m
        self.assertGreater(spend, 95)
        self.assertLess(spend, 130, "about 114, not 1,631")

    def test_explanation_and_objection_to_profiling(self):
        partners = self._population()
        customer = self._customer("Explained Buyer")
        self._invoice(customer, self.today - timedelta(days=200), 10000)
        for days in (160, 120, 80, 40, 5):
            self._invoice(customer, self.today - timedelta(days=days), 100)
        self._recompute()
        score = self._score(customer)
        items = {item["key"]: item for item in customer.with_company(self.company)._crm_explain_profiling()}
        prediction = items["prediction"]
        self.assertIn(f"Probability still active {round(score.prob_alive * 100)}%", prediction["value"])
        inputs = dict(prediction["inputs"])
        self.assertEqual(inputs["Repeat purchase days"], "5")
        self.assertEqual(inputs["Weeks from the first to the last purchase"], f"{195 / 7:.1f}")
        self.assertIn("100.00", inputs["Mean net revenue of a repeat purchase"])
        self.assertEqual(inputs["Contribution margin"], "100.0%")
        self.assertIn("BG/NBD", prediction["rule"])
        # an objection removes the prediction and leaves the customer out of the next fit
        opted_out = partners[1]
        self.assertTrue(self._score(opted_out).predicted_at)
        opted_out.crm_profiling_opt_out = True
        self.assertFalse(self._score(opted_out))
        self._recompute()
        self.assertFalse(self._score(opted_out), "not predicted again")
        self.assertTrue(self._score(customer).predicted_at, "the others are")
        self.assertNotIn(opted_out.id, {row[0] for row in self.Score._clv_inputs(self.company, self.today)})

    def test_horizon_and_discount_rate(self):
        partners = self._population()
        regular = partners[1]
        self.company.write({"clv_horizon_months": 12, "clv_discount_rate": 0.0})
        self._recompute()
        score = self._score(regular)
        purchases, value = score.expected_purchases_12m, score.clv_12m
        self.assertGreater(value, 0)
        settings = self.env["res.config.settings"].with_context(allowed_company_ids=self.company.ids).create({})
        settings.clv_discount_rate = 10.0
        settings.execute()
        self.assertEqual(self.company.clv_discount_rate, 10.0)
        self._recompute()
        score = self._score(regular)
        # the refit starts from the first fit's parameters: on 40 customers the likelihood is flat and the
        # search may stop a little elsewhere on it (0.03% here), the discount rate does not move the purchases
        self.assertAlmostEqual(score.expected_purchases_12m, purchases, delta=purchases * 1e-3)
        self.assertLess(score.clv_12m, value, "discounted")
        self.assertGreater(score.clv_12m, value / 1.1)
        self.company.clv_horizon_months = 24
        self._recompute()
        score = self._score(regular)
        self.assertGreater(score.expected_purchases_12m, purchases)
        self.assertEqual((score.clv_horizon_months, score.clv_discount_rate), (24, 10.0), "shown with the value")
        with self.assertRaises(ValidationError):
            self.company.clv_horizon_months = 0
        with self.assertRaises(ValidationError):
            self.company.clv_discount_rate = -1

    def test_one_time_buyers_silent_too_long_are_flagged_by_rule(self):
        self._population()
        silent, fresh = self._customer("Silent Once"), self._customer("Fresh Once")
        gone = self._customer("Gone Regular")
        self._facts(gone, [(250 + 10 * k, 100, 100) for k in range(8)])
        self._invoice(silent, self.today - timedelta(days=200), 500)
        self._invoice(fresh, self.today - timedelta(days=5), 500)
        self._recompute()
        gap = self.company.clv_typical_gap_days
        self.assertTrue(20 <= gap <= 40, gap)
        silent_score = self._score(silent)
        self.assertEqual(silent_score.prob_alive, 1.0, "BG/NBD: a one-time buyer cannot have dropped out")
        self.assertTrue(silent_score.one_time_buyer)
        churning = self._churning()
        self.assertIn(silent_score, churning, "silent for longer than the company's typical repeat gap")
        self.assertNotIn(self._score(fresh), churning)
        scores = self.Score.search([("company_id", "=", self.company.id)])
        expected = scores.filtered(
            lambda s: s.prob_alive < 0.5 or (s.one_time_buyer and (self.today - s.last_purchase_date).days > gap)
        )
        self.assertEqual(churning, expected)
        self.assertIn(self._score(gone), churning, "the model's churners are listed too")
        self.assertLess(self._score(gone).prob_alive, 0.5)

    def test_install_predicts_companies_never_predicted(self):
        """The scores computed before this addon was installed (crm_segmentation's demo data) are predicted
        when it is installed; a company predicted before keeps its predictions."""
        self._population()
        with patch.object(type(self.env["crm.rfm.score"]), "_predict_clv", CrmRfmScore._predict_clv):
            self._recompute()
        scores = self.Score.search([("company_id", "=", self.company.id)])
        self.assertFalse(any(scores.mapped("predicted_at")))
        self.assertIn("CRM Segmentation CLV", scores[0].prediction_note)
        post_init_hook(self.env)
        scores.invalidate_recordset()
        self.company.invalidate_recordset()
        self.assertTrue(all(scores.mapped("predicted_at")))
        self.assertFalse(self.company.clv_prediction_note)
        predicted = {s.id: (s.prob_alive, s.clv_12m, s.predicted_at) for s in scores}
        post_init_hook(self.env)
        scores.invalidate_recordset()
        self.assertEqual({s.id: (s.prob_alive, s.clv_12m, s.predicted_at) for s in scores}, predicted)
