from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import PrivacyCommon

MARKER = "[erased]"


@tagged("post_install", "-at_install")
class TestRetention(PrivacyCommon):
    """Texts past their company's retention are replaced by a marker, batch after batch; dates relative to
    today (no clock frozen: the rows' dates are written relative to the Python clock the cron reads)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Retention = cls.env["crm.privacy.retention"]
        # a company of its own: the other companies' data (0 = kept by default) never enters the counts
        cls.shop = cls.env["res.company"].create(
            {
                "name": "Retention Shop",
                "privacy_ticket_retention_days": 30,
                "privacy_nps_retention_days": 90,
                "privacy_csat_retention_days": 60,
            }
        )
        cls.solved = cls.env.ref("crm_feedback.stage_solved")
        cls.now = fields.Datetime.now()
        cls.today = fields.Date.context_today(cls.env.user)

    def _ticket(self, closed_days_ago=None, company=None, text="My neighbour Li Wei broke it"):
        ticket = self.env["crm.feedback.ticket"].create(
            {
                "subject": f"Complaint of {text}",
                "description": f"<p>{text}</p>",
                "partner_id": self.contact.id,
                "email_from": "wang.fang@example.com",
                "submitted_ip": "198.51.100.7",
                "company_id": (company or self.shop).id,
            }
        )
        ticket.message_post(body=f"Reply about {text}", message_type="comment")
        if closed_days_ago is not None:
            ticket.stage_id = self.solved
            ticket.date_closed = self.now - timedelta(days=closed_days_ago)
        return ticket

    def _nps(self, days_ago, company=None, comment="Li Wei at the counter was rude"):
        return self.env["crm.feedback.nps"].create(
            {
                "partner_id": self.contact.id,
                "company_id": (company or self.shop).id,
                "score": 3,
                "comment": comment,
                "date": self.today - timedelta(days=days_ago),
            }
        )

    def _rating(self, ticket, days_ago, feedback="Thanks to Li Wei"):
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("crm.feedback.ticket"),
                "res_id": ticket.id,
                "partner_id": self.contact.id,
                "rating": 4,
                "feedback": feedback,
                "consumed": True,
            }
        )
        self.env.flush_all()
        # when the customer rated: the rating's own date (its write date), set as the rating form would have
        self.env.cr.execute(
            SQL(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s", self.now - timedelta(days=days_ago), rating.id
            )
        )
        rating.invalidate_recordset()
        return rating

    def _bodies(self, ticket):
        return ticket.message_ids.filtered(lambda m: m.message_type == "comment").mapped("body")

    def test_texts_past_retention_are_anonymised(self):
        old_ticket = self._ticket(closed_days_ago=40)
        recent_ticket = self._ticket(closed_days_ago=20)
        open_ticket = self._ticket()
        open_ticket.date_open = self.now - timedelta(days=400)
        old_nps, recent_nps = self._nps(100), self._nps(80)
        old_rating, recent_rating = self._rating(recent_ticket, 70), self._rating(recent_ticket, 50)
        elsewhere = self.env["res.company"].create({"name": "Keeps Everything"})
        kept_ticket = self._ticket(closed_days_ago=4000, company=elsewhere)
        kept_nps = self._nps(4000, company=elsewhere)
        old_ticket.write({"sentiment_score": -0.7, "sentiment": "negative"})

        self.Retention._cron_anonymise(batch_size=1)

        self.assertEqual(old_ticket.subject, MARKER)
        self.assertIn(MARKER, old_ticket.description)
        self.assertNotIn("Li Wei", old_ticket.description)
        self.assertFalse(old_ticket.email_from)
        self.assertFalse(old_ticket.submitted_ip)
        self.assertTrue(old_ticket.privacy_anonymised)
        self.assertTrue(all(MARKER in body for body in self._bodies(old_ticket)))
        self.assertEqual((old_ticket.sentiment_score, old_ticket.sentiment), (-0.7, "negative"), "the analysis stays")
        self.assertEqual(old_ticket.partner_id, self.contact, "the ticket still counts for its customer")
        self.assertEqual((old_nps.comment, old_nps.score), (MARKER, 3))
        self.assertEqual((old_rating.feedback, old_rating.rating), (MARKER, 4))
        for ticket in (recent_ticket, open_ticket, kept_ticket):
            self.assertIn("Li Wei", ticket.description)
            self.assertIn("Li Wei", ticket.subject)
            self.assertFalse(ticket.privacy_anonymised)
            self.assertEqual(ticket.submitted_ip, "198.51.100.7")
        self.assertEqual(recent_nps.comment, "Li Wei at the counter was rude")
        self.assertEqual(kept_nps.comment, "Li Wei at the counter was rude", "0 days: kept")
        self.assertEqual(recent_rating.feedback, "Thanks to Li Wei")
        self.assertEqual(self.Retention._remaining(), 0)

    def test_retention_leaves_no_quote_of_the_ticket(self):
        """The satisfaction request sent at closing quotes the subject in its message, its queued e-mail and
        its composer; the copied addresses (email_cc) are personal too: none of it stays past the retention."""
        ticket = self._ticket(closed_days_ago=40)
        ticket.email_cc = "neighbour.li.wei@example.com"
        self.env.flush_all()
        messages = self.env["mail.message"].search([("model", "=", ticket._name), ("res_id", "=", ticket.id)])
        quoting = messages.filtered(lambda message: "Li Wei" in (message.body or ""))
        self.assertIn("is solved", "".join(quoting.mapped("body")), "the satisfaction request quotes the subject")

        self.Retention._cron_anonymise()

        self.assertFalse(ticket.email_cc)
        messages = self.env["mail.message"].search([("model", "=", ticket._name), ("res_id", "=", ticket.id)])
        for name in ("body", "subject", "record_name"):
            self.assertFalse([value for value in messages.mapped(name) if value and "Li Wei" in value], name)
        mails = self.env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
        self.assertFalse([body for body in mails.mapped("body_html") if body and "Li Wei" in body])
        composers = self.env["mail.compose.message"].search([("body", "ilike", "Li Wei")])
        self.assertFalse(composers)

    def test_batches_resume_where_they_stopped(self):
        tickets = [self._ticket(closed_days_ago=40 + i) for i in range(3)]
        answers = [self._nps(100 + i) for i in range(2)]
        self.assertEqual(self.Retention._remaining(), 5)
        # one batch: the oldest of each kind
        self.assertEqual(self.Retention._anonymise(batch_size=1), (2, 3))
        self.assertTrue(tickets[2].privacy_anonymised)
        self.assertEqual(answers[1].comment, MARKER)
        self.assertFalse(tickets[0].privacy_anonymised)
        # a run stopped there (a crash, a timeout) goes on with what is left, never twice the same rows
        self.assertEqual(self.Retention._anonymise(batch_size=1), (2, 1))
        self.assertEqual(self.Retention._anonymise(batch_size=5), (1, 0))
        self.assertEqual(self.Retention._anonymise(batch_size=5), (0, 0))
        self.assertTrue(all(ticket.privacy_anonymised for ticket in tickets))

    def test_cron_reports_progress_batch_by_batch(self):
        for i in range(3):
            self._nps(100 + i)
        cron = self.env.ref("crm_privacy.ir_cron_retention_anonymise")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        self.Retention.with_context(ir_cron_progress_id=progress.id)._cron_anonymise(batch_size=2)
        self.assertEqual((progress.done, progress.remaining), (2, 1), "one batch, the runner calls again")

    def test_negative_retention_refused(self):
        with self.assertRaises(ValidationError):
            self.shop.privacy_nps_retention_days = -1
