from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ValuePolicyCommon


@tagged("post_install", "-at_install")
class TestValuePolicyResolution(ValuePolicyCommon):
    """Each customer's policy is the first rule by sequence they match, else the company default; resolved
    nightly in batches, at once when their figures change, per company, with the changes in history."""

    def test_company_default_created(self):
        self.assertEqual(len(self.default), 1)
        self.assertTrue(self.default.is_default)
        self.assertEqual(self.default.earn_multiplier, 1.0)
        company = self.env["res.company"].create({"name": "Second Policy Co"})
        self.assertEqual(self.Policy.search_count([("company_id", "=", company.id)]), 1)

    def test_first_match_by_sequence_and_default(self):
        high = self.Policy.create({"name": "High value", "sequence": 5, "value_class": "high"})
        gold = self.Policy.create({"name": "Gold", "sequence": 1, "tier_id": self.gold.id})
        band = self.Policy.create({"name": "Big CLV", "sequence": 3, "clv_min": 1000.0, "clv_max": 5000.0})
        both = self._customer("High and Gold")
        rich = self._customer("Big CLV, low class")
        plain = self._customer("Nobody special")
        self._score(self.customer, value_class="high")
        self._score(both, value_class="high")
        self._score(rich, value_class="low", clv_12m=2000.0)
        self._score(plain, value_class="low", clv_12m=6000.0)
        self._member(both, self.gold)
        self.Assignment._resolve(self.company)
        self.assertEqual(self._policy_of(self.customer), high)
        self.assertEqual(self._policy_of(both), gold, "the gold rule comes first by sequence")
        self.assertEqual(self._policy_of(rich), band)
        self.assertEqual(self._policy_of(plain), self.default, "outside the band: the default")
        assignment = self.Assignment.search([("partner_id", "=", both.id)])
        self.assertIn("Gold", assignment.reason)
        # moving the rule of high value first changes the customer who matches both, at once, with history
        high.sequence = 0
        self.assertEqual(self._policy_of(both), high)
        change = self.History.search([("partner_id", "=", both.id)], limit=1)
        self.assertEqual((change.old_policy_id, change.new_policy_id, change.reason), (gold, high, "policy"))
        # a customer never resolved reads the rule they match now, a contact their company's
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        live = self.Policy._for_partners(contact | self._customer("New"), self.company)
        self.assertEqual(live[self.customer.id], high)
        self.assertEqual(contact.with_company(self.company).value_policy_id, high)

    def test_nightly_batch_assigns_all_and_resumes(self):
        self.Policy.create({"name": "High value", "sequence": 5, "value_class": "high"})
        customers = self.env["res.partner"].create([{"name": f"Batch {i}", "is_company": True} for i in range(7)])
        for customer in customers:
            self._score(customer, value_class="high" if customer.id % 2 else "medium")
        elsewhere = self.env["res.company"].create({"name": "Batch Second Co"})
        for customer in customers[:2]:
            self._score(customer, company=elsewhere, value_class="high")
        # a run stopped after 3 customers leaves the others, of every company, to the next call, which resumes
        cron = self.env.ref("crm_value_policy.ir_cron_resolve_value_policies")
        _cron, progress = cron._add_progress()
        Assignment = self.Assignment.with_context(ir_cron_progress_id=progress.id)
        self.assertEqual(Assignment._cron_resolve(batch_size=3), 3)
        self.assertEqual((progress.done, progress.remaining), (3, 4 + 2))
        self.assertEqual(self.Assignment.search_count([("partner_id", "in", customers.ids)]), 3)
        Assignment._cron_resolve(batch_size=3)
        Assignment._cron_resolve(batch_size=3)
        self.assertEqual(progress.remaining, 0)
        self.assertEqual(
            self._policy_of(customers[0], elsewhere), self.Policy.search([("company_id", "=", elsewhere.id)])
        )
        assignments = self.Assignment.search(
            [("partner_id", "in", customers.ids), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(assignments), 7)
        for assignment in assignments:
            expected = "High value" if assignment.partner_id.id % 2 else "Standard"
            self.assertEqual(assignment.policy_id.name, expected)
        # every customer resolved today: the next call finds nothing, writes no history
        history = self.History.search_count([])
        self.assertEqual(self.Assignment._cron_resolve(batch_size=3), 0)
        self.assertEqual(self.History.search_count([]), history)

    def test_nightly_resolution_is_set_based(self):
        customers = self.env["res.partner"].create([{"name": f"Many {i}", "is_company": True} for i in range(30)])
        for customer in customers:
            self._score(customer, value_class="low")
        self.Assignment._resolve(self.company, partner_ids=[])  # warm up the caches, resolves nobody
        self.assertFalse(self.Assignment.search([("partner_id", "in", customers.ids)]))
        with self.assertQueryCount(8):
            self.Assignment._cron_resolve()
        self.assertEqual(self.Assignment.search_count([("partner_id", "in", customers.ids)]), 30)

    def test_value_class_change_resolves_at_once_with_history(self):
        """The RFM run classifies the customer as high value: their policy follows in the same run."""
        high = self.Policy.create({"name": "High value", "sequence": 5, "value_class": "high"})
        self.company.rfm_window_months = 24
        self._invoice(self.customer, 5000.0)
        for i in range(4):
            self._invoice(self._customer(f"Small {i}"), 10.0 * (i + 1))
        self.env["crm.rfm.score"]._recompute(self.company)
        self.assertEqual(self.customer.with_company(self.company).customer_value_class, "high")
        self.assertEqual(self._policy_of(self.customer), high)
        change = self.History.search([("partner_id", "=", self.customer.id)], limit=1)
        self.assertEqual((change.new_policy_id, change.reason), (high, "change"))
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.value_policy_id, high)
        self.assertIn(change, partner.value_policy_history_ids)

    def test_tier_change_resolves_at_once(self):
        gold = self.Policy.create({"name": "Gold", "sequence": 1, "tier_id": self.gold.id})
        member = self._member(self.customer, self.silver)
        self.assertEqual(self._policy_of(self.customer), self.default)
        member.tier_id = self.gold
        self.assertEqual(self._policy_of(self.customer), gold)
        member.action_suspend()
        self.assertEqual(self._policy_of(self.customer), self.default)
        reasons = self.History.search([("partner_id", "=", self.customer.id)]).mapped("reason")
        self.assertEqual(set(reasons), {"change"})

    def test_policy_per_company(self):
        other_company = self.setup_other_company(name="Policy Second Co")["company"]
        gold_here = self.Policy.create({"name": "High here", "sequence": 1, "value_class": "high"})
        low_there = self.Policy.create(
            {"name": "Low there", "sequence": 1, "value_class": "low", "company_id": other_company.id}
        )
        self._score(self.customer, value_class="high")
        self._score(self.customer, company=other_company, value_class="low")
        self.Assignment._resolve(self.company | other_company)
        self.assertEqual(self._policy_of(self.customer), gold_here)
        self.assertEqual(self._policy_of(self.customer, other_company), low_there)
        self.assertEqual(self.customer.with_company(other_company).value_policy_id, low_there)
        # a user of the first company sees only that company's policies and assignments
        user = new_test_user(
            self.env,
            login="policy_reader",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertEqual(
            self.Assignment.with_user(user).search([("partner_id", "=", self.customer.id)]).policy_id, gold_here
        )
        self.assertNotIn(low_there, self.Policy.with_user(user).search([]))

    def test_policies_managed_by_sales_managers_only(self):
        user = new_test_user(
            self.env, login="policy_seller", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        self.assertTrue(self.Policy.with_user(user).search([]))
        with self.assertRaises(AccessError):
            self.Policy.with_user(user).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.default.with_user(user).earn_multiplier = 5
        self._score(self.customer, value_class="high")
        self.Assignment._resolve(self.company)
        change = self.History.with_user(user).search([("partner_id", "=", self.customer.id)], limit=1)
        self.assertTrue(change)
        with self.assertRaises(AccessError):
            change.unlink()
        # sudo: even the superuser does not rewrite the history
        change_sudo = change.sudo()
        with self.assertRaises(UserError):
            change_sudo.reason = "manual"
        with self.assertRaises(AccessError):
            self.Assignment.with_user(user).search([], limit=1).action_resolve()

    def test_rules_in_the_history_and_the_default_are_kept(self):
        """A rule some customer had stays in their history: it is archived, not deleted; the company's default
        (the rule matching everyone) is neither deleted nor archived; a rule nobody ever had is deleted."""
        gold = self.Policy.create({"name": "Gold", "sequence": 1, "tier_id": self.gold.id})
        self._member(self.customer, self.gold)
        self.assertEqual(self._policy_of(self.customer), gold)
        with self.assertRaisesRegex(UserError, "Archive it instead"):
            gold.unlink()
        gold.active = False
        self.assertEqual(self._policy_of(self.customer), self.default)
        change = self.History.search([("partner_id", "=", self.customer.id)], limit=1)
        self.assertEqual((change.old_policy_id, change.new_policy_id), (gold, self.default))
        with self.assertRaises(UserError):
            self.default.unlink()
        with self.assertRaises(UserError):
            self.default.active = False
        with self.assertRaises(ValidationError):
            self.default.value_class = "high"  # no longer matching everyone: the company would have no default
        unused = self.Policy.create({"name": "Nobody", "sequence": 2, "value_class": "none"})
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_sales_manager_sets_the_service_effects(self):
        """A sales manager without feedback rights picks the SLA policy and the routing team of a rule."""
        manager = new_test_user(
            self.env, login="policy_manager", groups="sales_team.group_sale_manager", company_id=self.company.id
        )
        team = self.env["crm.feedback.team"].create({"name": "VIP Care", "company_id": self.company.id})
        sla = self.env["crm.feedback.sla"].create(
            {"name": "VIP SLA", "team_id": team.id, "company_id": self.company.id}
        )
        policy = self.Policy.with_user(manager).create(
            {"name": "VIP", "sequence": 1, "value_class": "high", "team_id": team.id, "sla_id": sla.id}
        )
        self.assertEqual((policy.team_id, policy.sla_id), (team, sla))
        self.assertEqual(policy.with_user(manager).read(["sla_id"])[0]["sla_id"][1], "VIP SLA")
