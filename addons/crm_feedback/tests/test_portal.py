import re

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import confirm_from_mail


@tagged("post_install", "-at_install")
class TestFeedbackPortal(HttpCase):
    """Portal and public surface: customers see only their own tickets; forms validate and escape."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_a = env["res.partner"].create({"name": "Portal A Co", "is_company": True})
        cls.company_b = env["res.partner"].create({"name": "Portal B Co", "is_company": True})
        contact_a = env["res.partner"].create(
            {"name": "Alice", "parent_id": cls.company_a.id, "email": "alice@a.example"}
        )
        contact_b = env["res.partner"].create({"name": "Bob", "parent_id": cls.company_b.id, "email": "bob@b.example"})
        cls.user_a = new_test_user(
            env, login="portal_alice", password="portal_alice1", groups="base.group_portal", partner_id=contact_a.id
        )
        cls.user_b = new_test_user(
            env, login="portal_bob", password="portal_bob1", groups="base.group_portal", partner_id=contact_b.id
        )
        Ticket = env["crm.feedback.ticket"]
        cls.ticket_a = Ticket.create(
            {"subject": "Alice's secret issue", "description": "<p>A</p>", "partner_id": contact_a.id}
        )
        cls.ticket_b = Ticket.create(
            {"subject": "Bob's secret issue", "description": "<p>B</p>", "partner_id": contact_b.id}
        )
        cls.order_b = env["sale.order"].create({"partner_id": cls.company_b.id})
        cls.order_b.action_confirm()

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def test_portal_list_and_detail_isolation(self):
        self.authenticate("portal_alice", "portal_alice1")
        listing = self.url_open("/my/feedback")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("Alice&#39;s secret issue", listing.text.replace("&#x27;", "&#39;"))
        self.assertNotIn("Bob", listing.text)
        own = self.url_open(f"/my/feedback/{self.ticket_a.id}")
        self.assertIn(self.ticket_a.name, own.text)
        for guessed in (self.ticket_b.id, self.ticket_b.id + 1000, 0):
            resp = self.url_open(f"/my/feedback/{guessed}")
            self.assertNotIn("Bob&#39;s secret", resp.text)
            self.assertNotIn("Bob's secret", resp.text)
            self.assertTrue(resp.url.endswith("/my") or resp.status_code in (403, 404), resp.url)
        # replying on someone else's ticket is refused by the chatter controller
        resp = self.make_jsonrpc_request_raw(
            "/mail/message/post",
            {
                "thread_model": "crm.feedback.ticket",
                "thread_id": self.ticket_b.id,
                "post_data": {"body": "intrusion", "message_type": "comment"},
            },
        )
        self.assertNotIn(
            "intrusion", self.ticket_b.message_ids.mapped("body") and "".join(self.ticket_b.message_ids.mapped("body"))
        )
        self.assertTrue(resp.get("error") or resp.get("result") is None)
        # replying on their own ticket works and threads into it
        self.make_jsonrpc_request_raw(
            "/mail/message/post",
            {
                "thread_model": "crm.feedback.ticket",
                "thread_id": self.ticket_a.id,
                "post_data": {"body": "Any update from Alice?", "message_type": "comment"},
            },
        )
        self.ticket_a.invalidate_recordset(["message_ids"])
        self.assertIn("Any update from Alice?", "".join(self.ticket_a.message_ids.mapped("body")))

    def make_jsonrpc_request_raw(self, route, params):
        response = self.url_open(
            route,
            data=__import__("json").dumps({"jsonrpc": "2.0", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_portal_new_ticket_only_own_documents(self):
        self.authenticate("portal_alice", "portal_alice1")
        Ticket = self.env["crm.feedback.ticket"]
        before = Ticket.search_count([])
        token = self._csrf("/my/feedback/new")
        resp = self.url_open(
            "/my/feedback/new",
            data={
                "csrf_token": token,
                "subject": "About Bob's order",
                "description": "x",
                "sale_order_id": str(self.order_b.id),
            },
        )
        self.assertIn("Choose one of your own documents", resp.text)
        self.assertEqual(Ticket.search_count([]), before)
        resp = self.url_open(
            "/my/feedback/new",
            data={
                "csrf_token": token,
                "subject": "Wrong colour",
                "description": "The sofa is green, I ordered red.",
                "ticket_type": "complaint",
            },
        )
        ticket = Ticket.search([], order="id desc", limit=1)
        self.assertEqual(
            (ticket.subject, ticket.channel, ticket.commercial_partner_id), ("Wrong colour", "portal", self.company_a)
        )
        self.assertTrue(resp.url.endswith(f"/my/feedback/{ticket.id}"))

    def test_portal_home_feedback_tile_before_the_first_ticket(self):
        """A customer who never sent feedback sees the Feedback tile on the portal home (no counter hides it at
        0) and reaches the new-ticket form from it."""
        partner = self.env["res.partner"].create({"name": "Carol", "email": "carol@c.example"})
        new_test_user(
            self.env, login="portal_carol", password="portal_carol1", groups="base.group_portal", partner_id=partner.id
        )
        self.authenticate("portal_carol", "portal_carol1")
        home = self.url_open("/my")
        self.assertEqual(home.status_code, 200)
        card = re.search(r'class="(o_portal_index_card[^"]*)"[^>]*>\s*<a[^>]*href="/my/feedback"', home.text)
        self.assertTrue(card, "the Feedback tile is on the portal home")
        self.assertNotIn("d-none", card.group(1).split(), "visible without waiting for a counter")
        listing = self.url_open("/my/feedback")
        self.assertIn('href="/my/feedback/new"', listing.text)
        self.assertEqual(self.url_open("/my/feedback/new").status_code, 200)

    def test_public_pages_in_the_frontend_layout(self):
        """The public feedback form is a page of the company's site: header with its logo and name, footer."""
        company = self.env.company
        self.authenticate(None, None)
        page = self.url_open("/feedback")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/logo.png?company={company.id}", page.text)
        self.assertIn(f'title="{company.name}"', page.text)
        self.assertIn('id="top"', page.text)
        self.assertIn('id="bottom"', page.text)

    def test_public_form_validation_escaping_and_csrf(self):
        Ticket = self.env["crm.feedback.ticket"]
        before = Ticket.search_count([])
        token = self._csrf("/feedback")
        resp = self.url_open(
            "/feedback", data={"csrf_token": token, "email": "not-an-email", "subject": "Hi", "description": ""}
        )
        self.assertEqual(resp.status_code, 200)
        self.assertIn("Enter a valid email address", resp.text)
        self.assertIn("Describe your feedback", resp.text)
        resp = self.url_open(
            "/feedback",
            data={"csrf_token": token, "email": "v@example.org", "subject": "Big", "description": "x" * 6000},
        )
        self.assertIn("at most 5000 characters", resp.text)
        self.assertEqual(Ticket.search_count([]), before)
        resp = self.url_open("/feedback", data={"subject": "no token", "email": "v@example.org", "description": "x"})
        self.assertEqual(resp.status_code, 400)
        self.assertEqual(Ticket.search_count([]), before)
        resp = self.url_open(
            "/feedback",
            data={
                "csrf_token": token,
                "email": "visitor@example.org",
                "name": "Visitor",
                "subject": "<b>Hello</b>",
                "description": "<script>alert(1)</script>\nSecond line",
                "ticket_type": "suggestion",
            },
        )
        self.assertIn("Thank you", resp.text)
        ticket = Ticket.search([], order="id desc", limit=1)
        self.assertRecordValues(
            ticket,
            [{"channel": "web", "ticket_type": "suggestion", "email_from": "visitor@example.org", "partner_id": False}],
        )
        self.assertNotIn("<script>", ticket.description)
        self.assertIn("&lt;script&gt;", ticket.description)
        for _i in range(5):
            self.url_open(
                "/feedback",
                data={"csrf_token": token, "email": "flood@example.org", "subject": "spam", "description": "spam"},
            )
        resp = self.url_open(
            "/feedback",
            data={"csrf_token": token, "email": "flood@example.org", "subject": "spam", "description": "spam"},
        )
        self.assertIn("Too many messages", resp.text)
        self.assertEqual(Ticket.search_count([("email_from", "=", "flood@example.org")]), 5)

    def test_portal_attachments_of_another_customer(self):
        """A file on Bob's ticket (and in its thread) never reaches Alice, by id or through the thread
        routes; Bob downloads it from his own ticket."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": "bob-invoice-photo.txt",
                "raw": b"Bob's private photo",
                "res_model": "crm.feedback.ticket",
                "res_id": self.ticket_b.id,
            }
        )
        self.ticket_b.message_post(
            body="Photo attached",
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.authenticate("portal_alice", "portal_alice1")
        resp = self.url_open(f"/web/content/{attachment.id}?download=true")
        self.assertIn(resp.status_code, (403, 404))
        self.assertNotIn(b"Bob's private photo", resp.content)
        resp = self.url_open(f"/web/content/ir.attachment/{attachment.id}/datas")
        self.assertIn(resp.status_code, (403, 404))
        params = {"thread_model": "crm.feedback.ticket", "thread_id": self.ticket_b.id}
        try:
            thread = str(self.make_jsonrpc_request("/mail/thread/messages", params))
        except Exception as error:  # noqa: BLE001 - an access error answer is as good as an empty one
            thread = str(error)
        self.assertNotIn("bob-invoice-photo.txt", thread)
        self.assertNotIn("Photo attached", thread)
        self.authenticate("portal_bob", "portal_bob1")
        thread = str(self.make_jsonrpc_request("/mail/thread/messages", params))
        self.assertIn("Photo attached", thread)
        self.assertIn("bob-invoice-photo.txt", thread)


@tagged("post_install", "-at_install")
class TestFeedbackForms(HttpCase):
    """Issue 17, items 6 to 11: what the public form and the portal form store, refuse and route."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Ticket = env["crm.feedback.ticket"]
        cls.company = env.company
        cls.customer = env["res.partner"].create({"name": "Forms Co", "is_company": True})
        cls.contact = env["res.partner"].create(
            {"name": "Carol", "parent_id": cls.customer.id, "email": "carol@forms.example"}
        )
        cls.portal_user = new_test_user(
            env, login="portal_carol", password="portal_carol1", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.other_customer = env["res.partner"].create({"name": "Elsewhere Co", "is_company": True})
        cls.product = env["product.product"].create({"name": "Forms Lamp", "is_storable": True})
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 10)

        def delivery(partner):
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "warehouse_id": cls.warehouse.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
                }
            )
            order.action_confirm()
            return order.picking_ids

        cls.own_delivery = delivery(cls.contact)
        cls.foreign_delivery = delivery(cls.other_customer)
        # a follower of another customer's delivery can read it through the core portal rule
        cls.foreign_delivery.message_subscribe(partner_ids=cls.contact.ids)
        cls.sla_team = env["crm.feedback.team"].create(
            {
                "name": "Web Care",
                "company_id": cls.company.id,
                "sla_ids": [Command.create({"name": "Any web ticket", "response_hours": 8, "resolution_hours": 40})],
            }
        )
        cls.returns_team = env["crm.feedback.team"].create(
            {
                "name": "Returns desk",
                "company_id": cls.company.id,
                "received_ticket_type": "return",
                "sla_ids": [Command.create({"name": "Returns", "response_hours": 2, "resolution_hours": 16})],
            }
        )
        cls.company.feedback_team_id = cls.sla_team

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _public(self, **data):
        base = {"email": "visitor@forms.example", "subject": "Hello", "description": "Text"}
        base.update(data)
        return self.url_open("/feedback", data={"csrf_token": self._csrf("/feedback"), **base})

    def _portal(self, **data):
        base = {"subject": "Hello", "description": "Text", "ticket_type": "complaint"}
        base.update(data)
        return self.url_open("/my/feedback/new", data={"csrf_token": self._csrf("/my/feedback/new"), **base})

    def _last(self):
        return self.Ticket.search([], order="id desc", limit=1)

    def test_multiline_description_is_html_with_line_breaks(self):
        resp = self._public(description="First line\nSecond <line>\n\nNew paragraph")
        self.assertIn("Thank you", resp.text)
        ticket = self._last()
        self.assertEqual(
            str(ticket.description), "<p>First line<br>Second &lt;line&gt;</p><p>New paragraph</p>", ticket.description
        )

    def _confirm(self, ticket):
        """Open the confirmation link e-mailed for this ticket and press its button."""
        return confirm_from_mail(self, ticket)

    def test_public_form_matches_the_exact_address_never_a_pattern(self):
        li_na = self.env["res.partner"].create({"name": "Li Na", "email": "Li.Na@forms.example"})
        company = self.env["res.partner"].create(
            {"name": "Big Company", "is_company": True, "email": "info@company.example.com"}
        )
        self._public(email="li_na@forms.example")
        self._confirm(self._last())
        self.assertNotEqual(self._last().partner_id, li_na, "_ is no wildcard")
        self.assertEqual(self._last().partner_id.email, "li_na@forms.example")
        self._public(email="%@company.example.com")
        self._confirm(self._last())
        self.assertNotEqual(self._last().partner_id, company, "% is no wildcard")
        self.assertEqual(self._last().partner_id.email, "%@company.example.com")
        self._public(email="  LI.NA@Forms.Example ")
        self._confirm(self._last())
        self.assertEqual(self._last().partner_id, li_na, "the same address, normalised, is the same contact")

    def test_portal_ticket_about_own_delivery_only(self):
        self.authenticate("portal_carol", "portal_carol1")
        page = self.url_open("/my/feedback/new")
        self.assertIn(f'value="{self.own_delivery.id}"', page.text)
        self.assertNotIn(self.foreign_delivery.name, page.text)
        before = self.Ticket.search_count([])
        for refused in (self.foreign_delivery.id, 0, "x"):
            resp = self._portal(picking_id=str(refused))
            self.assertIn("Choose one of your own documents", resp.text, refused)
        self.assertEqual(self.Ticket.search_count([]), before)
        resp = self._portal(subject="Lamp arrived late", picking_id=str(self.own_delivery.id))
        ticket = self._last()
        self.assertEqual((ticket.subject, ticket.picking_id), ("Lamp arrived late", self.own_delivery))
        self.assertIn(self.own_delivery.name, self.url_open(f"/my/feedback/{ticket.id}").text)

    def test_nul_byte_is_a_form_error_in_every_field(self):
        before = self.Ticket.search_count([])
        for field in ("name", "email", "subject", "description", "ticket_type"):
            value = {"email": "nul@forms.example", "ticket_type": "complaint"}.get(field, "abc")
            resp = self._public(**{field: value[:1] + "\x00" + value[1:]})
            self.assertEqual(resp.status_code, 200, field)
            self.assertIn("character that is not allowed", resp.text, field)
        self.authenticate("portal_carol", "portal_carol1")
        for field in ("subject", "description", "ticket_type", "sale_order_id", "invoice_id", "picking_id"):
            resp = self._portal(**{field: "1\x00"})
            self.assertEqual(resp.status_code, 200, field)
            self.assertIn("character that is not allowed", resp.text, field)
        self.assertEqual(self.Ticket.search_count([]), before, "nothing stored")
        survey = self.env["crm.feedback.nps.request"].create({"partner_id": self.contact.id})
        csrf = self._csrf("/feedback")
        resp = self.url_open(
            f"/feedback/nps/{survey.access_token}", data={"csrf_token": csrf, "score": "9", "comment": "ok\x00"}
        )
        self.assertEqual(resp.status_code, 200)
        self.assertIn("character that is not allowed", resp.text)
        resp = self.url_open(
            f"/feedback/nps/{survey.access_token}", data={"csrf_token": csrf, "score": "9\x00", "comment": "ok"}
        )
        self.assertEqual(resp.status_code, 200)
        self.assertIn("Choose a score from 0 to 10.", resp.text)
        self.assertFalse(survey.answer_id)

    def test_web_and_portal_tickets_are_routed_to_a_team_with_an_sla(self):
        self._public(subject="Public praise", ticket_type="praise")
        ticket = self._last()
        self.assertEqual((ticket.channel, ticket.team_id), ("web", self.sla_team), "the company's default team")
        self.assertTrue(ticket.sla_id and ticket.sla_response_deadline)
        self._public(subject="Public return", ticket_type="return")
        self.assertEqual(self._last().team_id, self.returns_team, "a team taking this type gets it")
        self.authenticate("portal_carol", "portal_carol1")
        self._portal(subject="Portal complaint")
        ticket = self._last()
        self.assertEqual((ticket.channel, ticket.team_id), ("portal", self.sla_team))
        self.assertTrue(ticket.sla_id and ticket.sla_response_deadline)
        # the rule holds however the ticket is written, and the default is set in the settings
        other = self.env["crm.feedback.team"].create({"name": "Other desk", "company_id": self.company.id})
        settings = self.env["res.config.settings"].create({"feedback_team_id": other.id})
        settings.execute()
        self.assertEqual(self.company.feedback_team_id, other)
        by_rpc = self.Ticket.create({"subject": "RPC", "description": "<p>x</p>", "channel": "web"})
        self.assertEqual(by_rpc.team_id, other)
        phone = self.Ticket.create({"subject": "Phone", "description": "<p>x</p>", "channel": "phone"})
        self.assertFalse(phone.team_id, "an agent's phone ticket keeps the team the agent chose")

    def test_over_long_subject_and_description_refused_with_their_limits(self):
        before = self.Ticket.search_count([])
        page = self.url_open("/feedback")
        self.assertIn("At most 200 characters", page.text)
        self.assertIn("At most 5000 characters", page.text)
        resp = self._public(subject="s" * 201)
        self.assertIn("The subject is too long: at most 200 characters.", resp.text)
        resp = self._public(description="d" * 5001)
        self.assertIn("The description is too long: at most 5000 characters.", resp.text)
        resp = self._public(name="n" * 201)
        self.assertIn("The name is too long: at most 200 characters.", resp.text)
        self.authenticate("portal_carol", "portal_carol1")
        resp = self._portal(subject="s" * 201)
        self.assertIn("The subject is too long: at most 200 characters.", resp.text)
        self.assertEqual(self.Ticket.search_count([]), before, "nothing cut, nothing stored")
        self._portal(subject=" ".join(["s" * 99, "t" * 100]))  # exactly 200: accepted whole
        self.assertEqual(len(self._last().subject), 200)
