from datetime import timedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.translate import TranslationModuleReader


class LoyaltyPortalCommon(HttpCase):
    """Two customers (companies with a portal contact each), both members of one program with tiers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.context_today(env["res.partner"])
        cls.program = env["crm.loyalty.program"].create(
            {
                "name": "Tour Club",
                "point_value": 0.01,
                "earn_rate": 1.0,
                "validity_months": 12,
                "first_purchase_bonus": 50,
                "tier_ids": [
                    Command.create({"name": "Tour Bronze", "sequence": 1, "threshold": 0, "multiplier": 1.0}),
                    Command.create({"name": "Tour Silver", "sequence": 2, "threshold": 5000, "multiplier": 1.5}),
                ],
            }
        )
        gift_cards = env["product.category"].create({"name": "Tour Gift Cards"})
        desk = env["product.product"].create({"name": "Tour Desk", "list_price": 100.0})
        cls.program.rule_ids = [
            Command.create({"categ_id": gift_cards.id, "multiplier": 0}),
            Command.create({"product_id": desk.id, "multiplier": 2}),
        ]
        cls.company_a = env["res.partner"].create({"name": "Portal A Co", "is_company": True, "email": "a@a.example"})
        cls.company_b = env["res.partner"].create({"name": "Portal B Co", "is_company": True, "email": "b@b.example"})
        cls.alice = env["res.partner"].create({"name": "Alice", "parent_id": cls.company_a.id, "email": "al@a.example"})
        cls.bob = env["res.partner"].create({"name": "Bob", "parent_id": cls.company_b.id, "email": "bo@b.example"})
        cls.user_alice = new_test_user(
            env, login="loy_alice", groups="base.group_portal", partner_id=cls.alice.id, name="Alice"
        )
        cls.user_bob = new_test_user(
            env, login="loy_bob", groups="base.group_portal", partner_id=cls.bob.id, name="Bob"
        )
        Membership = env["crm.loyalty.membership"]
        cls.member_a = Membership.create({"partner_id": cls.company_a.id, "program_id": cls.program.id})
        cls.member_b = Membership.create({"partner_id": cls.company_b.id, "program_id": cls.program.id})
        Entry = env["crm.loyalty.entry"]
        cls.lot_a = Entry.create(
            {
                "membership_id": cls.member_a.id,
                "entry_type": "earn",
                "points": 1200,
                "date": cls.today - timedelta(days=10),
                "expiry_date": cls.today + timedelta(days=20),
            }
        )
        Entry.create(
            {
                "membership_id": cls.member_b.id,
                "entry_type": "adjust",
                "points": 777,
                "reason": "SECRET-B goodwill",
                "date": cls.today - timedelta(days=3),
            }
        )
        (cls.member_a | cls.member_b)._apply_tiers()


@tagged("post_install", "-at_install")
class TestLoyaltyPortal(LoyaltyPortalCommon):
    def test_overview_shows_own_balance_and_next_tier_only(self):
        self.authenticate("loy_alice", "loy_alice")
        response = self.url_open("/my/loyalty")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("1,200", page)
        self.assertIn(self.member_a.name, page)
        self.assertIn("Tour Bronze", page)
        self.assertIn("3,800", page, "what is missing to reach the next tier")
        self.assertIn("Tour Silver", page)
        self.assertNotIn(self.member_b.name, page)
        # the home page asks for the balance as a counter
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["loyalty_balance"]})
        self.assertEqual(counters["loyalty_balance"], "1,200")

    def test_membership_page_lots_history_and_how_to_earn(self):
        self.authenticate("loy_alice", "loy_alice")
        response = self.url_open(f"/my/loyalty/{self.member_a.id}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("o_loyalty_lot", page)
        self.assertIn(self.lot_a.expiry_date.strftime("%m/%d/%Y"), page, "the lot's expiry date")
        self.assertIn("o_loyalty_entry", page)
        self.assertIn("How to earn points", page)
        self.assertIn("Your first purchase earns", page)
        self.assertIn("Tour Gift Cards: no points.", page)
        self.assertIn("Tour Desk: points multiplied by 2.", page)
        self.assertIn("Pay up to 50% of an order", page)
        self.assertNotIn("SECRET-B", page)

    def test_history_is_paginated(self):
        Entry = self.env["crm.loyalty.entry"]
        Entry.create(
            [
                {
                    "membership_id": self.member_a.id,
                    "entry_type": "bonus",
                    "bonus_kind": "other",
                    "points": 1,
                    "reason": f"OLD-{i:02d}",
                    "date": self.today - timedelta(days=100 + i),
                }
                for i in range(25)
            ]
        )
        self.authenticate("loy_alice", "loy_alice")
        first = self.url_open(f"/my/loyalty/{self.member_a.id}").text
        second = self.url_open(f"/my/loyalty/{self.member_a.id}/page/2").text
        self.assertEqual(first.count('class="o_loyalty_entry"'), 20)
        self.assertEqual(second.count('class="o_loyalty_entry"'), 6)
        self.assertIn("OLD-24", second, "the oldest entry on the last page")
        self.assertNotIn("OLD-24", first)

    def test_someone_elses_membership_is_not_found(self):
        self.authenticate("loy_alice", "loy_alice")
        response = self.url_open(f"/my/loyalty/{self.member_b.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("SECRET-B", response.text)
        self.assertEqual(self.url_open(f"/my/loyalty/{self.member_b.id}/page/2").status_code, 404)
        self.assertEqual(self.url_open("/my/loyalty/999999999").status_code, 404)
        # the owner reads it
        self.authenticate("loy_bob", "loy_bob")
        response = self.url_open(f"/my/loyalty/{self.member_b.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("SECRET-B", response.text)

    def test_portal_users_cannot_read_the_loyalty_models(self):
        """The pages read through checked sudo records; the models stay closed to portal users over RPC."""
        for model in ("crm.loyalty.membership", "crm.loyalty.entry", "crm.loyalty.program"):
            self.assertFalse(self.env[model].with_user(self.user_alice).has_access("read"), model)

    def test_statement_toggle_needs_csrf_and_writes_own_partner(self):
        self.authenticate("loy_alice", "loy_alice")
        response = self.url_open("/my/loyalty/statement", data={"optin": "1"})
        self.assertEqual(response.status_code, 400, "no CSRF token: refused")
        self.assertFalse(self.company_a.loyalty_statement_optin)
        response = self.url_open(
            "/my/loyalty/statement", data={"optin": "1", "csrf_token": http.Request.csrf_token(self)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.company_a.loyalty_statement_optin, "the member (the commercial partner) opted in")
        self.assertTrue(self.member_a.statement_optin)
        self.assertFalse(self.company_b.loyalty_statement_optin)
        self.assertIn("o_loyalty_statement_on", self.url_open("/my/loyalty").text)
        self.url_open("/my/loyalty/statement", data={"optin": "0", "csrf_token": http.Request.csrf_token(self)})
        self.assertFalse(self.company_a.loyalty_statement_optin)

    def test_statement_toggle_refuses_bad_values_and_non_members(self):
        self.authenticate("loy_alice", "loy_alice")
        response = self.url_open(
            "/my/loyalty/statement", data={"optin": "yes", "csrf_token": http.Request.csrf_token(self)}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.company_a.loyalty_statement_optin)
        carol = self.env["res.partner"].create({"name": "Carol", "email": "carol@c.example"})
        new_test_user(self.env, login="loy_carol", groups="base.group_portal", partner_id=carol.id, name="Carol")
        self.authenticate("loy_carol", "loy_carol")
        self.url_open("/my/loyalty/statement", data={"optin": "1", "csrf_token": http.Request.csrf_token(self)})
        self.assertFalse(carol.loyalty_statement_optin, "no membership: nothing written")
        page = self.url_open("/my/loyalty").text
        self.assertIn("You are not a member of a loyalty program yet.", page)
        self.assertNotIn("o_loyalty_statement", page)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["loyalty_balance"]})
        self.assertEqual(counters["loyalty_balance"], 0, "no membership: the home entry stays hidden")

    def test_top_tier_reached(self):
        self.env["crm.loyalty.entry"].create(
            {"membership_id": self.member_b.id, "entry_type": "earn", "points": 6000, "date": self.today}
        )
        self.member_b._apply_tiers()
        self.assertEqual(self.member_b.tier_id.name, "Tour Silver")
        self.authenticate("loy_bob", "loy_bob")
        page = self.url_open("/my/loyalty").text
        self.assertIn("You have reached the highest tier.", page)
        self.assertNotIn("more points to reach", page)

    def test_tour_portal_loyalty_page(self):
        self.start_tour("/my", "crm_loyalty_portal_tour", login="loy_alice")
        self.assertTrue(self.company_a.loyalty_statement_optin)
        self.assertFalse(self.company_b.loyalty_statement_optin)


@tagged("post_install", "-at_install")
class TestLoyaltyPortalLanguages(LoyaltyPortalCommon):
    def test_page_and_mail_texts_are_exported_for_translation(self):
        terms = {term[4] for term in TranslationModuleReader(self.env.cr, ["crm_loyalty"])}
        for text in (
            "Send me a monthly statement",
            "Stop the monthly statement",
            "How to earn points",
            "Your points and their expiry dates",
            "You have reached the highest tier.",
            "Points redeemed",
            "Use them on your next order before they expire.",
        ):
            self.assertTrue(any(text in term for term in terms), f"{text!r} is not exported")

    def test_page_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["crm_loyalty"], ["zh_CN"])
        self.user_alice.lang = "zh_CN"
        self.authenticate("loy_alice", "loy_alice")
        response = self.url_open(f"/my/loyalty/{self.member_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("赚取", response.text, "the entry type in the reader's language")
        self.assertIn(self.lot_a.expiry_date.strftime("%Y年%m月%d日"), response.text, "dates in the Chinese format")
        self.assertEqual(self.url_open("/my/loyalty").status_code, 200)
