from odoo import fields, models
from odoo.tools import SQL


class CrmServiceRecoveryReport(models.Model):
    """Did customers who received goodwill after a service failure buy again within 90 days, compared
    with those who did not?  One row per failure: a ticket with a breached SLA, a CSAT of 1-2 or
    strongly negative sentiment, or an NPS detractor answer."""

    _name = "crm.service.recovery.report"
    _description = "Service Recovery Effect"
    _auto = False
    _order = "event_date desc"
    _rec_name = "partner_id"
    _depends = {
        "crm.feedback.ticket": ["commercial_partner_id", "company_id", "sla_breached", "sentiment_score", "date_open"],
        "crm.feedback.nps": ["commercial_partner_id", "company_id", "score", "date"],
        "crm.loyalty.goodwill": ["ticket_id", "nps_id", "state"],
        "rating.rating": ["rating", "res_model", "res_id", "consumed"],
        "crm.sales.fact": ["partner_id", "company_id", "date", "invoice_count"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    ticket_id = fields.Many2one("crm.feedback.ticket", readonly=True)
    nps_id = fields.Many2one("crm.feedback.nps", string="NPS Answer", readonly=True)
    event_date = fields.Date(string="Failure Date", readonly=True)
    recovered = fields.Boolean(string="Goodwill Given", readonly=True)
    recovery = fields.Selection(
        [("goodwill", "Goodwill Given"), ("none", "No Goodwill")],
        readonly=True,
        help="Whether approved goodwill points made up for the failure: the rows of the report are compared "
        "by it (a bare Yes/No would not say what was answered).",
    )
    bought_again = fields.Boolean(string="Bought Again within 90 Days", readonly=True)
    rebuy_rate = fields.Float(string="Repurchase Rate (%)", readonly=True, aggregator="avg")
    failure_count = fields.Integer(string="Failures", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH failures AS (
                SELECT t.commercial_partner_id AS partner_id, t.company_id, t.id AS ticket_id,
                       NULL::integer AS nps_id, t.date_open::date AS event_date
                  FROM crm_feedback_ticket t
                  JOIN res_company c ON c.id = t.company_id
                 WHERE t.commercial_partner_id IS NOT NULL
                   AND (t.sla_breached OR t.sentiment_score <= c.goodwill_sentiment_threshold
                        OR EXISTS (SELECT 1 FROM rating_rating r
                                    WHERE r.res_model = 'crm.feedback.ticket' AND r.res_id = t.id
                                      AND r.consumed AND r.rating > 0 AND r.rating <= 2))
                UNION ALL
                SELECT n.commercial_partner_id, n.company_id, NULL, n.id, n.date
                  FROM crm_feedback_nps n
                 WHERE n.score <= 6 AND n.commercial_partner_id IS NOT NULL
            )
            -- the key of the row (its ticket, even ids, or its NPS answer, odd ids): the same failure keeps its
            -- id from one read to the next, whatever the order, filter or other failures
            SELECT COALESCE(f.ticket_id::bigint * 2, f.nps_id::bigint * 2 + 1) AS id,
                   f.partner_id, f.company_id, f.ticket_id, f.nps_id, f.event_date, 1 AS failure_count,
                   EXISTS (SELECT 1 FROM crm_loyalty_goodwill g
                            WHERE g.state = 'approved'
                              AND (g.ticket_id = f.ticket_id OR g.nps_id = f.nps_id)) AS recovered,
                   CASE WHEN EXISTS (SELECT 1 FROM crm_loyalty_goodwill g
                            WHERE g.state = 'approved'
                              AND (g.ticket_id = f.ticket_id OR g.nps_id = f.nps_id))
                        THEN 'goodwill' ELSE 'none' END AS recovery,
                   rebuy.bought_again,
                   CASE WHEN rebuy.bought_again THEN 100.0 ELSE 0.0 END AS rebuy_rate
              FROM failures f
              -- a purchase in the 90 days after the failure: a day of the customer figures with an invoice
             CROSS JOIN LATERAL (
                   SELECT EXISTS (SELECT 1 FROM (%(days)s) d
                                   WHERE d.partner_id = f.partner_id AND d.company_id = f.company_id
                                     AND d.invoice_count > 0 AND d.date > f.event_date
                                     AND d.date <= f.event_date + %(window)s) AS bought_again
             ) rebuy
            """,
            days=self.env["crm.sales.fact"]._daily_rows_sql(),
            window=90,
        )
