from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_feedback.models.crm_feedback_ticket import SLA_STATE_FIELDS

TARGETS = [("first_reply", "First Reply"), ("next_reply", "Next Reply"), ("resolution", "Resolution")]


class CrmFeedbackSlaCompliance(models.Model):
    """SLA compliance by team, customer segment and loyalty tier: one row per ticket and SLA target (first
    reply, next reply when a customer message started one, resolution). A target is met when reached on time,
    breached when flagged late; a running one counts in no rate. The segment and the tier are the customer's
    today (their RFM score and their active membership in the ticket's company)."""

    _name = "crm.feedback.sla.compliance"
    _description = "SLA Compliance"
    _auto = False
    _order = "date_open desc, ticket_id, target"
    _rec_name = "ticket_id"
    _depends = {
        "crm.feedback.ticket": [
            "commercial_partner_id",
            "company_id",
            "team_id",
            "user_id",
            "ticket_type",
            "priority",
            *SLA_STATE_FIELDS,
        ],
        "crm.rfm.score": ["partner_id", "company_id", "segment_id"],
        "crm.loyalty.membership": ["partner_id", "company_id", "state", "tier_id", "program_id"],
    }

    ticket_id = fields.Many2one("crm.feedback.ticket", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.feedback.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    sla_id = fields.Many2one("crm.feedback.sla", string="SLA Policy", readonly=True)
    ticket_type = fields.Selection(
        lambda self: self.env["crm.feedback.ticket"]._fields["ticket_type"].selection, string="Type", readonly=True
    )
    priority = fields.Selection(
        lambda self: self.env["crm.feedback.ticket"]._fields["priority"].selection, readonly=True
    )
    date_open = fields.Datetime(string="Received On", readonly=True)
    rfm_segment_id = fields.Many2one("crm.rfm.segment", string="RFM Segment", readonly=True)
    tier_id = fields.Many2one("crm.loyalty.tier", string="Loyalty Tier", readonly=True)
    target = fields.Selection(TARGETS, readonly=True)
    deadline = fields.Datetime(readonly=True)
    reached_on = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("paused", "Paused"), ("met", "Met"), ("breached", "Breached")],
        string="Status",
        readonly=True,
    )
    target_count = fields.Integer(string="Targets", readonly=True)
    met_count = fields.Integer(string="Met", readonly=True)
    breached_count = fields.Integer(string="Breached", readonly=True)
    compliance = fields.Float(
        string="Compliance (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the decided targets (met or breached) that were met; running targets are left out.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH targets AS (
                SELECT t.id AS ticket_id, 0 AS rank, 'first_reply' AS target,
                       t.sla_response_deadline AS deadline, t.date_first_response AS reached_on,
                       t.sla_response_breached AS breached,
                       t.date_first_response IS NOT NULL OR t.is_closed AS done
                  FROM crm_feedback_ticket t
                 WHERE t.sla_id IS NOT NULL AND t.sla_response_deadline IS NOT NULL
                UNION ALL
                SELECT t.id, 1, 'next_reply', t.sla_next_response_deadline,
                       CASE WHEN t.sla_next_response_start IS NULL THEN t.sla_next_response_reached END,
                       t.sla_next_response_breached,
                       t.sla_next_response_start IS NULL OR t.is_closed
                  FROM crm_feedback_ticket t
                 WHERE t.sla_id IS NOT NULL AND t.sla_next_response_deadline IS NOT NULL
                UNION ALL
                SELECT t.id, 2, 'resolution', t.sla_resolution_deadline,
                       CASE WHEN t.is_closed THEN t.date_closed END,
                       t.sla_resolution_breached, t.is_closed
                  FROM crm_feedback_ticket t
                 WHERE t.sla_id IS NOT NULL AND t.sla_resolution_deadline IS NOT NULL
            ), rows AS (
                SELECT x.*, CASE
                           WHEN x.breached THEN 'breached'
                           WHEN x.done THEN 'met'
                           WHEN t.sla_paused_since IS NOT NULL THEN 'paused'
                           ELSE 'running' END AS state,
                       t.company_id, t.team_id, t.user_id, t.commercial_partner_id AS partner_id, t.sla_id,
                       t.ticket_type, t.priority, t.date_open
                  FROM targets x
                  JOIN crm_feedback_ticket t ON t.id = x.ticket_id
            )
            -- the key of the row: its ticket and its target, stable from one read to the next
            SELECT r.ticket_id::bigint * 3 + r.rank AS id,
                   r.ticket_id, r.company_id, r.team_id, r.user_id, r.partner_id, r.sla_id, r.ticket_type,
                   r.priority, r.date_open, r.target, r.deadline, r.reached_on, r.state,
                   1 AS target_count,
                   CASE WHEN r.state = 'met' THEN 1 ELSE 0 END AS met_count,
                   CASE WHEN r.state = 'breached' THEN 1 ELSE 0 END AS breached_count,
                   CASE r.state WHEN 'met' THEN 100.0 WHEN 'breached' THEN 0.0 END AS compliance,
                   score.segment_id AS rfm_segment_id,
                   member.tier_id
              FROM rows r
              LEFT JOIN crm_rfm_score score
                     ON score.partner_id = r.partner_id AND score.company_id = r.company_id
              -- the customer's tier in the ticket's company: its first program by sequence
              LEFT JOIN LATERAL (
                   SELECT m.tier_id
                     FROM crm_loyalty_membership m
                     JOIN crm_loyalty_program p ON p.id = m.program_id
                    WHERE m.partner_id = r.partner_id AND m.company_id = r.company_id AND m.state = 'active'
                    ORDER BY p.sequence, p.id
                    LIMIT 1
              ) member ON TRUE
            """
        )
