from odoo import api, fields, models

# the ticket fields its handling cost is computed from (crm.sales.fact's source "tickets")
TICKET_COST_FIELDS = {"time_spent", "stage_id", "team_id", "partner_id", "company_id", "verified", "date_closed"}


class CrmFeedbackTicket(models.Model):
    _inherit = "crm.feedback.ticket"

    goodwill_ids = fields.One2many("crm.loyalty.goodwill", "ticket_id", string="Goodwill Proposals")
    crm_timesheet_ids = fields.One2many(
        "account.analytic.line",
        "crm_feedback_ticket_id",
        string="Timesheets",
        help="Time recorded on the ticket (hr_timesheet): when there is any, its hours are the ticket's handling "
        "time instead of Time Spent.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets.filtered("is_closed")._crm_enqueue_cost_to_serve()
        return tickets

    def write(self, vals):
        if not TICKET_COST_FIELDS.intersection(vals):
            return super().write(vals)
        before = self.commercial_partner_id
        res = super().write(vals)
        self.env["crm.figures.queue"]._enqueue(before | self.commercial_partner_id, "ticket")
        return res

    def _crm_enqueue_cost_to_serve(self):
        self.env["crm.figures.queue"]._enqueue(self.commercial_partner_id, "ticket")

    def _goodwill_events(self, trigger):
        return [
            {"partner": t.commercial_partner_id, "company": t.company_id, "trigger": trigger, "ticket": t}
            for t in self
            if t.commercial_partner_id and t.verified  # an unverified public ticket speaks for no customer
        ]

    @api.model
    def _cron_check_sla(self):
        late = super()._cron_check_sla()
        self.env["crm.loyalty.goodwill"]._propose(late._goodwill_events("sla_breach"))
        return late

    def _apply_sentiment(self):
        res = super()._apply_sentiment()
        negative = self.filtered(lambda t: t.sentiment_score <= t.company_id.goodwill_sentiment_threshold)
        self.env["crm.loyalty.goodwill"]._propose(negative._goodwill_events("negative_sentiment"))
        return res

    def rating_apply(self, rate, token=None, rating=None, feedback=None, subtype_xmlid=None, notify_delay_send=False):
        rating = super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        if 0 < rate <= 2:
            self.env["crm.loyalty.goodwill"]._propose(self._goodwill_events("low_csat"))
        return rating
