from datetime import date

from odoo.tests import BaseCase, tagged

from ..tools import churn


@tagged("post_install", "-at_install")
class TestChurnMath(BaseCase):
    """The score's kernel, no database."""

    def test_rhythm(self):
        gap = churn.usual_gap(4, date(2026, 1, 1), date(2026, 3, 2))
        self.assertEqual(gap, 20.0)
        self.assertAlmostEqual(churn.gap_ratio(date(2026, 3, 2), gap, date(2026, 4, 1)), 1.5)
        self.assertIsNone(churn.usual_gap(1, date(2026, 1, 1), date(2026, 1, 1)))
        self.assertIsNone(churn.gap_ratio(date(2026, 1, 1), None, date(2026, 4, 1)))

    def test_score(self):
        # 70 days silent for a 30-day rhythm: (2.33 - 1) x 15 = 20; a detractor 15; 2 SLA breaches 16
        self.assertEqual(churn.risk_score(70 / 30, None, 0, 0, 2, True), 51)
        self.assertEqual(churn.risk_score(0.5), 0)
        self.assertEqual(churn.risk_score(10.0), 60)  # the rhythm's cap: silence alone flags
        self.assertEqual(churn.risk_score(prob_alive=0.25), 15)
        self.assertEqual(churn.risk_score(complaints=5), 20)
        self.assertEqual(churn.risk_score(negative=3), 10)
        self.assertEqual(churn.risk_score(overdue_amount=10.0, overdue_days=10), 10)
        self.assertEqual(churn.risk_score(overdue_amount=10.0, overdue_days=31), 15)
        self.assertEqual(churn.risk_score(10.0, 0.0, 9, 9, 9, True, 1.0, 99), 100)

    def test_holdout_draw(self):
        draws = [churn.in_holdout(pid, 1, 10.0) for pid in range(1, 10001)]
        self.assertEqual(draws, [churn.in_holdout(pid, 1, 10.0) for pid in range(1, 10001)], "deterministic")
        self.assertAlmostEqual(sum(draws) / len(draws), 0.10, delta=0.015)
        self.assertFalse(any(churn.in_holdout(pid, 1, 0.0) for pid in range(1, 1000)))
