import base64
import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .tour_common import CrmTourCase


@tagged("post_install", "-at_install", "crm_tour")
class TestJourneys(CrmTourCase):
    """The suite's main journeys in a real browser (headless Chromium)."""

    def test_01_admin_configures_program_and_enrols(self):
        env = self.env
        # this journey runs in Chinese: the language with the terms of the web client and of our addons
        env["res.lang"]._activate_lang("zh_CN")
        env["ir.module.module"]._load_module_terms(
            [
                "base",
                "web",
                "mail",
                "crm_customer_facts",
                "crm_loyalty",
                "crm_segmentation",
                "crm_feedback",
                "crm_erp_bridge",
            ],
            ["zh_CN"],
        )
        self._journey_user("tour_loyalty_admin", "base.group_user,crm_loyalty.group_loyalty_manager", lang="zh_CN")
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
        salesperson = self._journey_user(
            "tour_salesperson", "sales_team.group_sale_salesman,crm_loyalty.group_loyalty_user"
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

    def test_03_agent_resolves_a_complaint_with_a_credit_note(self):
        env = self.env
        agent = self._journey_user(
            "tour_agent", "crm_feedback.group_feedback_user,account.group_account_invoice", name="Tour Agent"
        )
        customer = env["res.partner"].create({"name": "Tour Lamp Buyer", "email": "lamp@tour.example"})
        lamp = env["product.product"].create({"name": "Tour Lamp", "list_price": 80.0, "taxes_id": False})
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_line_ids": [Command.create({"product_id": lamp.id, "quantity": 1, "price_unit": 80.0})],
            }
        )
        invoice.action_post()
        ticket = env["crm.feedback.ticket"].create(
            {
                "subject": "Tour lamp arrived broken",
                "ticket_type": "complaint",
                "description": "<p>The lamp is broken.</p>",
                "partner_id": customer.id,
                "invoice_id": invoice.id,
                "product_id": lamp.id,
                "user_id": False,
            }
        )
        queued_before = env["mail.mail"].search_count([])

        self.start_journey(
            "/odoo/action-crm_feedback.crm_feedback_ticket_action",
            "crm_agent_ticket_tour",
            login="tour_agent",
            screenshot="03_ticket_credit_note",
        )

        ticket.invalidate_recordset()
        self.assertEqual(ticket.user_id, agent)
        self.assertTrue(ticket.date_first_response)
        self.assertTrue(ticket.is_closed)
        self.assertRecordValues(
            ticket.credit_note_ids,
            [{"move_type": "out_refund", "reversed_entry_id": invoice.id, "amount_total": 80.0, "state": "draft"}],
        )
        rating_mails = env["mail.mail"].search(
            [("model", "=", "crm.feedback.ticket"), ("res_id", "=", ticket.id), ("recipient_ids", "in", customer.ids)]
        )
        self.assertGreater(env["mail.mail"].search_count([]), queued_before)
        self.assertTrue(
            any("/rate/" in (mail.body_html or "") for mail in rating_mails),
            "the satisfaction request was not queued for the customer",
        )

    def test_05_accountant_downloads_the_liability_roll_forward(self):
        env = self.env
        accountant = self._journey_user("tour_accountant", "account.group_account_user")
        program = env["crm.loyalty.program"].create({"name": "Tour Liability Club", "point_value": 0.02})
        customer = env["res.partner"].create({"name": "Tour Liability Customer"})
        membership = env["crm.loyalty.membership"].create({"partner_id": customer.id, "program_id": program.id})
        # two days back: "today" differs between the test user's time zone and the accountant's
        env["crm.loyalty.entry"].create(
            {
                "membership_id": membership.id,
                "entry_type": "adjust",
                "points": 1500,
                "reason": "Opening balance",
                "date": fields.Date.today() - timedelta(days=2),
            }
        )

        self.start_journey(
            "/odoo",
            "crm_accountant_export_tour",
            login="tour_accountant",
            screenshot="05_accountant_export",
        )

        export = env["crm.accounting.export"].search([("create_uid", "=", accountant.id)])
        self.assertEqual(len(export), 1)
        self.assertEqual(export.program_ids, program)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export.file_data)))
        rows = [r for r in book["Loyalty Liability"].iter_rows(min_row=2, values_only=True) if r[0] == program.name]
        self.assertTrue(rows)
        last = rows[-1]
        self.assertEqual(last[7], 1500)  # closing points
        self.assertAlmostEqual(last[10], 30.0)  # closing money at 0.02 a point

    def test_06_marketing_schedules_follow_ups_for_champions(self):
        env = self.env
        marketer = self._journey_user("tour_marketing", "sales_team.group_sale_salesman_all_leads")
        seller = new_test_user(env, login="tour_seller", groups="sales_team.group_sale_salesman")
        champions = env.ref("crm_segmentation.rfm_segment_champions")
        at_risk = env.ref("crm_segmentation.rfm_segment_at_risk")
        Partner, Score = env["res.partner"], env["crm.rfm.score"]
        # follow-ups are marketing: for the customers who agreed to be contacted by phone or e-mail
        champion_a = Partner.create({"name": "Tour Champion A", "user_id": seller.id, "crm_consent_phone": True})
        champion_b = Partner.create({"name": "Tour Champion B", "crm_consent_phone": True})
        sleeper = Partner.create({"name": "Tour At Risk"})
        for partner, segment, code in (
            (champion_a, champions, "555"),
            (champion_b, champions, "545"),
            (sleeper, at_risk, "215"),
        ):
            Score.create(
                {"partner_id": partner.id, "company_id": env.company.id, "segment_id": segment.id, "rfm_code": code}
            )
        all_champions = Score.search(
            [("segment_id", "=", champions.id), ("company_id", "=", env.company.id)]
        ).partner_id
        all_champions = all_champions._crm_filter_consenting("phone") | all_champions._crm_filter_consenting("email")
        self.assertLessEqual(champion_a | champion_b, all_champions)

        self.start_journey(
            "/odoo/action-crm_segmentation.crm_rfm_dashboard_action",
            "crm_marketing_segment_tour",
            login="tour_marketing",
            screenshot="06_champions_follow_ups",
        )

        Activity = env["mail.activity"]
        followups = Activity.search([("res_model", "=", "res.partner"), ("summary", "=", "Follow up: Champions")])
        self.assertEqual(followups.mapped("res_id").__len__(), len(all_champions))
        self.assertEqual(set(followups.mapped("res_id")), set(all_champions.ids))
        self.assertEqual(followups.filtered(lambda a: a.res_id == champion_a.id).user_id, seller)
        self.assertEqual(followups.filtered(lambda a: a.res_id == champion_b.id).user_id, marketer)
        self.assertFalse(Activity.search([("res_model", "=", "res.partner"), ("res_id", "=", sleeper.id)]))

    def test_04_portal_customer_opens_a_ticket(self):
        env = self.env
        company_a = env["res.partner"].create({"name": "Tour A Co", "is_company": True})
        company_b = env["res.partner"].create({"name": "Tour B Co", "is_company": True})
        alice = env["res.partner"].create({"name": "Tour Alice", "parent_id": company_a.id, "email": "ta@a.example"})
        self._journey_user("tour_alice", "base.group_portal", partner_id=alice.id)
        order_a = env["sale.order"].create({"partner_id": company_a.id, "client_order_ref": "TOUR-A-ORDER"})
        order_a.action_confirm()
        order_b = env["sale.order"].create({"partner_id": company_b.id, "client_order_ref": "TOUR-B-ORDER"})
        order_b.action_confirm()
        Ticket = env["crm.feedback.ticket"]
        Ticket.create({"subject": "TOUR-A wobbly chair", "description": "<p>A</p>", "partner_id": alice.id})
        Ticket.create({"subject": "TOUR-B secret", "description": "<p>B</p>", "partner_id": company_b.id})

        self.start_journey(
            "/my/feedback", "crm_feedback_portal_tour", login="tour_alice", screenshot="04_portal_ticket"
        )

        created = Ticket.search([("subject", "=", "Legs arrived broken")])
        self.assertRecordValues(
            created,
            [
                {
                    "channel": "portal",
                    "partner_id": alice.id,
                    "commercial_partner_id": company_a.id,
                    "sale_order_id": order_a.id,
                }
            ],
        )
