import random
from datetime import timedelta

from odoo.tests import tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
class TestSaveReport(RetentionCommon):
    """Generated customers flagged 70 days ago, half drawn into the holdout, the others acted on; some order
    again within the 60-day save window, with a planted effect of the action or none."""

    def _population(self, n, p_treated, p_holdout, seed):
        self.company.churn_holdout_percent = 50.0
        # they agreed to be called: a win-back call is marketing
        customers = self.env["res.partner"].create(
            [{"name": f"Gen {i}", "is_company": True, "crm_consent_phone": True} for i in range(n)]
        )
        for customer in customers:
            self._facts(customer, [200, 170, 140, 110])
            self._nps(customer, 0, 3)
        self._compute()
        risks = self.Risk.search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(risks), n)
        self.assertTrue(all(risks.mapped("at_risk")))
        (risks - risks.filtered("holdout")).action_winback_activity()
        self.env.cr.execute(
            "UPDATE crm_churn_risk SET flagged_date = %s WHERE id = ANY(%s)",
            [self.today - timedelta(days=70), risks.ids],
        )
        rng = random.Random(seed)
        planted = {"treated": [0, 0], "holdout": [0, 0]}
        for risk in risks:
            arm = "holdout" if risk.holdout else "treated"
            planted[arm][0] += 1
            # each arm's share saved is its rate to one customer, whichever customers the holdout draws (it
            # hashes their ids, which differ from run to run): a share drawn by chance made the no-effect arms
            # differ by 23 points in one run of 160 customers
            if planted[arm][1] < (p_holdout if risk.holdout else p_treated) * planted[arm][0]:
                planted[arm][1] += 1
                # ordered again between 5 and 55 days after the flag
                self._facts(risk.partner_id, [70 - rng.randrange(5, 56)])
            elif rng.random() < 0.5:
                self._facts(risk.partner_id, [70 - 65])  # too late: not saved
        self.env["crm.churn.save.report"].invalidate_model()
        self.population = customers
        return planted

    def _rates(self):
        Report = self.env["crm.churn.save.report"].with_context(allowed_company_ids=self.company.ids)
        return Report._save_rates([("partner_id", "in", self.population.ids)])

    def test_planted_effect(self):
        planted = self._population(160, 0.6, 0.2, seed=11)
        rates = self._rates()
        for arm in ("treated", "holdout"):
            self.assertEqual((rates[arm]["flagged"], rates[arm]["saved"]), tuple(planted[arm]), arm)
        self.assertGreater(planted["holdout"][0], 40)
        self.assertGreater(planted["treated"][0], 40)
        self.assertGreater(rates["treated"]["rate"], rates["holdout"]["rate"] + 20)
        self.assertEqual(rates["untreated"]["flagged"], 0)

    def test_no_effect(self):
        planted = self._population(160, 0.35, 0.35, seed=3)
        rates = self._rates()
        for arm in ("treated", "holdout"):
            self.assertEqual((rates[arm]["flagged"], rates[arm]["saved"]), tuple(planted[arm]), arm)
        self.assertLess(abs(rates["treated"]["rate"] - rates["holdout"]["rate"]), 15)

    def test_outcome_known_only(self):
        """Flagged 10 days ago: counted once saved, not while the window lasts."""
        waiting = self._customer("Waiting Ltd", [200, 170, 140, 110])
        back = self._customer("Back Ltd", [200, 170, 140, 110])
        for customer in waiting | back:
            self._nps(customer, 0, 3)
        self._compute()
        self.env.cr.execute(
            "UPDATE crm_churn_risk SET flagged_date = %s WHERE partner_id = ANY(%s)",
            [self.today - timedelta(days=10), (waiting | back).ids],
        )
        self._facts(back, [2])
        report = self.env["crm.churn.save.report"].search([("partner_id", "in", (waiting | back).ids)])
        self.assertEqual(report.partner_id, back)
        self.assertTrue(report.saved)
        self.assertEqual(report.saved_date, self.today - timedelta(days=2))
        self.assertEqual(report.arm, "untreated")

    def test_order_on_the_day_of_the_flag_saves(self):
        """Flagged this morning (the daily job saw no order today), ordered in the afternoon: saved that day."""
        back = self._customer("Same Day Ltd", [200, 170, 140, 110])
        self._nps(back, 0, 3)
        self._compute()
        self.assertEqual(self._risk(back).flagged_date, self.today)
        self._facts(back, [0])
        report = self.env["crm.churn.save.report"].search([("partner_id", "=", back.id)])
        self.assertTrue(report.saved)
        self.assertEqual(report.saved_date, self.today)
