import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import email_normalize, mute_logger

from ..controllers.portal import TOKEN_GUESSES
from ..tools import uploads

PAYLOAD = "<script>alert('x')</script>"
# the hostile text of issue 18: NUL, right-to-left and invisible marks, mixed scripts (a Cyrillic "а" in
# "pаypal"), markup, and huge values
NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\u202egnp.exe",
        "\u200f\u200e\u2066x\u2069",
        "p\u0430ypal \u0645\u0631\u062d\u0628\u0627 \u4f60\u597d",
        "\ufeff\u200b",
        "\U0010ffff",
        PAYLOAD,
        "x" * 100_000,
        "\u00e9" * 3000,
    ]
)
TEXT = st.one_of(st.text(max_size=300), NASTY, st.lists(NASTY, max_size=3).map("".join))
# overlong and invalid UTF-8 sequences, sent raw (percent-encoded) in the form body
OVERLONG = [b"%C0%AF", b"%E0%80%AF", b"%F0%80%80%AF", b"%C0%80", b"%ED%A0%80", b"%FF%FE"]
# in a URL: cut, as a reverse proxy answers 414 to request lines beyond a few kilobytes (and the test server
# drops the connection past 64 KiB)
PATH_TEXT = st.one_of(TEXT.map(lambda t: t[:2000]), st.just("x" * 5000))
SETTLE = {"max_examples": 25, "deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True}


def _refused(email, subject, description, name, ticket_type):
    """What the public form must refuse (it may refuse more: the hourly limits are off in these tests)."""
    values = (email, subject, description, name, ticket_type)
    norm = email_normalize(email or "")
    return (
        any("\x00" in (v or "") for v in values)
        or not norm
        or len(email) > 254
        or not " ".join(subject.split())
        or len(" ".join(subject.split())) > 200
        or not description.strip()
        or len(description.strip()) > 5000
        or len(" ".join(name.split())) > 200
    )


@tagged("post_install", "-at_install")
class TestPublicFormFuzz(HttpCase):
    """Property: whatever a visitor posts to the public form, the answer is a clean page (never a server
    error), no markup of theirs comes back unescaped, and a stored ticket never holds raw markup."""

    def setUp(self):
        super().setUp()
        TOKEN_GUESSES.reset()  # random tokens count as failed guesses: leave the counter as found
        self.addCleanup(TOKEN_GUESSES.reset)
        # the hourly limits would refuse valid input after a few examples: off, so only validity decides
        for key in ("address", "ip", "company"):
            self.env["ir.config_parameter"].sudo().set_param(f"crm_feedback.limit_per_{key}", "0")
        page = self.url_open("/feedback")
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(
        email=st.one_of(st.emails(), st.text(max_size=300)),
        subject=st.text(max_size=400),
        description=st.one_of(st.text(max_size=7000), st.just(PAYLOAD)),
        ticket_type=st.one_of(st.sampled_from(["complaint", "praise", "question"]), st.text(max_size=20)),
        name=st.text(max_size=300),
    )
    def test_random_submissions_answer_cleanly(self, email, subject, description, ticket_type, name):
        before = self.env["crm.feedback.ticket"].search([], order="id desc", limit=1).id or 0
        resp = self.url_open(
            "/feedback",
            data={
                "csrf_token": self.token,
                "email": email,
                "subject": subject,
                "description": description,
                "ticket_type": ticket_type,
                "name": name,
            },
        )
        self.assertEqual(resp.status_code, 200, resp.text[:500])
        self.assertNotIn(PAYLOAD, resp.text)
        created = self.env["crm.feedback.ticket"].search([("id", ">", before)])
        for ticket in created:
            self.assertEqual(ticket.channel, "web")
            self.assertNotIn("<script", ticket.description or "")
            self.assertLessEqual(len(ticket.subject), 200)
            self.assertEqual(ticket.subject, " ".join(subject.split()), "never cut")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(
        score=st.one_of(
            st.integers(min_value=-5, max_value=15).map(str),
            st.sampled_from(["²", "٣", " 7 ", "07"]),
            st.text(max_size=30),
        ),
        comment=st.one_of(st.text(max_size=2500), st.just(PAYLOAD)),
    )
    def test_random_nps_answers_answer_cleanly(self, score, comment):
        """The NPS link takes any input: a valid one is stored once with its score, anything else gets the
        form back with an error, never a server error nor unescaped markup."""
        partner = self.env["res.partner"].create({"name": "Fuzz NPS", "email": "fuzz.nps@example.com"})
        survey = self.env["crm.feedback.nps.request"].create({"partner_id": partner.id})
        resp = self.url_open(
            f"/feedback/nps/{survey.access_token}",
            data={"csrf_token": self.token, "score": score, "comment": comment},
        )
        self.assertEqual(resp.status_code, 200, resp.text[:500])
        self.assertNotIn(PAYLOAD, resp.text)
        survey.invalidate_recordset()
        clean = score.strip()
        valid = (
            bool(re.fullmatch(r"[0-9]{1,2}", clean))
            and int(clean) <= 10
            and len(comment.strip()) <= 2000
            and "\x00" not in comment
        )
        self.assertEqual(bool(survey.answer_id), valid, (score, len(comment)))
        if valid:
            self.assertEqual(survey.answer_id.score, int(clean))

    @settings(**SETTLE)
    @given(
        email=st.one_of(st.emails(), TEXT),
        subject=TEXT,
        description=TEXT,
        name=TEXT,
        ticket_type=st.one_of(st.sampled_from(["complaint", "praise"]), TEXT),
        website=st.one_of(st.just(""), TEXT),
    )
    def test_hostile_text_is_refused_or_stored_whole(self, email, subject, description, name, ticket_type, website):
        """NUL, RTL marks, mixed scripts, huge values in every field of the public form (and its honeypot):
        a form error or a ticket, never a server error; refused input writes nothing (no ticket, contact,
        mail)."""
        env = self.env
        counts = [env[m].search_count([]) for m in ("crm.feedback.ticket", "res.partner", "mail.mail")]
        resp = self.url_open(
            "/feedback",
            data={
                "csrf_token": self.token,
                "email": email,
                "subject": subject,
                "description": description,
                "ticket_type": ticket_type,
                "name": name,
                "website": website,
            },
        )
        self.assertEqual(resp.status_code, 200, resp.text[:300])
        after = [env[m].search_count([]) for m in ("crm.feedback.ticket", "res.partner", "mail.mail")]
        self.assertEqual(after[1], counts[1], "a public submission never makes a contact")
        if website or _refused(email, subject, description, name, ticket_type):
            self.assertEqual(after, counts, "nothing written")
        else:
            ticket = env["crm.feedback.ticket"].search([], order="id desc", limit=1)
            self.assertEqual(after[0], counts[0] + 1)
            self.assertEqual((ticket.verified, ticket.partner_id.id), (False, False))
            self.assertEqual(ticket.subject, " ".join(subject.split()), "stored whole")

    @settings(**SETTLE)
    @given(
        fields=st.lists(
            st.tuples(st.sampled_from(["email", "subject", "description", "name"]), st.sampled_from(OVERLONG)),
            min_size=1,
            max_size=4,
        )
    )
    def test_overlong_utf8_is_refused_or_replaced(self, fields):
        """Raw overlong or invalid UTF-8 in the form body: decoded with replacement characters, never a
        server error, never a contact."""
        partners = self.env["res.partner"].search_count([])
        body = {"email": b"visitor%40fuzz.example", "subject": b"S", "description": b"D"}
        for field, raw in fields:
            body[field] = body.get(field, b"") + raw
        data = b"&".join(k.encode() + b"=" + v for k, v in body.items()) + b"&csrf_token=" + self.token.encode()
        resp = self.url_open("/feedback", data=data, headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertLess(resp.status_code, 500)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        for ticket in self.env["crm.feedback.ticket"].search([("email_from", "like", "fuzz.example")]):
            self.assertNotIn("\x00", ticket.subject + ticket.description)

    @settings(**SETTLE)
    @given(
        token=st.one_of(
            PATH_TEXT,
            st.text(
                alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=20, max_size=200
            ),
        ),
        rate=st.integers(-3, 12),
    )
    def test_token_routes_answer_4xx(self, token, rate):
        """Any token on the confirmation, NPS and CSAT links (and any rate): a 4xx, never a 500, nothing
        written."""
        partner = self.env["res.partner"].create({"name": "Fuzz Token", "email": "fuzz.token@example.com"})
        ticket = self.env["crm.feedback.ticket"].create(
            {
                "subject": "T",
                "description": "<p>x</p>",
                "email_from": "a@b.example",
                "channel": "web",
                "verified": False,
            }
        )
        ticket._confirmation_token()
        survey = self.env["crm.feedback.nps.request"].create({"partner_id": partner.id})
        path = quote(token, safe="")
        with mute_logger("odoo.http", "odoo.sql_db"):
            for url, data in (
                (f"/feedback/confirm/{path}", None),
                (f"/feedback/confirm/{path}", {"csrf_token": self.token}),
                (f"/feedback/nps/{path}", {"csrf_token": self.token, "score": "5"}),
                (f"/rate/{path}/{rate}", None),
                (f"/rate/{path}/submit_feedback", {"csrf_token": self.token, "rate": str(rate)}),
            ):
                resp = self.url_open(url, data=data)
                self.assertTrue(400 <= resp.status_code < 500, (url[:80], resp.status_code))
        ticket.invalidate_recordset()
        survey.invalidate_recordset()
        self.assertFalse(ticket.verified)
        self.assertFalse(survey.answer_id)


@tagged("post_install", "-at_install")
class TestPortalFuzz(HttpCase):
    """The portal form with random fields and files, and random ticket ids: never another customer's ticket,
    never a server error, never a file that is not an allowed kind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        mine = env["res.partner"].create({"name": "Fuzz Mine", "email": "fuzz.mine@example.com"})
        other = env["res.partner"].create({"name": "Fuzz Other", "email": "fuzz.other@example.com"})
        new_test_user(
            env,
            login="fuzz_portal",
            password="fuzz_portal_1",
            groups="base.group_portal",
            partner_id=mine.id,
            email=mine.email,
        )
        cls.secret = env["crm.feedback.ticket"].create(
            {"subject": "Other's secret", "description": "<p>hidden</p>", "partner_id": other.id}
        )
        env["ir.config_parameter"].sudo().set_param("crm_feedback.limit_per_address", "0")

    def setUp(self):
        super().setUp()
        self.authenticate("fuzz_portal", "fuzz_portal_1")
        page = self.url_open("/my/feedback/new")
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    @settings(**SETTLE)
    @given(
        subject=TEXT,
        description=TEXT,
        sale_order_id=st.one_of(st.integers(-(2**63), 2**63).map(str), TEXT),
        files=st.lists(
            st.tuples(
                TEXT.map(lambda n: n[:200] or "f"),
                st.one_of(
                    st.binary(max_size=64),
                    st.sampled_from([b"\x89PNG\r\n\x1a\n1234", b"%PDF-1.7", b"<svg onload=alert(1)>", b"MZ\x90"]),
                ),
            ),
            max_size=7,
        ),
    )
    def test_random_portal_submissions(self, subject, description, sale_order_id, files):
        before = self.env["crm.feedback.ticket"].search([], order="id desc", limit=1).id
        resp = self.url_open(
            "/my/feedback/new",
            data={
                "csrf_token": self.token,
                "subject": subject,
                "description": description,
                "sale_order_id": sale_order_id,
            },
            files=[("attachments", (name, data, "application/octet-stream")) for name, data in files],
        )
        self.assertLess(resp.status_code, 500, resp.text[:300])  # a form error, or 400 for a broken upload
        created = self.env["crm.feedback.ticket"].search([("id", ">", before)])
        self.assertLessEqual(len(created), 1)
        if created:
            self.assertNotIn("\x00", subject + description)
            self.assertLessEqual(len(files), uploads.MAX_FILES)
            attachments = self.env["ir.attachment"].search(
                [("res_model", "=", created._name), ("res_id", "=", created.id)]
            )
            self.assertEqual(len(attachments), len([f for f in files if f[0]]))
            self.assertLessEqual(
                set(attachments.mapped("mimetype")), {"image/png", "image/jpeg", "image/webp", "application/pdf"}
            )

    @settings(**SETTLE)
    @given(ticket_id=st.integers(-(2**31), 2**31 - 1), access_token=st.one_of(st.none(), PATH_TEXT))
    def test_random_ticket_ids_show_nothing_foreign(self, ticket_id, access_token):
        for guessed in (ticket_id, self.secret.id):
            query = f"?access_token={quote(access_token, safe='')}" if access_token is not None else ""
            with mute_logger("odoo.http"):
                resp = self.url_open(f"/my/feedback/{guessed}{query}")
            self.assertLess(resp.status_code, 500)
            self.assertNotIn("Other&#39;s secret", resp.text)
            self.assertNotIn("Other's secret", resp.text)
