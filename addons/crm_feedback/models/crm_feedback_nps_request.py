import secrets
from datetime import timedelta

from odoo import api, fields, models

DEFAULT_INTERVAL_DAYS = 90
VALID_DAYS = 30  # a survey link expires a month after it was sent
MAX_TOKEN_LENGTH = 64


class CrmFeedbackNpsRequest(models.Model):
    """One NPS survey sent to a customer: a private link answered at most once."""

    _name = "crm.feedback.nps.request"
    _description = "NPS Survey Request"
    _order = "sent_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", store=True, index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    access_token = fields.Char(required=True, copy=False, readonly=True, default=lambda self: secrets.token_urlsafe(24))
    sent_date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    trigger = fields.Selection(
        [("manual", "Sent by hand"), ("payment", "Invoice paid")], default="manual", required=True, readonly=True
    )
    answer_id = fields.Many2one("crm.feedback.nps", readonly=True, ondelete="set null")
    score = fields.Integer(related="answer_id.score")
    state = fields.Selection(
        [("sent", "Sent"), ("answered", "Answered")], compute="_compute_state", store=True, index=True
    )

    _sql_constraints = [("token_uniq", "UNIQUE(access_token)", "A survey link is unique.")]

    @api.depends("answer_id")
    def _compute_state(self):
        for request in self:
            request.state = "answered" if request.answer_id else "sent"

    @api.model
    def _from_token(self, token):
        """The survey a link's token opens: known, unanswered and sent less than VALID_DAYS ago; else empty.
        Unknown, answered and expired tokens all look the same (no oracle)."""
        if not token or len(token) > MAX_TOKEN_LENGTH or "\x00" in token:
            return self.browse()
        # sudo: the visitor proves the survey is theirs with the link's random token, nothing else is readable
        return self.sudo().search(
            [
                ("access_token", "=", token),
                ("answer_id", "=", False),
                ("sent_date", ">=", fields.Datetime.now() - timedelta(days=VALID_DAYS)),
            ],
            limit=1,
        )

    def _survey_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/feedback/nps/{self.access_token}"

    @api.model
    def _interval_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param("crm_feedback.nps_interval_days")
        try:
            return max(int(value), 0) if value else DEFAULT_INTERVAL_DAYS
        except ValueError:
            return DEFAULT_INTERVAL_DAYS

    @api.model
    def _send(self, partners, trigger="manual"):
        """Survey these customers, skipping those without an email address or without e-mail marketing consent
        (a survey of the relationship, not an answer to their own request) and those surveyed in the last N days
        (``crm_feedback.nps_interval_days``, 90 by default, 0 for no limit). Returns the new requests."""
        partners = partners.filtered("email")._crm_filter_consenting("email")
        if not partners:
            return self
        interval = self._interval_days()  # 0: no limit
        recent = self.env["res.partner"]
        if interval:
            recent = self.search(
                [
                    ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                    ("sent_date", ">=", fields.Datetime.now() - timedelta(days=interval)),
                ]
            ).commercial_partner_id
        targets, seen = self.env["res.partner"], set(recent.ids)
        for partner in partners:
            if partner.commercial_partner_id.id not in seen:
                seen.add(partner.commercial_partner_id.id)
                targets |= partner
        requests = self.create([{"partner_id": p.id, "trigger": trigger} for p in targets])
        template = self.env.ref("crm_feedback.mail_template_nps_request")
        for survey in requests:
            template.send_mail(survey.id, force_send=False, email_layout_xmlid="mail.mail_notification_light")
        return requests

    @api.model
    def _cron_after_payment(self):
        """Survey the customers whose invoices were paid since yesterday (at most once per interval)."""
        since = fields.Datetime.now() - timedelta(days=1)
        invoices = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("paid", "in_payment")),
                ("write_date", ">=", since),
                ("company_id", "=", self.env.company.id),
            ]
        )
        return self._send(invoices.partner_id, trigger="payment")

    def _answer(self, score, comment):
        """Record the customer's answer (once); the caller validated the input."""
        self.ensure_one()
        Nps = self.env["crm.feedback.nps"].with_company(self.company_id)
        vals = Nps._nps_answer_context_values(self.partner_id)
        vals.update(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "score": score,
                "comment": comment or False,
            }
        )
        answer = Nps.create(vals)
        self.answer_id = answer
        return answer
