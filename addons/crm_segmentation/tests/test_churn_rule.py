from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from ..models.crm_rfm_score import CrmRfmScore
from .churn_common import ChurnCommon


@tagged("post_install", "-at_install")
class TestChurnRule(ChurnCommon):
    """crm_segmentation alone (the addon crm_segmentation_clv and its libraries absent): the inputs of the
    models are gathered, the churn rule on one-time buyers works, and churn and lifetime value read as not
    predicted, with the reason."""

    def _without_models(self):
        """crm_segmentation_clv may be installed beside: restore crm_segmentation's own method."""
        patcher = patch.object(type(self.env["crm.rfm.score"]), "_predict_clv", CrmRfmScore._predict_clv)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_value_is_on_contribution(self):
        customer = self._customer("Thin Margin")
        # contribution (the column the value classes read: the margin with the ERP bridge) is 40% of revenue
        self._facts(customer, [(100, 200, 80), (60, 100, 40), (20, 100, 40)])
        inputs = {row[0]: row for row in self.Score._clv_inputs(self.company, self.today)}
        # the mean net revenue of the repeat purchases, and the margin the lifetime value applies to it
        self.assertAlmostEqual(inputs[customer.id][4], 100.0)
        self.assertAlmostEqual(float(inputs[customer.id][5]), 0.4)

    def test_one_time_buyers_flagged_without_the_models(self):
        self._without_models()
        self._population()
        silent, fresh = self._customer("Silent Once"), self._customer("Fresh Once")
        self._invoice(silent, self.today - timedelta(days=200), 500)
        self._invoice(fresh, self.today - timedelta(days=5), 500)
        self._recompute()
        # the median over repeat buyers of their mean days between purchase days
        gaps = sorted(
            float(t_x) * 7 / x for _p, x, t_x, _T, _m, _margin in self.Score._clv_inputs(self.company, self.today) if x
        )
        middle = len(gaps) // 2
        median = gaps[middle] if len(gaps) % 2 else (gaps[middle - 1] + gaps[middle]) / 2
        self.assertEqual(self.company.clv_typical_gap_days, round(median))
        self.assertTrue(20 <= self.company.clv_typical_gap_days <= 40)
        silent_score = self._score(silent)
        self.assertTrue(silent_score.one_time_buyer)
        self.assertFalse(self._score(self.env["res.partner"].search([("name", "=", "P1")])).one_time_buyer)
        churning = self._churning()
        self.assertIn(silent_score, churning, "silent for longer than the company's typical repeat gap")
        self.assertNotIn(self._score(fresh), churning)
        scores = self.Score.search([("company_id", "=", self.company.id)])
        self.assertFalse(any(scores.mapped("predicted_at")), "nothing predicted without the models")
        self.assertFalse(silent_score.churn_probability)
        self.assertIn("CRM Segmentation CLV", silent_score.prediction_note)
        self.assertEqual(
            churning,
            scores.filtered("one_time_buyer").filtered(
                lambda s: (self.today - s.last_purchase_date).days > self.company.clv_typical_gap_days
            ),
        )
