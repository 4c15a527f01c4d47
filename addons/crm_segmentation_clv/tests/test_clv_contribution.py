import random
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.crm_segmentation.tests.churn_common import ChurnCommon

from ..tools import clv

# purchases at one a month for certain and no drop-out: BG/NBD with a purchase rate r / alpha of 12 a year
# (weeks) known almost exactly (alpha huge) and a drop-out probability of about zero (a tiny, b huge)
MONTHLY = {"r": 12 / 52 * 1e6, "alpha": 1e6, "a": 1e-6, "b": 1e6}
# Gamma-Gamma where a repeat buyer's own mean is the expected net revenue of a purchase (p huge) and the
# population's mean (for one-time buyers) is p v / (q - 1) = 100
OWN_MEAN = {"p": 1e6, "q": 2.0, "v": 1e-4}


def by_hand(per_month, months, rate):
    """Sum over the months k = 1..months of per_month / (1 + rate)^(k / 12)."""
    return sum(per_month / (1 + rate) ** (k / 12) for k in range(1, months + 1))


@tagged("post_install", "-at_install")
class TestClvContribution(ChurnCommon):
    """The predicted lifetime value is on contribution: expected purchases (BG/NBD) x expected net revenue of a
    purchase (Gamma-Gamma) x the customer's contribution margin, month by month over the company's horizon,
    discounted at its rate."""

    def _fixed_fit(self):
        """The fit replaced by known parameters (the population still has to pass the fit's minimums)."""
        return (
            patch.object(clv, "fit_bgnbd", return_value=dict(MONTHLY)),
            patch.object(clv, "fit_gamma_gamma", return_value=dict(OWN_MEAN)),
        )

    def _predict_fixed(self):
        bgnbd, gamma_gamma = self._fixed_fit()
        with bgnbd, gamma_gamma:
            self._recompute()

    def test_hand_computed_with_horizon_and_discount_rate(self):
        self._population()
        monthly = self._customer("Monthly Buyer")
        # five purchase days of 200 net revenue and 50 contribution each: margin 25%, 50 a purchase
        self._facts(monthly, [(d, 200, 50) for d in (150, 120, 90, 60, 30)])
        self.company.write({"clv_horizon_months": 12, "clv_discount_rate": 10.0})
        self._predict_fixed()
        score = self._score(monthly)
        self.assertAlmostEqual(score.prob_alive, 1.0, places=6)
        self.assertAlmostEqual(score.expected_purchases_12m, 12.0, places=2)
        # 12 purchases x 50 contribution, each month's discounted: 570.02 (600 undiscounted)
        self.assertAlmostEqual(score.clv_12m, by_hand(50, 12, 0.10), delta=0.05)
        self.assertAlmostEqual(score.clv_12m, 570.02, delta=0.05)
        self.company.clv_discount_rate = 0.0
        self._predict_fixed()
        self.assertAlmostEqual(self._score(monthly).clv_12m, 600.0, delta=0.05)
        self.company.write({"clv_horizon_months": 36, "clv_discount_rate": 10.0})
        self._predict_fixed()
        score = self._score(monthly)
        self.assertAlmostEqual(score.clv_12m, by_hand(50, 36, 0.10), delta=0.2)
        self.assertAlmostEqual(score.clv_12m, 1559.32, delta=0.2)
        self.assertEqual((score.clv_horizon_months, score.clv_discount_rate), (36, 10.0))

    def test_non_positive_margin(self):
        self._population()
        self.company.write({"clv_horizon_months": 12, "clv_discount_rate": 10.0})
        at_loss, once_at_loss = self._customer("Sold at a Loss"), self._customer("Once at a Loss")
        at_cost, refunded = self._customer("Sold at Cost"), self._customer("Refunded")
        # margin -10%: each purchase of 200 loses 20
        self._facts(at_loss, [(d, 200, -20) for d in (150, 120, 90, 60, 30)])
        # one purchase at -10%: the population's net revenue of a purchase (100) at their margin: -10 a purchase
        self._facts(once_at_loss, [(40, 300, -30)])
        self._facts(at_cost, [(d, 200, 0) for d in (150, 120, 90, 60, 30)])
        # everything credited: no net revenue to apply a margin to
        self._facts(refunded, [(100, 150, 40), (50, -150, -40)])
        self._predict_fixed()
        self.assertAlmostEqual(self._score(at_loss).clv_12m, by_hand(-20, 12, 0.10), delta=0.05)
        self.assertAlmostEqual(self._score(once_at_loss).clv_12m, by_hand(-10, 12, 0.10), delta=0.05)
        self.assertEqual(self._score(at_cost).clv_12m, 0.0)
        self.assertEqual(self._score(refunded).clv_12m, 0.0)
        inputs = {row[0]: row for row in self.Score._clv_inputs(self.company, self.today)}
        self.assertAlmostEqual(float(inputs[at_loss.id][5]), -0.1)
        self.assertAlmostEqual(float(inputs[refunded.id][5]), 0.0)

    def test_planted_double_margin_doubles_clv(self):
        """Generated customers, each with a twin who buys the same days for the same amounts at twice the
        margin: fitted for real, the twins' lifetime value on contribution is twice theirs."""
        rng = random.Random(21)
        singles, twins = self.env["res.partner"], self.env["res.partner"]
        for i in range(30):
            days = [rng.randrange(1, 90)]
            for _k in range(rng.randrange(0, 6)):
                days.append(days[-1] + rng.randrange(15, 60))
            amounts = [rng.choice([80, 100, 150, 240]) for _d in days]
            single, twin = self._customer(f"Single {i}"), self._customer(f"Twin {i}")
            self._facts(single, [(d, a, a * 0.2) for d, a in zip(days, amounts, strict=True)])
            self._facts(twin, [(d, a, a * 0.4) for d, a in zip(days, amounts, strict=True)])
            singles |= single
            twins |= twin
        self._recompute()
        self.assertFalse(self.company.clv_prediction_note)
        single_clv = {p: self._score(p).clv_12m for p in singles}
        twin_clv = {p: self._score(p).clv_12m for p in twins}
        self.assertGreater(sum(single_clv.values()), 0)
        self.assertAlmostEqual(sum(twin_clv.values()), 2 * sum(single_clv.values()), delta=0.01 * len(singles))
        for single, twin in zip(singles, twins, strict=True):
            self.assertAlmostEqual(twin_clv[twin], 2 * single_clv[single], delta=0.02)
