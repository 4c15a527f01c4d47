import base64
import re
import secrets
from datetime import timedelta

from odoo import fields
from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import hash_sign

from ..controllers.portal import TOKEN_GUESSES
from ..models.crm_feedback_ticket import CONFIRM_SCOPE
from ..tools.throttle import FailureThrottle

BRUTE_FORCE = 100  # per link kind: 300 requests in all


@tagged("post_install", "-at_install")
class TestFeedbackTokens(HttpCase):
    """Issue 18, item 4: confirmation, NPS and CSAT links are unguessable, single-purpose, expire, and an
    unknown, expired or used token gets the very same 404."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Ticket = env["crm.feedback.ticket"]
        cls.customer = env["res.partner"].create({"name": "Token Co", "email": "token@co.example"})
        cls.solved = env.ref("crm_feedback.stage_solved")

    def setUp(self):
        super().setUp()
        TOKEN_GUESSES.reset()  # the guess counter lives in the server's memory, across tests
        self.addCleanup(TOKEN_GUESSES.reset)

    def _csrf(self):
        return re.search(r'name="csrf_token" value="([^"]+)"', self.url_open("/feedback").text).group(1)

    def _unverified(self):
        return self.Ticket.create(
            {
                "subject": "Who am I",
                "description": "<p>x</p>",
                "email_from": "token@co.example",
                "channel": "web",
                "verified": False,
            }
        )

    def _same_404(self, responses):
        """The same status and page, but for the form protection token any page carries."""

        def page(resp):
            return re.sub(rb'csrf_token: "[^"]+"', b"", resp.content)

        first = page(responses[0])
        for resp in responses:
            self.assertEqual((resp.status_code, page(resp)), (404, first), resp.url)

    def test_confirmation_link(self):
        ticket = self._unverified()
        expired = ticket._confirmation_token(expiration=timedelta(hours=-1))
        nonce = ticket.sudo().verify_nonce
        self.assertEqual(len(base64.urlsafe_b64decode(nonce + "==")), 16, "a 128-bit nonce")
        other_scope = hash_sign(self.env, "crm_feedback.other", {"id": ticket.id, "nonce": nonce}, expiration_hours=1)
        forged = hash_sign(self.env, CONFIRM_SCOPE, {"id": ticket.id, "nonce": "guess"}, expiration_hours=1)
        superseded = ticket._confirmation_token()
        valid = ticket._confirmation_token()  # sending a new link retires the previous one
        flipped = valid[:-2] + ("A" if valid[-2] != "A" else "B") + valid[-1]
        with mute_logger("odoo.http"):
            refused = [
                self.url_open(f"/feedback/confirm/{token}")
                for token in (secrets.token_urlsafe(64), expired, other_scope, forged, superseded, flipped, "%00", "x")
            ]
            self.assertEqual(self.url_open(f"/feedback/confirm/{valid}").status_code, 200)
            self.url_open(f"/feedback/confirm/{valid}", data={"csrf_token": self._csrf()})
            ticket.invalidate_recordset()
            self.assertTrue(ticket.verified)
            used = [
                self.url_open(f"/feedback/confirm/{valid}"),
                self.url_open(f"/feedback/confirm/{valid}", data={"csrf_token": self._csrf()}),
            ]
        self._same_404(refused + used)

    def test_nps_link(self):
        Request = self.env["crm.feedback.nps.request"]
        fresh, old, answered = Request.create(
            [
                {"partner_id": self.customer.id},
                {"partner_id": self.customer.id, "sent_date": fields.Datetime.now() - timedelta(days=31)},
                {"partner_id": self.customer.id},
            ]
        )
        self.assertGreaterEqual(len(base64.urlsafe_b64decode(fresh.access_token + "==")) * 8, 128)
        self.url_open(f"/feedback/nps/{answered.access_token}", data={"csrf_token": self._csrf(), "score": "7"})
        answered.invalidate_recordset()
        self.assertEqual(answered.score, 7)
        self.assertEqual(self.url_open(f"/feedback/nps/{fresh.access_token}").status_code, 200)
        self._same_404(
            [
                self.url_open(f"/feedback/nps/{secrets.token_urlsafe(24)}"),
                self.url_open(f"/feedback/nps/{old.access_token}"),
                self.url_open(f"/feedback/nps/{answered.access_token}"),
                self.url_open(f"/feedback/nps/{old.access_token}", data={"csrf_token": self._csrf(), "score": "1"}),
            ]
        )
        old.invalidate_recordset()
        self.assertFalse(old.answer_id, "an expired link records nothing")

    def test_csat_link(self):
        fresh, old, used, reopened = self.Ticket.create(
            [{"subject": f"CSAT {i}", "description": "<p>x</p>", "partner_id": self.customer.id} for i in range(4)]
        )
        (fresh | old | used | reopened).stage_id = self.solved
        old.date_closed = fields.Datetime.now() - timedelta(days=31)
        reopened.stage_id = self.env.ref("crm_feedback.stage_in_progress")
        token = fresh.rating_ids.access_token
        self.assertGreaterEqual(len(token), 43, "256 random bits, not core's uuid4")
        self.assertEqual(self.url_open(f"/rate/{token}/5").status_code, 200)
        csrf = self._csrf()
        self.url_open(f"/rate/{used.rating_ids.access_token}/submit_feedback", data={"csrf_token": csrf, "rate": "5"})
        self.assertTrue(used.rating_ids.consumed)
        with mute_logger("odoo.http"):
            self._same_404(
                [
                    self.url_open(f"/rate/{secrets.token_urlsafe(32)}/5"),
                    self.url_open(f"/rate/{old.rating_ids.access_token}/5"),
                    self.url_open(f"/rate/{used.rating_ids.access_token}/1"),
                    self.url_open(f"/rate/{reopened.rating_ids.access_token}/1"),
                    self.url_open(
                        f"/rate/{old.rating_ids.access_token}/submit_feedback", data={"csrf_token": csrf, "rate": "1"}
                    ),
                    self.url_open(f"/rate/{token}/7"),
                    self.url_open(f"/rate/{token}/submit_feedback", data={"csrf_token": csrf, "rate": "x"}),
                ]
            )
        self.assertEqual((used.rating_ids.rating, old.rating_ids.consumed), (5, False), "nothing changed")

    def test_brute_force_finds_nothing(self):
        """BRUTE_FORCE random tokens of the real shape on each link kind: nothing found, nothing written; after
        60 failures the client gets 429 for any token, a valid one included (no oracle)."""
        ticket = self._unverified()
        valid = ticket._confirmation_token()
        survey = self.env["crm.feedback.nps.request"].create({"partner_id": self.customer.id})
        closed = self.Ticket.create({"subject": "Rated", "description": "<p>x</p>", "partner_id": self.customer.id})
        closed.stage_id = self.solved
        answers = self.env["crm.feedback.nps"].search_count([])
        statuses = []
        with mute_logger("odoo.http"):
            for _i in range(BRUTE_FORCE):
                guess = valid[: len(valid) - 43] + secrets.token_urlsafe(32)  # real payload, forged signature
                statuses.append(self.url_open(f"/feedback/confirm/{guess}").status_code)
                statuses.append(self.url_open(f"/feedback/nps/{secrets.token_urlsafe(24)}").status_code)
                statuses.append(self.url_open(f"/rate/{secrets.token_urlsafe(32)}/1").status_code)
            self.assertEqual(statuses[:60], [404] * 60)
            self.assertEqual(set(statuses[60:]), {429}, "rate-limited")
            for url in (f"/feedback/confirm/{valid}", f"/feedback/nps/{survey.access_token}"):
                self.assertEqual(self.url_open(url).status_code, 429, "a valid link too: no oracle")
        ticket.invalidate_recordset()
        closed.invalidate_recordset()
        self.assertFalse(ticket.verified)
        self.assertFalse(closed.rating_ids.consumed)
        self.assertEqual(self.env["crm.feedback.nps"].search_count([]), answers)
        self.assertFalse(survey.answer_id)
        TOKEN_GUESSES.reset()  # ten minutes later
        self.assertEqual(self.url_open(f"/feedback/nps/{survey.access_token}").status_code, 200)


@tagged("post_install", "-at_install")
class TestFailureThrottle(BaseCase):
    def test_window_and_keys(self):
        throttle = FailureThrottle(limit=3, window=600, max_keys=10)
        for t in (0, 1, 2):
            self.assertFalse(throttle.blocked("a", now=t))
            throttle.fail("a", now=t)
        self.assertTrue(throttle.blocked("a", now=3))
        self.assertFalse(throttle.blocked("b", now=3), "per key")
        self.assertFalse(throttle.blocked("a", now=600.5), "the oldest failure left the window")
        for i in range(20):
            throttle.fail(f"k{i}", now=700 + i)
        self.assertLessEqual(len(throttle._failures), 10, "bounded memory")
