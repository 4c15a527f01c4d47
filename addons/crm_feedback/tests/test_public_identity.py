import re

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import confirm_from_mail, confirmation_url


@tagged("post_install", "-at_install")
class TestPublicIdentity(HttpCase):
    """Issue 18, item 1: a public-form ticket speaks for nobody until the typed address is confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Ticket = env["crm.feedback.ticket"]
        cls.customer = env["res.partner"].create({"name": "Identity Co", "is_company": True})
        cls.alice = env["res.partner"].create(
            {"name": "Alice", "parent_id": cls.customer.id, "email": "alice@identity.example"}
        )
        cls.portal_alice = new_test_user(
            env,
            login="id_alice",
            password="id_alice_1",
            groups="base.group_portal",
            partner_id=cls.alice.id,
            email="alice@identity.example",  # new_test_user would write login@example.com on the contact
        )
        cls.agent = new_test_user(env, login="id_agent", groups="crm_feedback.group_feedback_manager")

    def _public(self, **data):
        page = self.url_open("/feedback")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        base = {"email": "visitor@identity.example", "subject": "Hello", "description": "Text", "name": "Visitor"}
        base.update(data)
        resp = self.url_open("/feedback", data={"csrf_token": csrf, **base})
        self.assertEqual(resp.status_code, 200)
        return resp

    def _last(self):
        return self.Ticket.search([], order="id desc", limit=1)

    def test_typed_customer_address_is_nobodys_until_confirmed(self):
        partners_before = self.env["res.partner"].search_count([])
        resp = self._public(email=" Alice@Identity.Example ", name="Mallory", subject="Refund me", description="Awful")
        self.assertIn("Thank you", resp.text)
        self.assertIn("alice@identity.example", resp.text)
        ticket = self._last()
        self.assertRecordValues(
            ticket,
            [
                {
                    "subject": "Refund me",
                    "channel": "web",
                    "verified": False,
                    "partner_id": False,
                    "commercial_partner_id": False,
                    "email_from": "alice@identity.example",
                    "contact_name": "Mallory",
                }
            ],
        )
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before, "no contact made")
        self.assertIn(ticket, self.Ticket.search([("verified", "=", False)]), "the staff's Unverified filter")
        # invisible in the customer's portal
        self.assertFalse(self.Ticket.with_user(self.portal_alice).search([]))
        self.authenticate("id_alice", "id_alice_1")
        self.assertNotIn("Refund me", self.url_open("/my/feedback").text)
        self.assertNotIn("Refund me", self.url_open(f"/my/feedback/{ticket.id}").text)
        self.authenticate(None, None)
        # the address's owner confirms from the link: exactly that contact, with a note in the chatter
        resp = confirm_from_mail(self, ticket)
        self.assertIn("is confirmed", resp.text)
        self.assertRecordValues(ticket, [{"verified": True, "partner_id": self.alice.id}])
        self.assertEqual(ticket.commercial_partner_id, self.customer)
        note = ticket.message_ids.filtered(lambda m: "confirmed the address" in str(m.body))
        self.assertEqual(note.author_id, self.alice, "the sender's own note")
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        self.assertEqual(self.Ticket.with_user(self.portal_alice).search([]), ticket)
        # used once
        self.assertEqual(self.url_open(confirmation_url(self, ticket)).status_code, 404)

    def test_unknown_address_gets_a_new_contact_at_confirmation_only(self):
        Partner = self.env["res.partner"]
        self._public(email="newcomer@identity.example", name="New Comer")
        ticket = self._last()
        self.assertFalse(Partner.search([("email_normalized", "=", "newcomer@identity.example")]))
        confirm_from_mail(self, ticket)
        contact = Partner.search([("email_normalized", "=", "newcomer@identity.example")])
        self.assertEqual(len(contact), 1)
        self.assertEqual((contact.name, ticket.partner_id), ("New Comer", contact))

    def test_staff_verify_by_hand_and_nobody_attaches_an_unverified_ticket(self):
        self._public(email="alice@identity.example")
        ticket = self._last()
        with self.assertRaises(ValidationError):
            ticket.with_user(self.agent).partner_id = self.alice
        ticket.with_user(self.agent).action_verify()
        self.assertRecordValues(ticket, [{"verified": True, "partner_id": self.alice.id}])
        self.assertIn("verified by hand", "".join(ticket.message_ids.mapped("body")))
        self.assertEqual(self.url_open(confirmation_url(self, ticket)).status_code, 404, "the link is spent")
        with self.assertRaises(ValidationError):
            self.Ticket.create(
                {"subject": "x", "description": "<p>x</p>", "verified": False, "partner_id": self.alice.id}
            )

    def test_portal_and_mail_gateway_tickets_are_verified_as_before(self):
        self.authenticate("id_alice", "id_alice_1")
        page = self.url_open("/my/feedback/new")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        self.url_open("/my/feedback/new", data={"csrf_token": csrf, "subject": "Portal", "description": "Text"})
        self.assertRecordValues(self._last(), [{"channel": "portal", "verified": True, "partner_id": self.alice.id}])
        by_mail = self.Ticket.message_new({"email_from": "alice@identity.example", "subject": "Mail", "body": "Hi"})
        self.assertRecordValues(by_mail, [{"channel": "email", "verified": True, "partner_id": self.alice.id}])
