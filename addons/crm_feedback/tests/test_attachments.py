import json
import re

from odoo.tests import BaseCase, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@tagged("post_install", "-at_install")
class TestUploadKinds(BaseCase):
    """The content decides (no database)."""

    def test_sniff_and_names(self):
        self.assertEqual(uploads.sniff(PNG), ("image/png", "png"))
        self.assertEqual(uploads.sniff(JPEG), ("image/jpeg", "jpg"))
        self.assertEqual(uploads.sniff(WEBP), ("image/webp", "webp"))
        self.assertEqual(uploads.sniff(PDF), ("application/pdf", "pdf"))
        for refused in (EXE, HTML, SVG, b"", b"RIFF\x00\x00\x00\x00WAVE", b" %PDF-1.4"):
            self.assertIsNone(uploads.sniff(refused), refused[:10])
        self.assertEqual(uploads.safe_name("../../etc/passwd.pdf.exe", "pdf"), "passwd.pdf.pdf")
        name = uploads.safe_name("C:\\Users\\x\\<img src=x onerror=alert(1)>.png", "png")
        self.assertEqual(name, "img src_x onerror_alert(1).png")
        self.assertEqual(uploads.safe_name("\x00\u202e.jpg", "jpg"), "file.jpg")


@tagged("post_install", "-at_install")
class TestFeedbackAttachments(HttpCase):
    """Issue 18, item 3: files on the portal and public forms, checked on their content, reachable by the
    ticket's customer and staff only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Ticket = env["crm.feedback.ticket"]
        cls.Attachment = env["ir.attachment"]
        cls.alice = env["res.partner"].create({"name": "Att Alice", "email": "att.alice@a.example"})
        cls.bob = env["res.partner"].create({"name": "Att Bob", "email": "att.bob@b.example"})
        for login, partner in (("att_alice", cls.alice), ("att_bob", cls.bob)):
            new_test_user(
                env,
                login=login,
                password=login + "_1",
                groups="base.group_portal",
                partner_id=partner.id,
                email=partner.email,
            )

    def _csrf(self, url):
        return re.search(r'name="csrf_token" value="([^"]+)"', self.url_open(url).text).group(1)

    def _portal(self, files, **data):
        base = {"csrf_token": self._csrf("/my/feedback/new"), "subject": "Broken", "description": "See photo"}
        base.update(data)
        return self.url_open("/my/feedback/new", data=base, files=[("attachments", f) for f in files])

    def _public(self, files, **data):
        base = {
            "csrf_token": self._csrf("/feedback"),
            "email": "visitor@att.example",
            "subject": "Broken",
            "description": "See photo",
        }
        base.update(data)
        return self.url_open("/feedback", data=base, files=[("attachments", f) for f in files])

    def _ticket_files(self, ticket):
        return self.Attachment.search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id)])

    def test_accepted_files_are_attachments_of_the_ticket(self):
        self.authenticate("att_alice", "att_alice_1")
        resp = self._portal([("photo.png", PNG, "image/png"), ("invoice.pdf.exe", PDF, "application/octet-stream")])
        ticket = self.Ticket.search([], order="id desc", limit=1)
        self.assertTrue(resp.url.endswith(f"/my/feedback/{ticket.id}"), resp.url)
        files = self._ticket_files(ticket)
        self.assertEqual(files, ticket.message_ids.attachment_ids, "in the customer's message too")
        self.assertEqual(
            sorted(files.mapped(lambda a: (a.name, a.mimetype))),
            [("invoice.pdf.pdf", "application/pdf"), ("photo.png", "image/png")],
        )
        thread = self._jsonrpc("/mail/thread/messages", {"thread_model": ticket._name, "thread_id": ticket.id})
        self.assertIn("photo.png", thread, "the customer sees them in the thread")
        link = re.search(r'href="(/web/content/\d+\?access_token=[^"&]+)&amp;download=true">photo.png', resp.text)
        download = self.url_open(link.group(1))
        self.assertEqual((download.status_code, download.content), (200, PNG), "the owner downloads it")
        self.authenticate(None, None)
        self._public([("broken.jpg", JPEG, "image/jpeg"), ("box.webp", WEBP, "image/webp")])
        ticket = self.Ticket.search([], order="id desc", limit=1)
        self.assertEqual((ticket.channel, ticket.verified), ("web", False))
        self.assertEqual(sorted(self._ticket_files(ticket).mapped("mimetype")), ["image/jpeg", "image/webp"])

    def test_refused_files_write_nothing(self):
        tickets, attachments = self.Ticket.search_count([]), self.Attachment.search_count([])
        big = JPEG + b"\x00" * uploads.MAX_FILE_BYTES
        cases = [
            ([("huge.jpg", big, "image/jpeg")], "is too large: at most 5 MB per file"),
            ([("photo.jpg", EXE, "image/jpeg")], "photo.jpg is not a JPEG, PNG or WebP image nor a PDF document"),
            ([("page.png", HTML, "image/png")], "is not a JPEG, PNG or WebP image"),
            ([("logo.svg", SVG, "image/svg+xml")], "is not a JPEG, PNG or WebP image"),
            ([(f"p{i}.png", PNG, "image/png") for i in range(uploads.MAX_FILES + 1)], "Attach at most 5 files."),
            ([("fine.png", PNG, "image/png"), ("evil.pdf", HTML, "application/pdf")], "evil.pdf is not"),
        ]
        for files, message in cases:
            resp = self._public(files)
            self.assertEqual(resp.status_code, 200)
            self.assertIn(message, resp.text)
        self.authenticate("att_alice", "att_alice_1")
        for files, message in cases:
            resp = self._portal(files)
            self.assertEqual(resp.status_code, 200)
            self.assertIn(message, resp.text)
        self.assertEqual(self.Ticket.search_count([]), tickets, "no ticket")
        self.assertEqual(self.Attachment.search_count([]), attachments, "no attachment")

    def _jsonrpc(self, route, params):
        resp = self.url_open(
            route, data=json.dumps({"jsonrpc": "2.0", "params": params}), headers={"Content-Type": "application/json"}
        )
        return resp.text

    def test_another_customer_cannot_reach_the_files(self):
        self.authenticate("att_bob", "att_bob_1")
        self._portal([("bob-private.png", PNG, "image/png")])
        bob_ticket = self.Ticket.search([], order="id desc", limit=1)
        bob_file = self._ticket_files(bob_ticket)
        self.assertEqual(len(bob_file), 1)
        bob_token = bob_file.generate_access_token()[0]  # as the chatter may hand it to Bob
        self.authenticate("att_alice", "att_alice_1")
        self._portal([("alice.png", PNG, "image/png")])
        alice_ticket = self.Ticket.search([], order="id desc", limit=1)
        alice_file = self._ticket_files(alice_ticket)
        alice_token = alice_file.generate_access_token()[0]
        alice_ticket_token = alice_ticket._portal_ensure_token()
        bob_ticket_token = bob_ticket._portal_ensure_token()
        # Bob's token with its last character changed (a fixed "0" was Bob's own token one time in 16)
        forged = bob_token[:-1] + ("1" if bob_token.endswith("0") else "0")
        with mute_logger("odoo.http", "odoo.addons.base.models.ir_attachment"):
            for url in (
                f"/web/content/{bob_file.id}",
                f"/web/content/{bob_file.id}?download=true",
                f"/web/content/ir.attachment/{bob_file.id}/datas",
                f"/web/content/{bob_file.id}?access_token={alice_token}",
                f"/web/content/{bob_file.id}?access_token={alice_ticket_token}",
                f"/web/content/{bob_file.id}?access_token={bob_ticket_token}",
                f"/web/content/{bob_file.id}?access_token={forged}",
                f"/web/content/{bob_file.id}?access_token=",
            ):
                resp = self.url_open(url)
                self.assertIn(resp.status_code, (403, 404), url)
                self.assertNotEqual(resp.content, PNG, url)
            # the image route answers a placeholder picture, never the file
            self.assertNotEqual(self.url_open(f"/web/image/{bob_file.id}").content, PNG)
            thread = self._jsonrpc(
                "/mail/thread/messages", {"thread_model": bob_ticket._name, "thread_id": bob_ticket.id}
            )
            self.assertNotIn("bob-private.png", thread)
            data = self._jsonrpc(
                "/mail/thread/data",
                {"thread_model": bob_ticket._name, "thread_id": bob_ticket.id, "request_list": ["attachments"]},
            )
            self.assertNotIn("bob-private.png", data)
            page = self.url_open(f"/my/feedback/{bob_ticket.id}")
            self.assertNotIn("bob-private", page.text)
        # the owner and staff do reach it; the access token is Bob's to share
        self.assertEqual(self.url_open(f"/web/content/{alice_file.id}?access_token={alice_token}").content, PNG)
        self.authenticate(None, None)
        self.assertEqual(self.url_open(f"/web/content/{bob_file.id}?access_token={bob_token}").content, PNG)
        self.authenticate("admin", "admin")
        self.assertEqual(self.url_open(f"/web/content/{bob_file.id}").content, PNG)

    def test_chatter_upload_follows_the_same_rules(self):
        """Core's chatter upload on one's own ticket: an allowed file goes through, an HTML or SVG file or a
        renamed executable is refused, whether attached directly or pending then posted."""
        self.authenticate("att_alice", "att_alice_1")
        self._portal([])
        ticket = self.Ticket.search([], order="id desc", limit=1)
        before = self._ticket_files(ticket)

        def upload(name, data, pending):
            fields = {"csrf_token": self._csrf("/feedback"), "thread_id": str(ticket.id), "thread_model": ticket._name}
            if pending:
                fields["is_pending"] = "true"
            return self.url_open("/mail/attachment/upload", data=fields, files={"ufile": (name, data)})

        with mute_logger("odoo.http"):
            for name, data in (("x.html", HTML), ("x.svg", SVG), ("x.jpg", EXE)):
                self.assertEqual(upload(name, data, pending=False).status_code, 400, name)
                pending = upload(name, data, pending=True)
                stored = json.loads(pending.text)["data"]["ir.attachment"][0]
                posted = self._jsonrpc(
                    "/mail/message/post",
                    {
                        "thread_model": ticket._name,
                        "thread_id": ticket.id,
                        "post_data": {"body": "see", "attachment_ids": [stored["id"]], "message_type": "comment"},
                        "attachment_tokens": [stored["access_token"]],
                    },
                )
                self.assertIn("cannot be attached to feedback", posted, name)
        self.assertEqual(self._ticket_files(ticket), before, "nothing reached the ticket")
        self.assertEqual(upload("ok.png", PNG, pending=False).status_code, 200)
        self.assertEqual(len(self._ticket_files(ticket) - before), 1)
