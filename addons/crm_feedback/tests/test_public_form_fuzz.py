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
        # NUL bytes are refused by HTTP libraries before reaching Odoo
        strip = lambda value: value.replace("\x00", "")
        before = self.env["crm.feedback.ticket"].search([], order="id desc", limit=1).id or 0
        resp = self.url_open(
            "/feedback",
            data={
                "csrf_token": self.token,
                "email": strip(email),
                "subject": strip(subject),
                "description": strip(description),
                "ticket_type": strip(ticket_type),
                "name": strip(name),
            },
        )
        self.assertEqual(resp.status_code, 200, resp.text[:500])
        self.assertNotIn(PAYLOAD, resp.text)
        created = self.env["crm.feedback.ticket"].search([("id", ">", before)])
        for ticket in created:
            self.assertEqual(ticket.channel, "web")
            self.assertNotIn("<script", ticket.description or "")
            self.assertLessEqual(len(ticket.subject), 200)
