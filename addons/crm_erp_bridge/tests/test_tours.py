from odoo import Command
from odoo.tests import new_test_user, tagged

from .tour_common import CrmTourCase


@tagged("post_install", "-at_install", "crm_tour")
class TestJourneys(CrmTourCase):
    """The suite's main journeys in a real browser (headless Chromium)."""

    def test_01_admin_configures_program_and_enrols(self):
        env = self.env
        new_test_user(
            env,
            login="tour_loyalty_admin",
            password="tour_loyalty_admin1",
            groups="base.group_user,crm_loyalty.group_loyalty_manager",
            lang="zh_CN",
        )
        member = env["res.partner"].create({"name": "Tour Member", "email": "member@tour.example"})

        self.start_journey(
            "/odoo/action-crm_loyalty.crm_loyalty_program_action",
            "crm_loyalty_program_tour",
            login="tour_loyalty_admin",
            screenshot="01_loyalty_program",
        )

        program = env["crm.loyalty.program"].search([("name", "=", "Tour Club")])
        self.assertRecordValues(program, [{"earn_rate": 2.0, "point_value": 0.05}])
        self.assertEqual(program.tier_ids.sorted("threshold").mapped("name"), ["Tour Silver", "Tour Gold"])
        self.assertEqual(program.tier_ids.sorted("threshold").mapped("multiplier"), [1.5, 2.0])
        membership = program.membership_ids
        self.assertRecordValues(membership, [{"partner_id": member.id, "state": "active", "balance": 0}])
        self.assertRegex(membership.name, r"^M\d\d-\d{5}$")

    def test_02_salesperson_redeems_on_a_quotation(self):
        env = self.env
        salesperson = new_test_user(
            env,
            login="tour_salesperson",
            password="tour_salesperson1",
            groups="sales_team.group_sale_salesman,crm_loyalty.group_loyalty_user",
            lang="en_US",
        )
        program = env["crm.loyalty.program"].create(
            {
                "name": "Tour Rewards",
                "point_value": 0.01,
                "earn_rate": 1.0,
                "max_redeem_pct": 50.0,
                "reward_product_id": env.ref("crm_loyalty.product_loyalty_reward").id,
                "tier_ids": [Command.create({"name": "Tour Silver", "threshold": 0, "multiplier": 1.0})],
            }
        )
        shopper = env["res.partner"].create({"name": "Tour Shopper", "email": "shopper@tour.example"})
        membership = env["crm.loyalty.membership"].create({"partner_id": shopper.id, "program_id": program.id})
        env["crm.loyalty.adjust.wizard"].create(
            {"membership_id": membership.id, "points": 1000, "reason": "Welcome gift"}
        ).action_apply()
        membership._apply_tiers()
        env["product.product"].create({"name": "Tour Desk", "list_price": 200.0, "taxes_id": False})

        self.start_journey(
            f"/odoo/res.partner/{shopper.id}",
            "crm_salesperson_redeem_tour",
            login="tour_salesperson",
            screenshot="02_quotation_redeemed",
        )

        order = env["sale.order"].search([("partner_id", "=", shopper.id)])
        self.assertRecordValues(order, [{"state": "sale", "user_id": salesperson.id, "amount_total": 192.0}])
        self.assertEqual(membership.balance, 200.0)
        redeem = membership.entry_ids.filtered(lambda e: e.entry_type == "redeem")
        self.assertRecordValues(redeem, [{"points": -800.0, "sale_order_id": order.id}])
