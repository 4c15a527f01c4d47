import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import HttpCase, tagged

PAYLOAD = "<script>alert('x')</script>"


@tagged("post_install", "-at_install")
class TestPublicFormFuzz(HttpCase):
    """Property: whatever a visitor posts to the public form, the answer is a clean page (never a server
    error), no markup of theirs comes back unescaped, and a stored ticket never holds raw markup."""

    def setUp(self):
        super().setUp()
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
