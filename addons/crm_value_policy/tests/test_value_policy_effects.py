from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ValuePolicyCommon


@tagged("post_install", "-at_install")
class TestValuePolicyEffects(ValuePolicyCommon):
    """The customer's policy drives earning, credit tolerance, redemption and goodwill caps and tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gold_policy = cls.Policy.create({"name": "Gold service", "sequence": 1, "tier_id": cls.gold.id})
        cls.member = cls._member(cls.customer, cls.gold)
        cls.other_member = cls._member(cls.other, cls.silver)
        cls.seller = new_test_user(
            cls.env,
            login="policy_effects_seller",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _seed(self, member, points=5000):
        self.env["crm.loyalty.entry"].create(
            {"membership_id": member.id, "entry_type": "adjust", "points": points, "reason": "seed"}
        )

    def _order_with_reward_line(self, partner, member, points):
        """A salesperson writes the reward line as an outside client would (RPC), without the wizard."""
        return (
            self.env["sale.order"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 5, "price_unit": 100, "tax_id": False}
                        ),
                        Command.create(
                            {
                                "product_id": self.reward.id,
                                "price_unit": -points * 0.01,
                                "tax_id": False,
                                "loyalty_redeem_points": points,
                                "loyalty_membership_id": member.id,
                            }
                        ),
                    ],
                }
            )
        )

    # ------------------------------------------------------------------ earning
    def test_earning_multiplier_in_the_ledger(self):
        self.gold_policy.earn_multiplier = 2.0
        gold_invoice = self._invoice(self.customer, 300.0)
        other_invoice = self._invoice(self.other, 300.0)
        Entry = self.env["crm.loyalty.entry"]
        gold_earn = Entry.search([("move_id", "=", gold_invoice.id), ("entry_type", "=", "earn")])
        other_earn = Entry.search([("move_id", "=", other_invoice.id), ("entry_type", "=", "earn")])
        self.assertEqual(other_earn.points, 300.0)
        self.assertEqual(gold_earn.points, 600.0, "the gold policy doubles the points earned")
        self.assertEqual(gold_invoice.loyalty_points, 600.0)
        # the ledger is what the balance and the liability read: the earned points are the entry's
        self.assertEqual(
            self.member.balance, sum(Entry.search([("membership_id", "=", self.member.id)]).mapped("points"))
        )
        self.assertEqual(gold_earn.amount_base, 300.0)
        # a credit note takes back the points the invoice earned, in proportion: all of them
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=gold_invoice.ids)
            .create({"journal_id": gold_invoice.journal_id.id, "reason": "return"})
        )
        self.env["account.move"].browse(reversal.refund_moves()["res_id"]).action_post()
        self.assertEqual(self.member.balance, 0.0)

    # ------------------------------------------------------------------ credit tolerance
    def test_credit_tolerance_of_the_policy(self):
        self.company.write({"credit_overdue_days": 0, "loyalty_block_overdue": True})
        self.gold_policy.write({"use_credit_tolerance": True, "credit_overdue_days": 30})
        today = fields.Date.today()
        for partner in (self.customer, self.other):
            self._invoice(partner, 100.0, invoice_date=today - timedelta(days=40), due_date=today - timedelta(days=10))
        self._seed(self.member)
        self._seed(self.other_member)
        self.assertFalse(self.customer.with_company(self.company).credit_overdue)
        self.assertTrue(self.other.with_company(self.company).credit_overdue)
        refused = self._order_with_reward_line(self.other, self.other_member, 1000)
        with self.assertRaises(UserError):
            refused.action_confirm()
        allowed = self._order_with_reward_line(self.customer, self.member, 1000)
        allowed.action_confirm()
        self.assertEqual(allowed.state, "sale")
        # beyond the policy's 30 days the gold customer is refused too
        self._invoice(
            self.customer, 100.0, invoice_date=today - timedelta(days=60), due_date=today - timedelta(days=31)
        )
        self.customer.invalidate_recordset(["credit_overdue"])
        self.assertTrue(self.customer.with_company(self.company).credit_overdue)
        with self.assertRaises(UserError):
            self._order_with_reward_line(self.customer, self.member, 1000).action_confirm()

    # ------------------------------------------------------------------ redemption cap
    def test_redemption_cap_in_points_at_confirmation(self):
        self.gold_policy.redeem_cap_points = 500
        self._seed(self.member)
        self._seed(self.other_member)
        order = self._order_with_reward_line(self.customer, self.member, 1000)
        with self.assertRaises(ValidationError) as catcher:
            order.action_confirm()
        self.assertIn("Gold service", str(catcher.exception))
        self.assertEqual(order.state, "draft")
        # the same order for a customer of the default policy goes through
        other = self._order_with_reward_line(self.other, self.other_member, 1000)
        other.action_confirm()
        self.assertEqual(other.state, "sale")
        within = self._order_with_reward_line(self.customer, self.member, 500)
        within.action_confirm()
        self.assertEqual(within.state, "sale")

    def test_redemption_cap_share_of_the_order(self):
        self.gold_policy.redeem_cap_pct = 10.0  # 10% of 500 = 50.00 = 5,000 points at 0.01
        self._seed(self.member, 20000)
        order = self._order_with_reward_line(self.customer, self.member, 6000)
        with self.assertRaises(ValidationError) as catcher:
            order.action_confirm()
        self.assertIn("10", str(catcher.exception))
        self.assertEqual(
            self._order_with_reward_line(self.customer, self.member, 5000)._crm_loyalty_redeem_cap(self.program), 5000
        )

    # ------------------------------------------------------------------ goodwill cap
    def test_goodwill_cap_of_the_policy(self):
        self.company.write({"goodwill_points": 150, "goodwill_cap_points": 300, "goodwill_cap_days": 90})
        self.gold_policy.write({"use_goodwill_cap": True, "goodwill_cap_points": 100})
        Goodwill = self.env["crm.loyalty.goodwill"]
        proposals = Goodwill._propose(
            [
                {"partner": self.customer, "company": self.company, "trigger": "low_csat"},
                {"partner": self.other, "company": self.company, "trigger": "sla_breach"},
            ]
        )
        by_partner = {p.partner_id: p for p in proposals}
        self.assertEqual(by_partner[self.customer].points, 100, "capped by the policy")
        self.assertEqual(by_partner[self.other].points, 150, "the company's rule")
        # points raised by hand over the policy's cap: refused at approval
        by_partner[self.customer].points = 150
        with self.assertRaises(UserError):
            by_partner[self.customer].action_approve()
        by_partner[self.customer].points = 100
        by_partner[self.customer].action_approve()
        self.assertEqual(by_partner[self.customer].state, "approved")
        # the cap is reached: nothing more is proposed
        self.assertFalse(
            Goodwill._propose([{"partner": self.customer, "company": self.company, "trigger": "nps_detractor"}])
        )

    # ------------------------------------------------------------------ tickets
    def test_ticket_takes_sla_priority_and_team_of_the_policy(self):
        care, vip = self.env["crm.feedback.team"].create(
            [
                {
                    "name": "Care",
                    "company_id": self.company.id,
                    "sla_ids": [Command.create({"name": "Care 40h", "response_hours": 8, "resolution_hours": 40})],
                },
                {
                    "name": "VIP desk",
                    "company_id": self.company.id,
                    "sla_ids": [
                        Command.create(
                            {"name": "VIP usual", "sequence": 1, "response_hours": 4, "resolution_hours": 24}
                        ),
                        Command.create({"name": "VIP gold", "sequence": 2, "response_hours": 1, "resolution_hours": 8}),
                    ],
                },
            ]
        )
        vip_gold = vip.sla_ids.filtered(lambda s: s.name == "VIP gold")
        self.gold_policy.write({"team_id": vip.id, "sla_id": vip_gold.id, "ticket_priority": "3"})
        Ticket = self.env["crm.feedback.ticket"]
        contact = self.env["res.partner"].create({"name": "Gold buyer", "parent_id": self.customer.id})
        ticket = Ticket.create({"subject": "Broken", "description": "<p>It broke</p>", "partner_id": contact.id})
        self.assertEqual(ticket.team_id, vip)
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.sla_id, vip_gold, "the policy's SLA, not the team's first")
        self.assertEqual(ticket.value_policy_id, self.gold_policy)
        # a ticket that names its own team and priority keeps them, and that team's SLA
        own = Ticket.create(
            {
                "subject": "Other",
                "description": "<p>x</p>",
                "partner_id": self.customer.id,
                "team_id": care.id,
                "priority": "0",
            }
        )
        self.assertEqual((own.team_id, own.priority, own.sla_id.name), (care, "0", "Care 40h"))
        # in the form, choosing the customer shows the policy's team and priority, saved as shown
        with Form(Ticket) as form:
            form.subject = "From the form"
            form.description = "<p>Broken again</p>"
            form.partner_id = self.customer
            self.assertEqual((form.team_id, form.priority), (vip, "3"))
        self.assertEqual(form.record.sla_id, vip_gold)
        # a customer of the default policy: the usual behaviour
        usual = Ticket.create(
            {"subject": "Usual", "description": "<p>x</p>", "partner_id": self.other.id, "team_id": vip.id}
        )
        self.assertEqual((usual.priority, usual.sla_id.name), ("1", "VIP usual"))
