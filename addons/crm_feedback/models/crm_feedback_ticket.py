import secrets
from datetime import UTC, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import consteq, email_normalize, html2plaintext
from odoo.tools.misc import hash_sign, verify_hash_signed

from ..tools import sentiment

TICKET_TYPES = [
    ("complaint", "Complaint"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
    ("question", "Question"),
    ("return", "Return request"),
]
CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("web", "Web form"),
    ("portal", "Portal"),
    ("social", "Social media"),
    ("store", "In store"),
]
PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]
ROUTED_CHANNELS = ("web", "portal")  # tickets filed by customers themselves, routed to a team when they have none
SLA_TARGET_STATES = [
    ("none", "No target"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("breached", "Breached"),
]
AT_RISK_SHARE = 0.8  # share of the allowed working time after which a ticket is "at risk"
CONFIRM_SCOPE = "crm_feedback.ticket_confirm"  # the HMAC scope: a confirmation link is good for nothing else
CONFIRM_HOURS = 48  # a confirmation link expires after two days
MAX_TOKEN_LENGTH = 512
CSAT_VALID_DAYS = 30  # a satisfaction link expires a month after the ticket closed
# tickets a customer channel accepts per hour (settings; 0: no limit)
FLOOD_LIMITS = {"address": 5, "ip": 20, "company": 100}

# The stored fields the state of a ticket's SLA targets is read from (the status on the ticket, the
# compliance report of the bridge): one list, so both follow the same fields.
SLA_STATE_FIELDS = (
    "sla_id",
    "is_closed",
    "date_open",
    "date_closed",
    "sla_paused_since",
    "date_first_response",
    "sla_response_deadline",
    "sla_response_breached",
    "sla_next_response_start",
    "sla_next_response_deadline",
    "sla_next_response_reached",
    "sla_next_response_breached",
    "sla_resolution_deadline",
    "sla_resolution_breached",
)


class CrmFeedbackTicket(models.Model):
    _name = "crm.feedback.ticket"
    _description = "Feedback Ticket"
    _inherit = ["mail.thread.cc", "mail.activity.mixin", "portal.mixin", "rating.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _primary_email = "email_from"
    _mail_post_access = "read"  # customers reply from the portal on the tickets they may read

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/", index="trigram")
    subject = fields.Char(required=True, tracking=True)
    ticket_type = fields.Selection(TICKET_TYPES, string="Type", required=True, default="complaint", tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one("res.partner", string="Contact", tracking=True, index=True, check_company=True)
    email_from = fields.Char(string="Email")
    contact_name = fields.Char(
        string="Sender Name", readonly=True, copy=False, help="The name typed on the public form, for the new contact."
    )
    verified = fields.Boolean(
        default=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="A public-form ticket stays unverified until its sender confirms the address from the e-mailed link "
        "(or an agent verifies it by hand): until then it belongs to no contact, shows in no portal and raises "
        "no goodwill.",
    )
    verify_nonce = fields.Char(readonly=True, copy=False, groups="base.group_system")
    submitted_ip = fields.Char(
        string="Sent From (IP)",
        readonly=True,
        copy=False,
        groups="crm_feedback.group_feedback_manager",
        help="Client address of a public or portal submission (the forwarded one behind a trusted proxy), "
        "for the hourly limits.",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, string="Customer", index=True
    )
    team_id = fields.Many2one("crm.feedback.team", tracking=True, index=True, check_company=True)
    user_id = fields.Many2one(
        "res.users", string="Assigned To", tracking=True, index=True, default=lambda self: self.env.user
    )
    priority = fields.Selection(PRIORITIES, default="1", tracking=True)
    stage_id = fields.Many2one(
        "crm.feedback.stage",
        tracking=True,
        index=True,
        group_expand="_read_group_stage_ids",
        default=lambda self: self.env["crm.feedback.stage"].search([], limit=1),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    description = fields.Html(required=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    invoice_id = fields.Many2one(
        "account.move",
        check_company=True,
        index="btree_not_null",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', 'child_of', commercial_partner_id), ('picking_type_code', '=', 'outgoing')]",
    )
    product_id = fields.Many2one("product.product", check_company=True, index="btree_not_null")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        index="btree_not_null",
    )
    date_open = fields.Datetime(
        string="Received On",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=fields.Datetime.now,
        help="When the ticket came in: the start of its SLA deadlines, response and resolution times.",
    )
    date_closed = fields.Datetime(readonly=True, copy=False)
    date_first_response = fields.Datetime(readonly=True, copy=False)
    response_hours = fields.Float(
        string="First Response (hours)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Hours from reception to the first public reply (calendar hours).",
    )
    resolution_hours = fields.Float(
        string="Resolution (hours)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Hours from reception to closing (calendar hours).",
    )
    time_spent = fields.Float(
        string="Time Spent (hours)",
        digits=(16, 2),
        tracking=True,
        help="Hours the team spent handling the ticket; with the ERP bridge, times the team's hourly cost, the "
        "ticket handling cost of the customer once the ticket is closed.",
    )
    sla_success = fields.Float(
        string="SLA Compliance (%)",
        compute="_compute_sla_success",
        store=True,
        aggregator="avg",
        help="100 while the ticket's SLA holds, 0 once breached: its average over tickets with an SLA "
        "is the compliance rate.",
    )
    # SLA
    sla_id = fields.Many2one("crm.feedback.sla", string="SLA Policy", readonly=True, copy=False)
    sla_response_deadline = fields.Datetime(string="Respond Before", readonly=True, copy=False)
    sla_resolution_deadline = fields.Datetime(string="Resolve Before", readonly=True, copy=False)
    sla_next_response_start = fields.Datetime(
        string="Customer Waiting Since",
        readonly=True,
        copy=False,
        help="The customer message after the first reply that the team has not answered yet: the start of the "
        "next reply target.",
    )
    sla_next_response_deadline = fields.Datetime(string="Reply Again Before", readonly=True, copy=False)
    sla_next_response_reached = fields.Datetime(
        string="Replied Again On", readonly=True, copy=False, help="The team's last reply to a customer message."
    )
    sla_response_breached = fields.Boolean(string="First Reply Breached", readonly=True, copy=False)
    sla_next_response_breached = fields.Boolean(string="Next Reply Breached", readonly=True, copy=False)
    sla_resolution_breached = fields.Boolean(string="Resolution Breached", readonly=True, copy=False)
    sla_breached = fields.Boolean(readonly=True, copy=False, index=True, help="One of the SLA targets is breached.")
    sla_escalated = fields.Boolean(readonly=True, copy=False)
    sla_paused_since = fields.Datetime(
        string="SLA Paused Since",
        readonly=True,
        copy=False,
        help="Set while the ticket waits for the customer: the SLA clock stops.",
    )
    sla_paused_hours = fields.Float(
        string="SLA Paused (working hours)",
        readonly=True,
        copy=False,
        digits=(16, 2),
        help="Working hours the ticket spent waiting for the customer, by which its running deadlines moved out.",
    )
    sla_status = fields.Selection(
        [
            ("none", "No SLA"),
            ("on_time", "On time"),
            ("at_risk", "At risk"),
            ("paused", "Paused"),
            ("breached", "Breached"),
            ("met", "Met"),
        ],
        compute="_compute_sla_status",
        string="SLA",
    )
    sla_response_status = fields.Selection(SLA_TARGET_STATES, compute="_compute_sla_status", string="First Reply")
    sla_next_response_status = fields.Selection(SLA_TARGET_STATES, compute="_compute_sla_status", string="Next Reply")
    sla_resolution_status = fields.Selection(SLA_TARGET_STATES, compute="_compute_sla_status", string="Resolution")
    # sentiment
    sentiment_score = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    sentiment = fields.Selection(
        sentiment.LABELS,
        readonly=True,
        index=True,
        help="Empty when not analysed: the analysis comes with the addon CRM Feedback Sentiment.",
    )
    # resolution through the ERP
    credit_note_ids = fields.One2many("account.move", "feedback_ticket_id", string="Credit Notes")
    return_picking_ids = fields.One2many("stock.picking", "feedback_ticket_id", string="Returns")
    replacement_order_ids = fields.One2many("sale.order", "feedback_ticket_id", string="Replacement Quotations")
    resolution_cost = fields.Monetary(
        compute="_compute_resolution_cost",
        store=True,
        currency_field="currency_id",
        help="Posted credit notes issued from this ticket, in company currency.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_note_count = fields.Integer(compute="_compute_resolution_counts")
    return_count = fields.Integer(compute="_compute_resolution_counts")
    replacement_count = fields.Integer(compute="_compute_resolution_counts")

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    @api.depends("credit_note_ids.state", "credit_note_ids.amount_total_signed")
    def _compute_resolution_cost(self):
        for ticket in self:
            posted = ticket.credit_note_ids.filtered(lambda m: m.state == "posted")
            ticket.resolution_cost = -sum(posted.mapped("amount_total_signed"))

    @api.depends("date_open", "date_first_response", "date_closed")
    def _compute_durations(self):
        for ticket in self:
            start = ticket.date_open
            first, closed = ticket.date_first_response, ticket.date_closed
            ticket.response_hours = (first - start).total_seconds() / 3600 if start and first else 0.0
            ticket.resolution_hours = (closed - start).total_seconds() / 3600 if start and closed else 0.0

    @api.depends("sla_id", "sla_breached")
    def _compute_sla_success(self):
        for ticket in self:
            ticket.sla_success = 0.0 if ticket.sla_breached or not ticket.sla_id else 100.0

    def _compute_resolution_counts(self):
        for ticket in self:
            ticket.credit_note_count = len(ticket.credit_note_ids)
            ticket.return_count = len(ticket.return_picking_ids)
            ticket.replacement_count = len(ticket.replacement_order_ids)

    @api.depends("sla_breached", *SLA_STATE_FIELDS)
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for ticket in self:
            paused = bool(ticket.sla_paused_since) and not ticket.is_closed
            running = "paused" if paused else "running"
            targets = {
                # target: (start, deadline, reached on, breached)
                "sla_response_status": (
                    ticket.date_open,
                    ticket.sla_response_deadline,
                    ticket.date_first_response,
                    ticket.sla_response_breached,
                ),
                "sla_next_response_status": (
                    ticket.sla_next_response_start,
                    ticket.sla_next_response_deadline,
                    not ticket.sla_next_response_start and ticket.sla_next_response_reached,
                    ticket.sla_next_response_breached,
                ),
                "sla_resolution_status": (
                    ticket.date_open,
                    ticket.sla_resolution_deadline,
                    ticket.date_closed if ticket.is_closed else False,
                    ticket.sla_resolution_breached,
                ),
            }
            at_risk = False
            for fname, (start, deadline, reached, breached) in targets.items():
                if not ticket.sla_id or not deadline:
                    ticket[fname] = "none"
                elif breached:
                    ticket[fname] = "breached"
                elif reached or ticket.is_closed:
                    ticket[fname] = "met"
                else:
                    ticket[fname] = running
                    start = start or now
                    at_risk = at_risk or now >= start + (deadline - start) * AT_RISK_SHARE
            if not ticket.sla_id:
                ticket.sla_status = "none"
            elif ticket.sla_breached:
                ticket.sla_status = "breached"
            elif ticket.is_closed:
                ticket.sla_status = "met"
            elif paused:
                ticket.sla_status = "paused"
            else:
                ticket.sla_status = "at_risk" if at_risk else "on_time"

    @api.constrains("verified", "partner_id")
    def _check_unverified_without_contact(self):
        if self.filtered(lambda t: not t.verified and t.partner_id):
            raise ValidationError(_("An unverified ticket belongs to no contact: verify the sender first."))

    @api.constrains("partner_id", "sale_order_id", "invoice_id", "picking_id")
    def _check_documents_customer(self):
        for ticket in self:
            customer = ticket.commercial_partner_id
            for doc in filter(None, [ticket.sale_order_id, ticket.invoice_id, ticket.picking_id]):
                if doc.partner_id.commercial_partner_id != customer:
                    raise ValidationError(
                        _(
                            "%(document)s belongs to another customer than %(customer)s.",
                            document=doc.display_name,
                            customer=customer.display_name or _("(none)"),
                        )
                    )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        routes = {}
        for vals in vals_list:
            if not vals.get("team_id") and vals.get("channel") in ROUTED_CHANNELS:
                key = (vals.get("company_id") or self.env.company.id, vals.get("ticket_type") or "complaint")
                if key not in routes:
                    company = self.env["res.company"].browse(key[0])
                    routes[key] = self.env["crm.feedback.team"]._route_ticket(company, key[1]).id
                vals["team_id"] = routes[key]
            if not html2plaintext(vals.get("description") or "").strip():
                raise ValidationError(_("Describe the feedback: the description cannot be empty."))
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("crm.feedback.ticket") or "/"
            if vals.get("partner_id") and not vals.get("email_from"):
                vals["email_from"] = self.env["res.partner"].browse(vals["partner_id"]).email
        tickets = super().create(vals_list)
        tickets._apply_sentiment()
        tickets._apply_sla()
        return tickets

    def write(self, vals):
        if vals.get("stage_id"):
            closing = self.env["crm.feedback.stage"].browse(vals["stage_id"]).is_closed
            vals["date_closed"] = fields.Datetime.now() if closing else False
        res = super().write(vals)
        if "stage_id" in vals:
            self._sla_stage_changed()
        if "description" in vals:
            self._apply_sentiment()
        # the deadlines count from the reception: a reception date written later (an import) moves them
        if {"team_id", "ticket_type", "priority", "date_open"} & set(vals):
            self._apply_sla()
        if vals.get("stage_id"):
            self.filtered("is_closed")._send_rating_request()
        return res

    # ------------------------------------------------------------------ sender verification
    def action_verify(self):
        """Staff verify the sender by hand (they checked the address another way)."""
        self.check_access("write")
        self._verify_sender(_("Sender verified by hand by %(user)s.", user=self.env.user.name))
        return True

    def _verify_sender(self, note, by_sender=False):
        """Attach each unverified ticket to the contact of exactly its normalised address, or a new contact,
        then let the held-back effects (sentiment, goodwill) happen. ``by_sender``: the note is the sender's
        (confirmation link), else the current user's."""
        todo = self.filtered(lambda t: not t.verified)
        # sudo: the sender proved the address (link) or an agent vouched for it; only the contact with exactly
        # this normalised address (never a pattern) in the ticket's company or shared is read, or a plain one made
        partners_sudo = self.env["res.partner"].sudo()
        for ticket in todo:
            email = email_normalize(ticket.email_from or "")
            partner_sudo = partners_sudo.browse()
            if email:
                partner_sudo = partners_sudo.search(
                    [("email_normalized", "=", email), ("company_id", "in", [False, ticket.company_id.id])],
                    order="id",
                    limit=1,
                ) or partners_sudo.create({"name": ticket.contact_name or email, "email": email})
            # sudo: the nonce is readable by administrators only; it is cleared so the link is used once
            ticket.sudo().write({"verified": True, "verify_nonce": False, "partner_id": partner_sudo.id})
            author = {"author_id": partner_sudo.id} if by_sender and partner_sudo else {}
            ticket.message_post(body=note, subtype_xmlid="mail.mt_note", **author)
        todo._apply_sentiment()
        return todo

    def _confirmation_token(self, expiration=None):
        """A new signed link token (HMAC-SHA256 with the database secret, for this purpose only) for this
        unverified ticket: a fresh 128-bit nonce, expiring after CONFIRM_HOURS; any earlier link stops working."""
        self.ensure_one()
        nonce = secrets.token_urlsafe(16)
        # sudo: the nonce field is for administrators only; the caller is the public form that made the ticket
        ticket_sudo = self.sudo()
        ticket_sudo.verify_nonce = nonce
        return hash_sign(
            ticket_sudo.env,
            CONFIRM_SCOPE,
            {"id": self.id, "nonce": nonce},
            expiration=expiration or timedelta(hours=CONFIRM_HOURS),
        )

    @api.model
    def _from_confirmation_token(self, token):
        """The unverified ticket a valid, unexpired, unused confirmation token was made for; else empty.
        Every failure looks the same to the caller (no oracle)."""
        empty = self.browse()
        if not token or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            return empty
        try:
            payload = verify_hash_signed(self.sudo().env, CONFIRM_SCOPE, token)
        except (ValueError, TypeError):  # not base64, unknown version, bad JSON, bad UTF-8
            return empty
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
            return empty
        nonce = payload.get("nonce")
        # sudo: the signature proves who sent the link; the ticket is read to compare its current nonce
        ticket_sudo = self.sudo().browse(payload["id"]).exists()
        if (
            not ticket_sudo
            or ticket_sudo.verified
            or not isinstance(nonce, str)
            or not ticket_sudo.verify_nonce
            or not consteq(ticket_sudo.verify_nonce, nonce)
        ):
            return empty
        return ticket_sudo

    @api.model
    def _flood_limits(self):
        """Tickets accepted per hour from one address, one client IP and for one company (0: no limit)."""
        # sudo: reading the limits, which are system parameters, is no right to change them
        params_sudo = self.env["ir.config_parameter"].sudo()
        limits = {}
        for key, default in FLOOD_LIMITS.items():
            raw = params_sudo.get_param(f"crm_feedback.limit_per_{key}")
            try:
                limits[key] = max(int(raw), 0) if raw not in (None, False, "") else default
            except ValueError:
                limits[key] = default
        return limits

    @api.model
    def _flood_reached(self, company, ip=None, email=None, partner=None):
        """Which hourly limit a new ticket would break ("address", "ip", "company"), or None. A public-form
        ticket (``email``) counts against its address, its client IP and the company's public tickets; a
        portal ticket (``partner``) against its contact only, so an anonymous flood never locks customers out."""
        limits = self._flood_limits()
        since = fields.Datetime.now() - timedelta(hours=1)
        if partner:
            checks = [("address", [("channel", "=", "portal"), ("partner_id", "=", partner.id)])]
        else:
            web = [("channel", "=", "web")]
            checks = [("company", web + [("company_id", "=", company.id)]), ("ip", web + [("submitted_ip", "=", ip)])]
            if email:
                checks.append(("address", web + [("email_from", "=", email)]))
        # sudo: only numbers of recent tickets are counted for whoever submits, nothing is read
        tickets_sudo = self.sudo()
        for key, domain in checks:
            limit = limits[key]
            if limit and tickets_sudo.search_count([("date_open", ">=", since)] + domain, limit=limit) >= limit:
                return key
        return None

    def _send_confirmation_request(self):
        """E-mail the typed address a link that confirms it (the ticket stays unverified until then)."""
        template = self.env.ref("crm_feedback.mail_template_ticket_confirm")
        for ticket in self.filtered(lambda t: not t.verified and t.email_from):
            url = f"{ticket.get_base_url()}/feedback/confirm/{ticket._confirmation_token()}"
            template.with_context(confirm_url=url).send_mail(
                ticket.id, force_send=False, email_layout_xmlid="mail.mail_notification_light"
            )

    def _compute_access_url(self):  # a compute returns nothing; pylint: disable=missing-return
        super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/feedback/{ticket.id}"

    # ------------------------------------------------------------------ sentiment
    @api.model
    def _sentiment_score(self, text):
        """Sentiment of ``text`` (plain or HTML) in [-1, 1], or None when not analysed. The analysers (VADER
        and SnowNLP, offline) come with the addon crm_feedback_sentiment, which overrides this and is
        installed automatically when their libraries are present; without it tickets and NPS answers keep
        an empty sentiment and nothing follows from it (priority, goodwill)."""
        return

    def _apply_sentiment(self):  # its super() call is a raw write; pylint: disable=missing-return
        for ticket in self:
            value = self._sentiment_score(ticket.description)
            if value is None:
                continue
            vals = {"sentiment_score": value, "sentiment": sentiment.label(value)}
            raise_to = ticket.team_id.negative_priority
            if (
                vals["sentiment"] == "negative"
                and raise_to
                and not ticket.date_first_response
                and ticket.priority < raise_to
            ):
                vals["priority"] = raise_to
            super(CrmFeedbackTicket, ticket).write(vals)

    # ------------------------------------------------------------------ SLA
    def _sla_calendar(self):
        self.ensure_one()
        return self.team_id.resource_calendar_id or self.company_id.resource_calendar_id

    def _apply_sla(self):  # its super() call is a raw write; pylint: disable=missing-return
        """Match each ticket to its SLA policy and set deadlines counted from its reception (``date_open``),
        moved out by the working time it already spent waiting for the customer."""
        policies = self.env["crm.feedback.sla"].search([("team_id", "in", self.team_id.ids)])
        for ticket in self:
            sla = ticket._sla_match(policies)
            vals = {
                "sla_id": sla.id if sla else False,
                "sla_response_deadline": False,
                "sla_resolution_deadline": False,
                "sla_next_response_deadline": False,
            }
            if sla:
                begin = ticket.date_open or fields.Datetime.now()
                calendar = ticket._sla_calendar()
                paused = ticket.sla_paused_hours
                vals["sla_response_deadline"] = ticket._working_deadline(calendar, begin, sla.response_hours + paused)
                vals["sla_resolution_deadline"] = ticket._working_deadline(
                    calendar, begin, sla.resolution_hours + paused
                )
                if sla.next_response_hours and ticket.sla_next_response_start:
                    vals["sla_next_response_deadline"] = ticket._working_deadline(
                        calendar, ticket.sla_next_response_start, sla.next_response_hours
                    )
                elif ticket.sla_next_response_deadline and sla.next_response_hours:
                    vals.pop("sla_next_response_deadline")  # a past answered target keeps its deadline
            super(CrmFeedbackTicket, ticket).write(vals)

    def _sla_match(self, policies):
        """The SLA policy of this ticket among ``policies`` (its team's, in order): the first that matches.
        Override to choose another one (the customer's value policy names its own)."""
        self.ensure_one()
        return next((p for p in policies if p._matches(self)), None)

    @api.model
    def _working_deadline(self, calendar, start, hours):
        """``hours`` of working time after ``start`` in the calendar (plain hours without one)."""
        if not calendar:
            return start + timedelta(hours=hours)
        deadline = calendar.plan_hours(hours, start, compute_leaves=True)
        return deadline.replace(tzinfo=None) if deadline else start + timedelta(hours=hours)

    @api.model
    def _working_hours(self, calendar, start, end):
        """Working hours between ``start`` and ``end`` in the calendar, its leaves excluded (plain hours
        without one)."""
        if end <= start:
            return 0.0
        if not calendar:
            return (end - start).total_seconds() / 3600
        return calendar.get_work_hours_count(start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), compute_leaves=True)

    def _sla_stage_changed(self):  # its super() call is a raw write; pylint: disable=missing-return
        """Stop the SLA clock in a stage waiting for the customer; when the ticket leaves it, move the deadlines
        of the targets still running out by the working time spent there."""
        now = fields.Datetime.now()
        for ticket in self:
            waiting = ticket.stage_id.sla_paused and not ticket.is_closed
            if waiting and not ticket.sla_paused_since:
                super(CrmFeedbackTicket, ticket).write({"sla_paused_since": now})
            elif not waiting and ticket.sla_paused_since:
                calendar = ticket._sla_calendar()
                hours = ticket._working_hours(calendar, ticket.sla_paused_since, now)
                vals = {"sla_paused_since": False, "sla_paused_hours": ticket.sla_paused_hours + hours}
                if hours and not ticket.is_closed:
                    since = ticket.sla_paused_since
                    running = {
                        # deadline: hours it stood still (a next reply started during the pause: since then)
                        "sla_response_deadline": not ticket.date_first_response and hours,
                        "sla_next_response_deadline": ticket.sla_next_response_start
                        and ticket._working_hours(calendar, max(since, ticket.sla_next_response_start), now),
                        "sla_resolution_deadline": hours,
                    }
                    for fname, paused in running.items():
                        if paused and ticket[fname]:
                            vals[fname] = ticket._working_deadline(calendar, ticket[fname], paused)
                super(CrmFeedbackTicket, ticket).write(vals)
            if ticket.is_closed and ticket.sla_id and ticket.date_closed:
                # closing reaches every target still running (the compliance report counts them done): those
                # past their deadline are breached, whether the SLA check ran in between or not
                late = ticket._sla_late_targets(ticket.date_closed)
                if late:
                    ticket._sla_flag_late(late)

    def _sla_late_targets(self, moment):
        """The breach flags (field names) of the targets still running at ``moment`` whose deadline had
        passed by then and that are not flagged yet."""
        self.ensure_one()
        running = {
            # breach flag: (target still running, its deadline)
            "sla_response_breached": (not self.date_first_response, self.sla_response_deadline),
            "sla_next_response_breached": (bool(self.sla_next_response_start), self.sla_next_response_deadline),
            "sla_resolution_breached": (True, self.sla_resolution_deadline),
        }
        return [
            fname
            for fname, (is_running, deadline) in running.items()
            if is_running and not self[fname] and deadline and deadline < moment
        ]

    def _sla_flag_late(self, fnames):  # its super() call is a raw write; pylint: disable=missing-return
        """A target reached after its deadline (the cron did not run in between) is breached all the same."""
        super().write(dict.fromkeys([*fnames, "sla_breached"], True))

    def _sla_customer_message(self):  # its super() call is a raw write; pylint: disable=missing-return
        """A customer message after the first reply starts the next reply target (unless one already runs)."""
        now = fields.Datetime.now()
        for ticket in self:
            hours = ticket.sla_id.next_response_hours
            if not hours or not ticket.date_first_response or ticket.sla_next_response_start or ticket.is_closed:
                continue
            super(CrmFeedbackTicket, ticket).write(
                {
                    "sla_next_response_start": now,
                    "sla_next_response_deadline": ticket._working_deadline(ticket._sla_calendar(), now, hours),
                    "sla_next_response_reached": False,
                }
            )

    def _sla_staff_reply(self):  # its super() call is a raw write; pylint: disable=missing-return
        """A public reply of the team reaches the first reply target, or the running next reply target."""
        now = fields.Datetime.now()
        for ticket in self:
            vals = {}
            if not ticket.date_first_response:
                vals["date_first_response"] = now
                deadline = ticket.sla_response_deadline
                if ticket.sla_id and deadline and now > deadline and not ticket.sla_response_breached:
                    vals.update(sla_response_breached=True, sla_breached=True)
            elif ticket.sla_next_response_start:
                vals.update(sla_next_response_start=False, sla_next_response_reached=now)
                deadline = ticket.sla_next_response_deadline
                if deadline and now > deadline and not ticket.sla_next_response_breached:
                    vals.update(sla_next_response_breached=True, sla_breached=True)
            if vals:
                super(CrmFeedbackTicket, ticket).write(vals)

    @api.model
    def _cron_check_sla(self):
        """Flag each target whose deadline passed while it runs (not while the ticket waits for the customer),
        and escalate each ticket once: raise priority, activity for the team leader."""
        now = fields.Datetime.now()
        late = self.search(
            [
                ("is_closed", "=", False),
                ("sla_id", "!=", False),
                ("sla_paused_since", "=", False),
                "|",
                "|",
                "&",
                "&",
                ("date_first_response", "=", False),
                ("sla_response_breached", "=", False),
                ("sla_response_deadline", "<", now),
                "&",
                "&",
                ("sla_next_response_start", "!=", False),
                ("sla_next_response_breached", "=", False),
                ("sla_next_response_deadline", "<", now),
                "&",
                ("sla_resolution_breached", "=", False),
                ("sla_resolution_deadline", "<", now),
            ]
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        labels = {
            "sla_response_breached": _("first reply"),
            "sla_next_response_breached": _("next reply"),
            "sla_resolution_breached": _("resolution"),
        }
        for ticket in late:
            breached = ticket._sla_late_targets(now)
            vals = dict.fromkeys([*breached, "sla_breached"], True)
            escalate = not ticket.sla_escalated
            if escalate:
                vals["sla_escalated"] = True
                if ticket.priority < "3":
                    vals["priority"] = str(int(ticket.priority) + 1)
            super(CrmFeedbackTicket, ticket).write(vals)
            leader = ticket.team_id.leader_id or ticket.user_id
            if escalate and leader:
                ticket.activity_schedule(
                    activity_type_id=todo.id,
                    user_id=leader.id,
                    summary=_("SLA breached on %(ticket)s", ticket=ticket.name),
                )
            ticket.message_post(
                body=_(
                    "SLA %(sla)s breached (%(targets)s).",
                    sla=ticket.sla_id.name,
                    targets=", ".join(labels[fname] for fname in breached),
                )
                + (" " + _("Escalated.") if escalate else ""),
                subtype_xmlid="mail.mt_note",
            )
        return late

    # ------------------------------------------------------------------ mail gateway
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An email to a team alias opens a ticket; the sender is matched or created as a contact."""
        values = dict(custom_values or {})
        email = email_normalize(msg_dict.get("email_from") or msg_dict.get("from") or "")
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")) if msg_dict.get("author_id") else None
        if not partner and email:
            # sudo: the mail gateway runs without contact-creation rights; only a plain contact is made
            partner = self.env["res.partner"].sudo().find_or_create(msg_dict.get("email_from") or email)
        body = msg_dict.get("body") or ""
        values.update(
            {
                "name": "/",
                "subject": msg_dict.get("subject") or _("(no subject)"),
                "description": body if html2plaintext(body).strip() else _("(empty email)"),
                "channel": "email",
                "email_from": msg_dict.get("email_from") or email,
                "partner_id": partner.id if partner else False,
                "user_id": False,
            }
        )
        return super(CrmFeedbackTicket, self.with_context(default_user_id=False)).message_new(msg_dict, values)

    def _message_post_after_hook(self, message, msg_vals):
        staff = message.author_id.user_ids.filtered(lambda u: not u.share)
        if message.message_type == "comment" and message.subtype_id == self.env.ref("mail.mt_comment") and staff:
            # the first public reply by an employee is the first response, a later one the next reply
            self._sla_staff_reply()
        elif message.message_type in ("email", "comment") and message.author_id and not staff:
            # a customer message (mail or portal) after the first reply starts the next reply target
            self._sla_customer_message()
        if message.message_type == "email" and message.author_id not in self.env.user.partner_id:
            # an incoming customer email: its tone counts
            value = self._sentiment_score(message.body)
            if value is not None and value < self.sentiment_score:
                super().write({"sentiment_score": value, "sentiment": sentiment.label(value)})
        return super()._message_post_after_hook(message, msg_vals)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for ticket in self.filtered("partner_id"):
            ticket._message_add_suggested_recipient(recipients, partner=ticket.partner_id, reason=_("Customer"))
        return recipients

    # ------------------------------------------------------------------ CSAT
    def _rating_get_partner(self):
        return self.partner_id or super()._rating_get_partner()

    def _rating_get_access_token(self, partner=None):
        token = super()._rating_get_access_token(partner)
        if len(token) < 43:
            # core's token is a uuid4 (122 random bits): a ticket's satisfaction link gets 256. Core just made
            # or found this unconsumed rating as superuser, after checking the caller may read the ticket.
            rating_sudo = self.env["rating.rating"].sudo().search([("access_token", "=", token)], limit=1)
            token = secrets.token_urlsafe(32)
            rating_sudo.access_token = token
        return token

    def _csat_link_open(self, rating):
        """A satisfaction link works once, while the ticket is closed, for CSAT_VALID_DAYS after closing."""
        self.ensure_one()
        since = fields.Datetime.now() - timedelta(days=CSAT_VALID_DAYS)
        return bool(not rating.consumed and self.is_closed and self.date_closed and self.date_closed >= since)

    def _send_rating_request(self):
        template = self.env.ref("crm_feedback.mail_template_ticket_rating", raise_if_not_found=False)
        for ticket in self.filtered(lambda t: t.partner_id and t.partner_id.email):
            ticket.rating_send_request(template, lang=ticket.partner_id.lang, force_send=False)

    # ------------------------------------------------------------------ resolution through the ERP
    def action_create_credit_note(self):
        """Odoo's own reversal wizard on the linked invoice; the credit note links back here."""
        self.ensure_one()
        if not self.invoice_id:
            raise UserError(_("Link the customer's invoice to the ticket first."))
        if self.invoice_id.state != "posted":
            raise UserError(_("Only a posted invoice can be credited."))
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_view_account_move_reversal")
        action["context"] = {
            "active_model": "account.move",
            "active_ids": self.invoice_id.ids,
            "default_feedback_ticket_id": self.id,
            "crm_feedback_ticket_id": self.id,
        }
        return action

    def action_create_return(self):
        """Odoo's own return wizard on the linked delivery; the return links back here."""
        self.ensure_one()
        if not self.picking_id or self.picking_id.state != "done":
            raise UserError(_("Link a validated delivery to the ticket first."))
        wizard = (
            self.env["stock.return.picking"]
            .with_context(
                active_id=self.picking_id.id,
                active_model="stock.picking",
                crm_feedback_ticket_id=self.id,
            )
            .create({"picking_id": self.picking_id.id})
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Return"),
            "res_model": "stock.return.picking",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "context": {"crm_feedback_ticket_id": self.id},
        }

    def action_create_replacement(self):
        self.ensure_one()
        if not self.partner_id:
            raise UserError(_("Set the customer first."))
        lines = []
        if self.product_id:
            lines = [
                fields.Command.create({"product_id": self.product_id.id, "product_uom_qty": 1.0, "price_unit": 0.0})
            ]
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "feedback_ticket_id": self.id,
                "origin": self.name,
                "order_line": lines,
            }
        )
        return {"type": "ir.actions.act_window", "res_model": "sale.order", "res_id": order.id, "view_mode": "form"}

    def _view_documents(self, model, records, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "name": name,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
        }

    def action_view_credit_notes(self):
        return self._view_documents("account.move", self.credit_note_ids, _("Credit Notes"))

    def action_view_returns(self):
        return self._view_documents("stock.picking", self.return_picking_ids, _("Returns"))

    def action_view_replacements(self):
        return self._view_documents("sale.order", self.replacement_order_ids, _("Replacement Quotations"))
