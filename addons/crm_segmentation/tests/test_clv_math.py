import numpy as np

from odoo.tests import BaseCase, tagged

from ..tools import clv
from ..tools.lifecycle import LifecycleFacts, LifecycleParams, decide_stage


@tagged("post_install", "-at_install")
class TestClvMath(BaseCase):
    """BG/NBD and Gamma-Gamma recover known parameters from synthetic data (no database)."""

    def test_bgnbd_recovers_parameters(self):
        rng = np.random.default_rng(7)
        truth = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}
        x, t_x, T = clv.simulate_bgnbd(4000, *truth.values(), 52.0, rng)
        fitted = clv.fit_bgnbd(x, t_x, T)
        for key, value in truth.items():
            self.assertLess(abs(fitted[key] - value) / value, 0.25, f"{key}: {fitted[key]} vs {value}")
        alive = clv.prob_alive(fitted, x, t_x, T)
        self.assertTrue(((alive >= 0) & (alive <= 1)).all())
        self.assertTrue((alive[x == 0] == 1).all(), "a customer without repeat purchase cannot have dropped out")
        expected = clv.expected_purchases(fitted, 52.0, x, t_x, T)
        self.assertTrue((expected >= 0).all())

    def test_gamma_gamma_recovers_parameters(self):
        rng = np.random.default_rng(11)
        p, q, v = 6.25, 3.74, 15.44
        x = rng.integers(1, 10, 4000)
        nu = rng.gamma(q, 1.0 / v, len(x))
        m = np.array([rng.gamma(p, 1.0 / nu[i], x[i]).mean() for i in range(len(x))])
        fitted = clv.fit_gamma_gamma(x, m)
        for key, value in {"p": p, "q": q, "v": v}.items():
            self.assertLess(abs(fitted[key] - value) / value, 0.25, f"{key}: {fitted[key]} vs {value}")
        spend = clv.expected_spend(fitted, x, m)
        self.assertTrue((spend > 0).all())

    def test_too_little_history(self):
        with self.assertRaises(clv.NotEnoughData):
            clv.fit_bgnbd([0, 1, 2], [0, 1, 2], [5, 5, 5])
        with self.assertRaises(clv.NotEnoughData):
            clv.fit_gamma_gamma([0, 0, 1], [0, 0, 10])

    def test_lifecycle_rules(self):
        params = LifecycleParams(stable_min_purchases=3, decline_factor=2.0, lost_days=365)

        def stage(**kw):
            base = {
                "has_quote_or_lead": False,
                "invoice_count": 0,
                "window_count": 0,
                "days_since_last": None,
                "typical_gap": None,
                "current_code": None,
            }
            base.update(kw)
            return decide_stage(LifecycleFacts(**base), params)

        self.assertEqual(stage(), "prospect")
        self.assertEqual(stage(has_quote_or_lead=True), "exploration")
        self.assertEqual(stage(invoice_count=1, window_count=1, days_since_last=5), "formation")
        self.assertEqual(stage(invoice_count=3, window_count=3, days_since_last=20, typical_gap=30), "stability")
        self.assertEqual(stage(invoice_count=2, window_count=2, days_since_last=20, typical_gap=30), "formation")
        self.assertEqual(stage(invoice_count=3, window_count=3, days_since_last=61, typical_gap=30), "decline")
        self.assertEqual(
            stage(invoice_count=3, window_count=3, days_since_last=45, typical_gap=30, current_code="stability"),
            "stability",
        )
        self.assertEqual(stage(invoice_count=3, window_count=0, days_since_last=400, typical_gap=30), "lost")
        self.assertEqual(
            stage(invoice_count=4, window_count=1, days_since_last=3, typical_gap=100, current_code="lost"), "won_back"
        )
        self.assertEqual(
            stage(invoice_count=4, window_count=1, days_since_last=30, typical_gap=100, current_code="won_back"),
            "won_back",
        )
