from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .crm_privacy_erasure_request import ERASED_TEXT

# per kind of data: the company setting (days, 0 = keep) and what is anonymised
KINDS = ("tickets", "nps", "csat")


class CrmPrivacyRetention(models.AbstractModel):
    """The retention of the texts customers wrote: after the company's period, what they wrote is replaced by a
    marker (not deleted: counts, scores, dates and sentiment stay), by a batched, resumable cron.

    - tickets closed for more than ``privacy_ticket_retention_days``: subject, description, sender fields, the
      bodies of their e-mails and comments and the tracked values of the subject;
    - NPS answers older than ``privacy_nps_retention_days`` (their date): the comment;
    - CSAT ratings of tickets given more than ``privacy_csat_retention_days`` ago: the comment and the message
      that quoted it.

    A batch picks the oldest rows still holding text (ticket: not yet flagged ``privacy_anonymised``), so a run
    that stopped goes on where it left off; the access log has its own retention (``crm.privacy.access.log``)."""

    _name = "crm.privacy.retention"
    _description = "Customer Relations: Retention of Personal Data"

    @api.model
    def _candidates_query(self, kind, limit=None):
        """SQL of the ids of ``kind`` past their company's retention, oldest first (``limit`` of them)."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        if kind == "tickets":
            query = SQL(
                """SELECT t.id FROM crm_feedback_ticket t JOIN res_company c ON c.id = t.company_id
                    WHERE c.privacy_ticket_retention_days > 0 AND t.is_closed
                      AND NOT COALESCE(t.privacy_anonymised, FALSE)
                      AND t.date_closed < %s - c.privacy_ticket_retention_days * INTERVAL '1 day'
                    ORDER BY t.date_closed, t.id""",
                now,
            )
        elif kind == "nps":
            query = SQL(
                """SELECT n.id FROM crm_feedback_nps n JOIN res_company c ON c.id = n.company_id
                    WHERE c.privacy_nps_retention_days > 0 AND COALESCE(n.comment, '') NOT IN ('', %s)
                      AND n.date < %s::date - c.privacy_nps_retention_days
                    ORDER BY n.date, n.id""",
                ERASED_TEXT,
                today,
            )
        else:
            query = SQL(
                """SELECT r.id FROM rating_rating r
                     JOIN crm_feedback_ticket t ON r.res_model = 'crm.feedback.ticket' AND t.id = r.res_id
                     JOIN res_company c ON c.id = t.company_id
                    WHERE c.privacy_csat_retention_days > 0 AND r.consumed
                      AND COALESCE(r.feedback, '') NOT IN ('', %s)
                      AND r.write_date < %s - c.privacy_csat_retention_days * INTERVAL '1 day'
                    ORDER BY r.write_date, r.id""",
                ERASED_TEXT,
                now,
            )
        return SQL("%s LIMIT %s", query, limit) if limit else query

    @api.model
    def _candidates(self, kind, limit=None):
        self.env.flush_all()
        return [row[0] for row in self.env.execute_query(self._candidates_query(kind, limit))]

    @api.model
    def _remaining(self):
        self.env.flush_all()
        return sum(
            self.env.execute_query(SQL("SELECT COUNT(*) FROM (%s) q", self._candidates_query(kind)))[0][0]
            for kind in KINDS
        )

    @api.model
    def _anonymise(self, batch_size=500):
        """Anonymise one batch of each kind; returns (done, remaining)."""
        # sudo: the retention applies to every company's data whoever runs it (the cron's user); it only
        # replaces texts past the period each company set, never reads them out
        env_sudo = self.sudo().with_context(active_test=False, tracking_disable=True).env
        done = 0
        tickets = env_sudo["crm.feedback.ticket"].browse(self._candidates("tickets", batch_size))
        done += self._anonymise_tickets(tickets)
        answers = env_sudo["crm.feedback.nps"].browse(self._candidates("nps", batch_size))
        for answer in answers:
            # the sentiment as analysed, in the same write: protected from recomputation on the marker
            answer.write(
                {"comment": ERASED_TEXT, "sentiment_score": answer.sentiment_score, "sentiment": answer.sentiment}
            )
        done += len(answers)
        ratings = env_sudo["rating.rating"].browse(self._candidates("csat", batch_size))
        ratings.write({"feedback": ERASED_TEXT})
        quoted = ratings.message_id.filtered("body")
        quoted.write({"body": Markup("<p>%s</p>") % ERASED_TEXT})
        done += len(ratings)
        return done, self._remaining()

    @api.model
    def _anonymise_tickets(self, tickets):
        # the subjects as they were: the messages sent about the ticket quote them (the satisfaction request)
        replacements = sorted(
            {(subject, ERASED_TEXT) for subject in tickets.mapped("subject") if subject and len(subject.strip()) >= 3},
            key=lambda pair: -len(pair[0]),
        )
        tickets._privacy_erase_texts({"privacy_anonymised": True})
        if not tickets:
            return 0
        messages = tickets.env["mail.message"].search(
            [
                ("model", "=", "crm.feedback.ticket"),
                ("res_id", "in", tickets.ids),
                ("message_type", "in", ("email", "comment", "email_outgoing")),
                ("body", "!=", False),
            ]
        )
        messages.write({"body": Markup("<p>%s</p>") % ERASED_TEXT})
        self._anonymise_quotes(tickets, replacements)
        trackings = tickets.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "crm.feedback.ticket"),
                ("mail_message_id.res_id", "in", tickets.ids),
                ("field_id.name", "=", "subject"),
            ]
        )
        trackings.write({"old_value_char": ERASED_TEXT, "new_value_char": ERASED_TEXT})
        return len(tickets)

    @api.model
    def _anonymise_quotes(self, tickets, replacements):
        """The other messages of the tickets (notifications such as the satisfaction request), their queued
        e-mails and the composers that wrote them: the old subjects replaced by the marker."""
        Erasure = tickets.env["crm.privacy.erasure.request"]
        messages = tickets.env["mail.message"].search(
            [("model", "=", "crm.feedback.ticket"), ("res_id", "in", tickets.ids)]
        )
        for message in messages:
            vals = {}
            for name in ("body", "subject", "record_name"):
                new = Erasure._replace(message[name], replacements)
                if new != message[name]:
                    vals[name] = new
            if vals:
                message.write(vals)
        mails = tickets.env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
        for mail in mails:
            vals = {}
            for name in ("body_html", "subject"):
                new = Erasure._replace(mail[name], replacements)
                if new != mail[name]:
                    vals[name] = new
            if vals:
                mail.write(vals)
        # the composers (transient, vacuumed within hours) go now
        composers = tickets.env["mail.compose.message"].search([("model", "=", "crm.feedback.ticket")])
        composers.filtered(
            lambda composer: (
                Erasure._replace(composer.body, replacements) != composer.body
                or Erasure._replace(composer.subject, replacements) != composer.subject
            )
        ).unlink()

    @api.model
    def _cron_anonymise(self, batch_size=500):
        """One batch per call under the cron runner, which commits it and calls again while rows remain (a crash
        loses nothing committed, a re-run goes on where it stopped); every batch otherwise (tests, shell)."""
        if self.env.context.get("ir_cron_progress_id"):
            done, remaining = self._anonymise(batch_size)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            return
        while self._anonymise(batch_size)[1]:
            pass


class CrmFeedbackTicket(models.Model):
    _inherit = "crm.feedback.ticket"

    privacy_anonymised = fields.Boolean(
        string="Anonymised",
        readonly=True,
        copy=False,
        help="The texts of this ticket were replaced by a marker after the company's retention period.",
    )

    def _privacy_erase_texts(self, extra_vals=None):
        """Replace the personal texts of these tickets by the marker (subject, description, sender, cc,
        contact name, IP); the sentiment as analysed is kept (statistics stay): written back after the
        description, since the ticket analyses a new description again. Used by the erasure and by the
        retention cron; ``extra_vals`` are written with the texts."""
        for ticket in self:
            sentiment = {"sentiment_score": ticket.sentiment_score, "sentiment": ticket.sentiment}
            ticket.write(
                {
                    "subject": ERASED_TEXT,
                    "description": Markup("<p>%s</p>") % ERASED_TEXT,
                    "email_from": False,
                    "email_cc": False,
                    "contact_name": False,
                    "submitted_ip": False,
                    **(extra_vals or {}),
                }
            )
            ticket.write(sentiment)
