from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

TRIGGERS = [
    ("sla_breach", "SLA breached"),
    ("low_csat", "CSAT of 1-2"),
    ("nps_detractor", "NPS detractor"),
    ("negative_sentiment", "Strongly negative sentiment"),
]


class CrmLoyaltyGoodwill(models.Model):
    """A goodwill gesture proposed after a service failure, approved or rejected by a Loyalty Manager.

    Approval posts a ``bonus`` ledger entry of kind ``goodwill`` with the reason, so the points flow
    into the liability accounting like any other earn.
    """

    _name = "crm.loyalty.goodwill"
    _description = "Goodwill Points Proposal"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reason",
        compute="_compute_name",
        search="_search_name",
        help="The failure and the ticket or NPS answer it happened on, in the reader's language.",
    )
    trigger = fields.Selection(TRIGGERS, required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    membership_id = fields.Many2one(
        "crm.loyalty.membership", required=True, readonly=True, check_company=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    ticket_id = fields.Many2one("crm.feedback.ticket", readonly=True, index="btree_not_null", ondelete="set null")
    nps_id = fields.Many2one(
        "crm.feedback.nps", string="NPS Answer", readonly=True, index="btree_not_null", ondelete="set null"
    )
    points = fields.Float(required=True, tracking=True)
    state = fields.Selection(
        [("proposed", "To Approve"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="proposed",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)
    entry_id = fields.Many2one("crm.loyalty.entry", string="Ledger Entry", readonly=True)

    _sql_constraints = [
        ("points_positive", "CHECK(points > 0)", "Goodwill points must be positive."),
        (
            "ticket_trigger_uniq",
            "UNIQUE(ticket_id, trigger)",
            "This ticket already has a goodwill proposal for this reason.",
        ),
        ("nps_uniq", "UNIQUE(nps_id)", "This NPS answer already has a goodwill proposal."),
    ]

    @api.depends_context("lang")
    @api.depends("trigger", "ticket_id", "nps_id", "partner_id")
    def _compute_name(self):
        """Rendered from the trigger and the record it happened on, so each reader sees it in their own
        language (a stored sentence kept the language of the job that proposed it)."""
        labels = dict(self._fields["trigger"]._description_selection(self.env))
        for goodwill in self:
            # sudo: only the label of the ticket or answer this proposal already points to, which a Loyalty
            # Manager without feedback rights could not otherwise name
            origin_sudo = (goodwill.ticket_id or goodwill.nps_id).sudo()
            goodwill.name = _(
                "%(trigger)s on %(origin)s",
                trigger=labels.get(goodwill.trigger, ""),
                origin=origin_sudo.display_name if origin_sudo else goodwill.partner_id.display_name,
            )

    def _search_name(self, operator, value):
        # sudo: matches ticket numbers only, for users who may read proposals but not tickets
        tickets = self.env["crm.feedback.ticket"].sudo()._search([("name", operator, value)])
        return ["|", ("partner_id.name", operator, value), ("ticket_id", "in", tickets)]

    @api.model
    def _propose(self, events):
        """Create proposals for service failures.

        :param events: list of dicts with ``partner`` (res.partner), ``company`` (res.company),
            ``trigger`` and optionally ``ticket`` or ``nps``.
        Points come from the company rule and are capped per customer over the company's period;
        customers without an active membership, or already at the cap, get nothing.
        """
        if not events:
            return self.browse()
        partners = self.env["res.partner"].union(*(e["partner"].commercial_partner_id for e in events))
        # sudo: proposals are made on behalf of the customer from feedback flows run by support agents,
        # who have no loyalty rights; what is created is only a proposal a Loyalty Manager must approve
        Goodwill = self.sudo()
        memberships = (
            self.env["crm.loyalty.membership"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("state", "=", "active")], order="id")
        )
        first_membership = {}
        for membership in memberships:
            first_membership.setdefault((membership.partner_id.id, membership.company_id.id), membership)
        # points already proposed or granted inside each company's own cap period, one grouped query
        now = fields.Datetime.now()
        companies = self.env["res.company"].union(*(e["company"] for e in events))
        oldest = now - timedelta(days=max(companies.mapped("goodwill_cap_days") or [0]))
        used = defaultdict(float)
        for partner, company, day, points in Goodwill._read_group(
            [("partner_id", "in", partners.ids), ("state", "!=", "rejected"), ("create_date", ">=", oldest)],
            ["partner_id", "company_id", "create_date:day"],
            ["points:sum"],
        ):
            if day >= (now - timedelta(days=company.goodwill_cap_days)).replace(hour=0, minute=0, second=0):
                used[(partner.id, company.id)] += points
        existing = Goodwill.search_fetch(
            [
                "|",
                ("ticket_id", "in", [e["ticket"].id for e in events if e.get("ticket")]),
                ("nps_id", "in", [e["nps"].id for e in events if e.get("nps")]),
            ],
            ["ticket_id", "nps_id", "trigger"],
        )
        seen = {(g.ticket_id.id, g.trigger) for g in existing} | {("nps", g.nps_id.id) for g in existing if g.nps_id}
        vals_list = []
        for event in events:
            partner, company, trigger = event["partner"].commercial_partner_id, event["company"], event["trigger"]
            ticket, nps = event.get("ticket"), event.get("nps")
            key = ("nps", nps.id) if nps else (ticket.id if ticket else False, trigger)
            membership = first_membership.get((partner.id, company.id))
            if key in seen or not membership or company.goodwill_points <= 0:
                continue
            room = company.goodwill_cap_points - used.get((partner.id, company.id), 0.0)
            points = min(company.goodwill_points, room)
            if points <= 0:
                continue
            seen.add(key)
            used[(partner.id, company.id)] = used.get((partner.id, company.id), 0.0) + points
            vals_list.append(
                {
                    "trigger": trigger,
                    "partner_id": partner.id,
                    "membership_id": membership.id,
                    "company_id": company.id,
                    "ticket_id": ticket.id if ticket else False,
                    "nps_id": nps.id if nps else False,
                    "points": points,
                }
            )
        return Goodwill.create(vals_list)

    def _check_manager(self):
        if not self.env.user.has_group("crm_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only a Loyalty Manager may approve or reject goodwill points."))
        if self.filtered(lambda g: g.state != "proposed"):
            raise UserError(_("Only proposals still to approve can be decided."))

    def action_approve(self):
        self._check_manager()
        for goodwill in self:
            entry = goodwill.membership_id._post_bonus(
                "goodwill", goodwill.points, goodwill.name, approved_by_id=self.env.user.id
            )
            goodwill.write(
                {
                    "state": "approved",
                    "entry_id": entry.id,
                    "decided_by_id": self.env.user.id,
                    "decided_on": fields.Datetime.now(),
                }
            )
        return True

    def action_reject(self):
        self._check_manager()
        self.write({"state": "rejected", "decided_by_id": self.env.user.id, "decided_on": fields.Datetime.now()})
        return True


class CrmFeedbackTicket(models.Model):
    _inherit = "crm.feedback.ticket"

    goodwill_ids = fields.One2many("crm.loyalty.goodwill", "ticket_id", string="Goodwill Proposals")

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
        "account.move": ["state", "move_type", "invoice_date", "commercial_partner_id", "company_id"],
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
                   EXISTS (SELECT 1 FROM account_move m
                            WHERE m.commercial_partner_id = f.partner_id AND m.company_id = f.company_id
                              AND m.state = 'posted' AND m.move_type = 'out_invoice'
                              AND m.invoice_date > f.event_date
                              AND m.invoice_date <= f.event_date + %(days)s) AS bought_again,
                   CASE WHEN EXISTS (SELECT 1 FROM account_move m
                            WHERE m.commercial_partner_id = f.partner_id AND m.company_id = f.company_id
                              AND m.state = 'posted' AND m.move_type = 'out_invoice'
                              AND m.invoice_date > f.event_date
                              AND m.invoice_date <= f.event_date + %(days)s) THEN 100.0 ELSE 0.0 END AS rebuy_rate
              FROM failures f
            """,
            days=90,
        )
