from collections import defaultdict
from datetime import timedelta

from odoo import _, _lt, api, fields, models
from odoo.exceptions import AccessError, UserError

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
    # what it holds about a customer, in the customer's data export of crm_privacy
    _crm_privacy_export = ("goodwill_proposals", _lt("Goodwill points proposed to the customer"), "name")
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
        caps = self._goodwill_caps(partners, companies)
        vals_list = []
        for event in events:
            partner, company, trigger = event["partner"].commercial_partner_id, event["company"], event["trigger"]
            ticket, nps = event.get("ticket"), event.get("nps")
            key = ("nps", nps.id) if nps else (ticket.id if ticket else False, trigger)
            membership = first_membership.get((partner.id, company.id))
            if key in seen or not membership or company.goodwill_points <= 0:
                continue
            room = caps[(partner.id, company.id)] - used.get((partner.id, company.id), 0.0)
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

    @api.model
    def _goodwill_caps(self, partners, companies):
        """{(customer id, company id): points} of goodwill each of these commercial partners may receive in
        each company over the company's cap period: the company's cap. Override to treat customers
        differently (the value policy of crm_value_policy)."""
        return {(partner.id, company.id): company.goodwill_cap_points for partner in partners for company in companies}

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
