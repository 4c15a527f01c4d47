from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..tools import churn
from .common import RetentionCommon


@tagged("post_install", "-at_install")
class TestWinback(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.churn_holdout_percent = 50.0
        # a win-back call is marketing: the customers agreed to be called
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Risky {i}", "is_company": True, "user_id": cls.salesman.id, "crm_consent_phone": True}
                for i in range(12)
            ]
        )
        cls.program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Win-back Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "earn_rate": 1.0,
                "reward_product_id": cls.env.ref("crm_loyalty.product_loyalty_reward").id,
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="churn_loyalty_manager",
            groups="sales_team.group_sale_salesman_all_leads,crm_loyalty.group_loyalty_manager",
        )

    def setUp(self):
        super().setUp()
        for customer in self.customers:
            self._facts(customer, [200, 170, 140, 110])  # 110 days silent, a 30-day rhythm: 3.7 x (40 points)
            self._nps(customer, 0, 3)  # and a detractor: 55
        self._compute()
        self.risks = self.Risk.search([("partner_id", "in", self.customers.ids)])
        self.held = self.risks.filtered("holdout")
        self.open = self.risks - self.held

    def test_holdout_drawn_when_flagged(self):
        self.assertEqual(len(self.risks), 12)
        self.assertTrue(all(r.flagged_date == self.today for r in self.risks))
        expected = {c.id for c in self.customers if churn.in_holdout(c.id, self.company.id, 50.0)}
        self.assertEqual(set(self.held.partner_id.ids), expected)
        self.assertTrue(self.held and self.open, "both groups drawn (fixed hash of the ids)")
        # kept for the episode, whatever the share becomes
        self.company.churn_holdout_percent = 0.0
        self.env.cr.execute("UPDATE crm_churn_risk SET date = date - 1 WHERE id = ANY(%s)", [self.risks.ids])
        self._compute()
        self.assertEqual(self.Risk.search([("holdout", "=", True)]) & self.risks, self.held)

    def test_actions_refuse_the_holdout(self):
        with self.assertRaisesRegex(UserError, "in the holdout") as caught:
            self.risks.with_user(self.salesman).action_winback_activity()
        self.assertIn(self.held[0].partner_id.name, str(caught.exception))
        with self.assertRaisesRegex(UserError, "in the holdout"):
            self.risks.with_user(self.manager).action_winback_points()
        self.assertFalse(self.risks.filtered("treated"), "nothing done for anyone")
        self.assertFalse(
            self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "in", self.customers.ids)])
        )
        # nor by a write behind the actions' back
        with self.assertRaises(ValidationError):
            self.held[0].sudo().write({"treated": True})

    def test_activity_for_the_salesperson(self):
        self.open.with_user(self.salesman).action_winback_activity()
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.open.partner_id.ids)]
        )
        self.assertEqual(len(activities), len(self.open))
        self.assertEqual(activities.user_id, self.salesman)
        self.assertTrue(activities[0].summary.startswith("Win back: No order for 3.7 x their usual gap"))
        self.assertTrue(all(self.open.mapped("treated")))
        self.assertEqual(set(self.open.mapped("activity_date")), {self.today})
        self.assertEqual(self.open.activity_user_id, self.salesman)
        # one win-back call per episode, whoever asks again (a manager the same day)
        action = self.open.with_user(self.manager).action_winback_activity()
        self.assertIn("0 win-back activities scheduled", action["params"]["message"])
        again = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.open.partner_id.ids)]
        )
        self.assertEqual(again, activities)

    def test_activity_needs_consent(self):
        """A customer who withdrew their consent to be called (and gave none by e-mail) gets no win-back call."""
        refusing, *others = self.open
        refusing.partner_id.crm_consent_phone = False
        action = self.open.with_user(self.salesman).action_winback_activity()
        message = action["params"]["message"]
        self.assertIn(f"{len(others)} win-back activities scheduled", message)
        self.assertIn("without consent", message)
        self.assertIn(refusing.partner_id.display_name, message)
        self.assertEqual(action["params"]["type"], "warning")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.open.partner_id.ids)]
        )
        self.assertEqual(set(activities.mapped("res_id")), {risk.partner_id.id for risk in others})
        self.assertFalse(refusing.treated)
        self.assertTrue(all(risk.treated for risk in others))

    def test_points_offer_through_the_ledger(self):
        risk = self.open[0]
        with self.assertRaisesRegex(UserError, "no active loyalty membership"):
            risk.with_user(self.manager).action_winback_points()
        member = self.env["crm.loyalty.membership"].create(
            {"partner_id": risk.partner_id.id, "program_id": self.program.id}
        )
        # the ledger's own rights: a salesperson posts no points
        with self.assertRaises(AccessError):
            risk.with_user(self.salesman).action_winback_points()
        risk.with_user(self.manager).action_winback_points()
        entry = risk.points_entry_id
        self.assertEqual((entry.membership_id, entry.entry_type, entry.bonus_kind), (member, "bonus", "other"))
        self.assertEqual(entry.points, 100.0)
        self.assertTrue(entry.reason.startswith("Win-back offer: No order for 3.7 x their usual gap"))
        self.assertEqual(member.balance, 100.0)
        self.assertTrue(risk.treated)
        self.assertEqual(risk.points_offered, 100.0)
        # one offer per episode
        risk.with_user(self.manager).action_winback_points()
        self.assertEqual(member.balance, 100.0)
