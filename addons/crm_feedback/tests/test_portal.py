import re

from odoo.tests import HttpCase, new_test_user, tagged


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
        self.assertIn("under 5000 characters", resp.text)
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
        self.assertEqual(
            (ticket.channel, ticket.ticket_type, ticket.partner_id.email), ("web", "suggestion", "visitor@example.org")
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
