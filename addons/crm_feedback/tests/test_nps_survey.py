import re

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestNpsSurvey(HttpCase):
    """NPS surveys: sent at most once per interval, answered once through a private link, bad input
    refused cleanly with nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Request = env["crm.feedback.nps.request"]
        cls.company = env["res.partner"].create({"name": "NPS Co", "is_company": True, "email": "nps@co.example"})
        cls.buyer = env["res.partner"].create(
            {"name": "NPS Buyer", "parent_id": cls.company.id, "email": "buyer@co.example"}
        )
        cls.no_email = env["res.partner"].create({"name": "NPS Silent"})
        # an NPS survey is a marketing contact: the customers consent to e-mails
        (cls.company | cls.buyer | cls.no_email).write({"crm_consent_email": True})

    def _page(self, survey, score=None):
        query = f"?score={score}" if score is not None else ""
        return self.url_open(f"/feedback/nps/{survey.access_token}{query}")

    def _post(self, survey, **data):
        page = self.url_open("/feedback")  # a page with a form, whatever the survey's state
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(f"/feedback/nps/{survey.access_token}", data={"csrf_token": token, **data})

    def test_send_once_per_interval_with_the_link_queued(self):
        requests = self.Request._send(self.buyer | self.no_email | self.company)
        self.assertEqual(requests.partner_id, self.buyer, "one survey per customer, never without an email")
        mail = self.env["mail.mail"].search([("model", "=", "crm.feedback.nps.request"), ("res_id", "=", requests.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/feedback/nps/{requests.access_token}?score=10", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.buyer)
        self.assertFalse(self.Request._send(self.company), "surveyed in the last 90 days")
        self.env["ir.config_parameter"].sudo().set_param("crm_feedback.nps_interval_days", "0")
        self.assertTrue(self.Request._send(self.company))

    def test_no_survey_without_email_consent(self):
        self.buyer.crm_consent_email = False
        self.assertFalse(self.Request._send(self.buyer))
        self.assertEqual(self.Request._send(self.buyer | self.company).partner_id, self.company)
        # a blacklisted address counts as no consent
        self.env["ir.config_parameter"].sudo().set_param("crm_feedback.nps_interval_days", "0")
        self.env["mail.blacklist"].create({"email": "nps@co.example"})
        self.assertFalse(self.Request._send(self.company))

    def test_answer_once(self):
        survey = self.Request._send(self.buyer)
        page = self._page(survey, score=9)
        self.assertEqual(page.status_code, 200)
        self.assertIn('value="9" checked', page.text.replace('checked="checked"', "checked"))
        resp = self._post(survey, score="9", comment="Fast delivery, <b>great</b> staff")
        self.assertEqual(resp.status_code, 200)
        self.assertIn("Your answer has been recorded", resp.text)
        survey.invalidate_recordset()
        self.assertEqual(survey.state, "answered")
        self.assertRecordValues(
            survey.answer_id,
            [
                {
                    "score": 9,
                    "score_class": "promoter",
                    "partner_id": self.buyer.id,
                    "comment": "Fast delivery, <b>great</b> staff",
                }
            ],
        )
        again = self._post(survey, score="0", comment="changed my mind")
        self.assertEqual(again.status_code, 404, "a used link is like an unknown one")
        self.assertEqual(self.env["crm.feedback.nps"].search_count([("partner_id", "=", self.buyer.id)]), 1)

    def test_answer_records_the_customer_context(self):
        """An answer from the survey link carries the team serving the customer, the product category they
        bought most and their tags, as they were when they answered."""
        tag = self.env["res.partner.category"].create({"name": "NPS VIP"})
        self.company.category_id = tag
        team = self.env["crm.feedback.team"].create({"name": "NPS Care"})
        self.env["crm.feedback.ticket"].create(
            {"subject": "Old issue", "description": "<p>x</p>", "partner_id": self.buyer.id, "team_id": team.id}
        )
        chairs, lamps = self.env["product.category"].create([{"name": "NPS Chairs"}, {"name": "NPS Lamps"}])
        chair = self.env["product.product"].create({"name": "NPS Chair", "categ_id": chairs.id})
        lamp = self.env["product.product"].create({"name": "NPS Lamp", "categ_id": lamps.id})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.buyer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": chair.id, "quantity": 1, "price_unit": 100, "tax_ids": False}),
                    Command.create({"product_id": lamp.id, "quantity": 1, "price_unit": 300, "tax_ids": False}),
                ],
            }
        )
        invoice.action_post()
        survey = self.Request._send(self.buyer)
        self._post(survey, score="6", comment="Lamps flicker")
        survey.invalidate_recordset()
        answer = survey.answer_id
        self.assertRecordValues(
            answer, [{"team_id": team.id, "product_categ_id": lamps.id, "partner_category_ids": tag.ids}]
        )
        # as they were: later changes of the customer do not rewrite the answer
        self.company.category_id = False
        self.assertEqual(answer.partner_category_ids, tag)
        Nps = self.env["crm.feedback.nps"]
        self.assertEqual(Nps._nps([("team_id", "=", team.id), ("product_categ_id", "=", lamps.id)]), -100.0)

    def test_bad_input_is_refused_cleanly(self):
        survey = self.Request._send(self.buyer)
        Nps = self.env["crm.feedback.nps"]
        before = Nps.search_count([])
        for score in ("11", "-1", "abc", "", "9.5", "1" * 50, "²", "٣"):
            resp = self._post(survey, score=score, comment="<script>alert(1)</script>")
            self.assertEqual(resp.status_code, 200, score)
            self.assertIn("Choose a score from 0 to 10.", resp.text)
            self.assertNotIn("<script>alert(1)</script>", resp.text, "markup is escaped")
        resp = self._post(survey, score="7", comment="x" * 2001)
        self.assertIn("Keep the comment under 2000 characters.", resp.text)
        self.assertEqual(Nps.search_count([]), before, "nothing written")
        # another survey's token, a made-up token and a missing CSRF token
        self.assertEqual(self.url_open("/feedback/nps/not-a-real-token").status_code, 404)
        self.assertEqual(self.url_open("/feedback/nps/" + "x" * 300).status_code, 404)
        with mute_logger("odoo.http"):
            resp = self.url_open(f"/feedback/nps/{survey.access_token}", data={"score": "8"})
        self.assertIn(resp.status_code, (400, 403))
        self.assertEqual(Nps.search_count([]), before)

    def test_partner_action_and_cron_after_payment(self):
        action = self.buyer.action_send_nps_survey()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.Request.search([("partner_id", "=", self.buyer.id)]))
        payer = self.env["res.partner"].create(
            {"name": "NPS Payer", "email": "payer@co.example", "crm_consent_email": True}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": payer.id,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": 100, "tax_ids": False})
                ],
            }
        )
        invoice.action_post()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {}
        )._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        sent = self.Request._cron_after_payment()
        self.assertEqual(sent.partner_id, payer)
        self.assertEqual(sent.trigger, "payment")
        self.assertFalse(self.Request._cron_after_payment(), "the next day's run does not survey again")

    def test_rating_page_takes_only_its_own_token(self):
        """The CSAT link of a closed ticket rates that ticket only; a made-up or another ticket's token
        rates nothing."""
        stage_solved = self.env.ref("crm_feedback.stage_solved")
        Ticket = self.env["crm.feedback.ticket"]
        mine, other = Ticket.create(
            [
                {"subject": "Rate me", "description": "<p>x</p>", "partner_id": self.buyer.id},
                {"subject": "Not me", "description": "<p>y</p>", "partner_id": self.company.id},
            ]
        )
        (mine | other).stage_id = stage_solved
        token = mine.rating_ids.access_token
        self.assertTrue(token)
        self.assertEqual(self.url_open("/rate/not-a-token/5").status_code, 404)
        self.assertEqual(self.url_open(f"/rate/{token}/1").status_code, 200)  # the page, then the POST
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', self.url_open("/feedback").text).group(1)
        resp = self.url_open(
            f"/rate/{token}/submit_feedback", data={"csrf_token": csrf, "rate": "1", "feedback": "Too slow"}
        )
        self.assertEqual(resp.status_code, 200)
        with mute_logger("odoo.http"):
            self.assertEqual(
                self.url_open("/rate/not-a-token/submit_feedback", data={"csrf_token": csrf, "rate": "5"}).status_code,
                404,
            )
        mine.invalidate_recordset()
        other.invalidate_recordset()
        self.assertEqual(mine.rating_ids.rating, 1)
        self.assertTrue(mine.rating_ids.consumed)
        self.assertFalse(other.rating_ids.consumed, "another ticket's rating is untouched")
