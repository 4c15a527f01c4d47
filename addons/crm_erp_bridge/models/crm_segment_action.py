from odoo import _, _lt, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

KINDS = [("points", "Bonus Points"), ("winback", "Win-back Offer"), ("activity", "Activities")]
CHANNELS = [("email", "E-mail"), ("phone", "Phone"), ("sms", "SMS"), ("post", "Post")]
STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
SKIP_REASONS = [
    ("other_company", "Another company's customer"),
    ("archived", "Archived"),
    ("profiling", "Objects to profiling"),
    ("no_consent", "No consent for the channel"),
    ("not_member", "Not a member of the program"),
]
# the kinds that give points: a Loyalty Manager other than the requester always approves them
APPROVED_KINDS = ("points", "winback")
# written only by the action's own methods (request, approval, execution), never by a client's write
PROTECTED_FIELDS = {"state", "requested_by_id", "approved_by_id", "approved_on", "done_on"}


class CrmSegmentAction(models.Model):
    """A bulk action on the customers of an RFM segment or a rule segment: bonus points, a win-back offer
    (points that expire + an e-mail) or one activity per customer.

    The targets are read from the segment at once (members, consent, profiling objection, memberships),
    one line per customer, the skipped ones with their reason. Points are always approved by a Loyalty
    Manager who did not request them; the approval posts one bonus entry per target through the ledger's
    own API (``crm.loyalty.membership._post_bonus``) in one batch, and never twice."""

    _name = "crm.segment.action"
    _description = "Segment Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(KINDS, required=True, default="points", tracking=True)
    rfm_segment_id = fields.Many2one("crm.rfm.segment", string="RFM Segment", ondelete="restrict", index=True)
    rule_segment_id = fields.Many2one("crm.rule.segment", ondelete="restrict", index=True, check_company=True)
    segment_name = fields.Char(
        compute="_compute_segment_name",
        store=True,
        help="The segment's name as shown to approvers who may not read segments.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="email",
        help="The customers are told (or contacted) on this channel: those without marketing consent for it "
        "are skipped.",
    )
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True, index=True)
    program_id = fields.Many2one("crm.loyalty.program", check_company=True, tracking=True)
    points = fields.Float(string="Points per Customer", tracking=True)
    offer_text = fields.Text(string="Offer", help="What the win-back e-mail offers, in the customer's words.")
    offer_expiry_date = fields.Date(
        string="Offer Valid Until", help="The offered points expire on this day (win-back offers)."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        domain=[("model", "=", "crm.segment.action.line")],
        default=lambda self: self.env.ref("crm_erp_bridge.mail_template_segment_action_winback", False),
    )
    task_type_id = fields.Many2one("mail.activity.type", string="Activity Type")
    task_summary = fields.Char(string="Activity Summary")
    task_deadline = fields.Date(string="Activity Deadline")
    task_user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        help="Empty: each customer's salesperson (you where the customer has none).",
    )
    line_ids = fields.One2many("crm.segment.action.line", "action_id", string="Customers", readonly=True)
    target_count = fields.Integer(compute="_compute_counts")
    skipped_count = fields.Integer(compute="_compute_counts")
    requested_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_on = fields.Datetime(readonly=True, copy=False)
    done_on = fields.Datetime(readonly=True, copy=False)

    @api.depends("rfm_segment_id.name", "rule_segment_id.name")
    def _compute_segment_name(self):
        for action in self:
            action.segment_name = (action.rfm_segment_id or action.rule_segment_id).name

    @api.depends("line_ids.status")
    def _compute_counts(self):
        groups = self.env["crm.segment.action.line"]._read_group(
            [("action_id", "in", self.ids)], ["action_id", "status"], ["__count"]
        )
        counts = {(action.id, status): count for action, status, count in groups}
        for action in self:
            action.skipped_count = counts.get((action.id, "skipped"), 0)
            action.target_count = counts.get((action.id, "target"), 0) + counts.get((action.id, "done"), 0)

    @api.constrains("rfm_segment_id", "rule_segment_id")
    def _check_one_segment(self):
        for action in self:
            if bool(action.rfm_segment_id) == bool(action.rule_segment_id):
                raise ValidationError(_("A segment campaign targets one RFM segment or one rule segment."))

    @api.constrains("kind", "channel", "program_id", "points", "offer_expiry_date", "task_type_id")
    def _check_kind_settings(self):
        for action in self:
            if action.kind in APPROVED_KINDS and (not action.program_id or action.points <= 0):
                raise ValidationError(_("Bonus points and win-back offers need a program and positive points."))
            if action.kind == "winback" and (action.channel != "email" or not action.offer_expiry_date):
                raise ValidationError(_("A win-back offer is e-mailed and its points need an expiry date."))
            if action.kind == "activity" and (action.channel not in ("phone", "email") or not action.task_type_id):
                raise ValidationError(_("Activities need an activity type and the phone or e-mail channel."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only a Sales Manager may create segment campaigns."))
        for vals in vals_list:
            if PROTECTED_FIELDS & set(vals) and not self.env.su:
                raise AccessError(_("A segment campaign starts as a draft; its state follows its buttons."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if PROTECTED_FIELDS & set(vals):
                raise AccessError(_("The state of a segment campaign changes through its buttons only."))
            if self.filtered(lambda a: a.state != "draft"):
                raise UserError(_("Only a draft segment campaign can be changed."))
            if not self.env.user.has_group("sales_team.group_sale_manager"):
                raise AccessError(_("Only a Sales Manager may change segment campaigns."))
        return super().write(vals)

    def _write_protected(self, vals):
        """The state and the approval, written by the action methods only (``write`` refuses them)."""
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda a: a.state not in ("draft", "cancelled")):
            raise UserError(_("Only draft or cancelled segment campaigns can be deleted."))

    # ------------------------------------------------------------------ actions
    def action_compute_lines(self):
        """Read the segment's customers again and classify them (drafts only)."""
        self._check_sales_manager()
        if self.filtered(lambda a: a.state != "draft"):
            raise UserError(_("Only a draft segment campaign can read its segment again."))
        self._compute_lines()
        return True

    def action_submit(self):
        """Points and win-back offers go to a Loyalty Manager; activities are scheduled at once."""
        self._check_sales_manager()
        if self.filtered(lambda a: a.state != "draft"):
            raise UserError(_("Only a draft segment campaign can be submitted."))
        self._compute_lines()
        to_approve = self.filtered(lambda a: a.kind in APPROVED_KINDS)
        to_approve._write_protected({"state": "to_approve", "requested_by_id": self.env.uid})
        direct = self - to_approve
        if direct:
            direct._write_protected({"state": "approved", "requested_by_id": self.env.uid})
            direct._execute()
        return True

    def action_approve(self):
        if not self.env.user.has_group("crm_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only a Loyalty Manager may approve points of a segment campaign."))
        self._lock()
        if self.filtered(lambda a: a.state != "to_approve"):
            raise UserError(_("Only a segment campaign waiting for approval can be approved."))
        if not self.env.su and self.filtered(lambda a: self.env.user in (a.requested_by_id | a.create_uid)):
            raise AccessError(_("You cannot approve a segment campaign you requested: another manager approves."))
        self._write_protected(
            {"state": "approved", "approved_by_id": self.env.uid, "approved_on": fields.Datetime.now()}
        )
        self._execute()
        return True

    def action_cancel(self):
        if not (
            self.env.user.has_group("sales_team.group_sale_manager")
            or self.env.user.has_group("crm_loyalty.group_loyalty_manager")
        ):
            raise AccessError(_("Only a Sales or Loyalty Manager may cancel a segment campaign."))
        if self.filtered(lambda a: a.state not in ("draft", "to_approve")):
            raise UserError(_("Only draft segment campaigns or those waiting for approval can be cancelled."))
        self._write_protected({"state": "cancelled"})
        return True

    def action_draft(self):
        self._check_sales_manager()
        if self.filtered(lambda a: a.state != "cancelled"):
            raise UserError(_("Only a cancelled segment campaign can be set back to draft."))
        self._write_protected({"state": "draft", "requested_by_id": False})
        return True

    # ------------------------------------------------------------------ business methods
    def _check_sales_manager(self):
        if not self.env.su and not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only a Sales Manager may prepare segment campaigns."))

    def _lock(self):
        """Lock the campaigns' rows and read their state again: a second approval or a retried job waits for
        the first one and then finds it done (no entry, e-mail or activity is written twice)."""
        self.flush_recordset()
        self.env.execute_query(SQL("SELECT id FROM crm_segment_action WHERE id = ANY(%s) FOR UPDATE", self.ids))
        self.invalidate_recordset(["state"])

    def _segment_partners(self):
        """The segment's customers, read at once: the scores of the campaign's company in the RFM segment,
        or the members of the rule segment."""
        self.ensure_one()
        if self.rule_segment_id:
            # sudo: the segment's member table as it is, so that members the user may not read (another
            # company's customers) are listed as skipped rather than silently left out
            segment_sudo = self.rule_segment_id.sudo().with_context(active_test=False)
            return self.env["res.partner"].browse(segment_sudo.partner_ids.ids)
        scores = self.env["crm.rfm.score"].search_fetch(
            [("segment_id", "=", self.rfm_segment_id.id), ("company_id", "=", self.company_id.id)], ["partner_id"]
        )
        return scores.with_context(active_test=False).partner_id

    def _compute_lines(self):
        """Replace the lines by the segment's customers now, each a target or skipped with its reason
        (another company's, archived, objecting to profiling, no consent for the channel, not a member of the
        program): one read of the members, one consent filter, one search of the memberships."""
        Line = self.env["crm.segment.action.line"]
        self.line_ids._unlink_lines()
        vals_list = []
        for action in self:
            partners = action._segment_partners()
            # sudo: only the company, archive flag and profiling objection of the segment's own members, to
            # list another company's customers (which the user may not read) as skipped instead of failing
            partners_sudo = partners.sudo()
            others = partners_sudo.filtered(lambda p, c=action.company_id: p.company_id and p.company_id != c)
            archived = partners_sudo.filtered(lambda p: not p.active) - others
            objecting = partners_sudo.filtered(lambda p: p.commercial_partner_id.crm_profiling_opt_out)
            objecting -= others | archived
            candidates = partners.browse((partners_sudo - others - archived - objecting).ids)
            consenting = candidates._crm_filter_consenting(action.channel)
            memberships = {}
            if action.kind in APPROVED_KINDS:
                for membership in self.env["crm.loyalty.membership"].search_fetch(
                    [
                        ("program_id", "=", action.program_id.id),
                        ("partner_id", "in", consenting.ids),
                        ("state", "=", "active"),
                    ],
                    ["partner_id"],
                    order="id",
                ):
                    memberships.setdefault(membership.partner_id.id, membership.id)
            reasons = dict.fromkeys(others.ids, "other_company")
            reasons.update(dict.fromkeys(archived.ids, "archived"))
            reasons.update(dict.fromkeys(objecting.ids, "profiling"))
            reasons.update(dict.fromkeys((candidates - consenting).ids, "no_consent"))
            if action.kind in APPROVED_KINDS:
                reasons.update({pid: "not_member" for pid in consenting.ids if pid not in memberships})
            for partner_id in partners.ids:
                reason = reasons.get(partner_id)
                vals_list.append(
                    {
                        "action_id": action.id,
                        "partner_id": partner_id,
                        "status": "skipped" if reason else "target",
                        "skip_reason": reason or False,
                        "membership_id": False if reason else memberships.get(partner_id, False),
                    }
                )
        return Line._create_lines(vals_list)

    def _execute(self):
        """Carry out the approved campaigns for their target lines not yet done, then mark them done."""
        for action in self.filtered(lambda a: a.state == "approved"):
            lines = action.line_ids.filtered(lambda line: line.status == "target")
            if action.kind in APPROVED_KINDS:
                action._post_points(lines)
            if action.kind == "winback":
                action._send_offers(lines)
            if action.kind == "activity":
                action._schedule_activities(lines)
            action._write_protected({"state": "done", "done_on": fields.Datetime.now()})
        return True

    def _post_points(self, lines):
        """One bonus entry per target line, in one create through the ledger's API; lines that already have
        their entry are left alone."""
        self.ensure_one()
        lines = lines.filtered(lambda line: line.status != "skipped" and not line.entry_id and line.membership_id)
        if not lines:
            return
        extra = {"approved_by_id": self.env.uid}
        if self.kind == "winback":
            extra["expiry_date"] = self.offer_expiry_date
        entries = lines.membership_id._post_bonus("other", self.points, self.name, **extra)
        entry_by_membership = {entry.membership_id.id: entry.id for entry in entries}
        for line in lines:
            line._write_line({"entry_id": entry_by_membership[line.membership_id.id], "status": "done"})

    def _send_offers(self, lines):
        """The win-back e-mail of each target line, queued (sent by the mail queue), once per line."""
        self.ensure_one()
        lines = lines.filtered(lambda line: line.status != "skipped" and not line.mailed_on)
        template = self.mail_template_id or self.env.ref("crm_erp_bridge.mail_template_segment_action_winback")
        if lines:
            template.send_mail_batch(lines.ids, force_send=False)
            lines._write_line({"mailed_on": fields.Datetime.now(), "status": "done"})

    def _schedule_activities(self, lines):
        """One activity per target line for the assignee, in one create."""
        self.ensure_one()
        lines = lines.filtered(lambda line: line.status != "skipped" and not line.activity_id)
        model_id = self.env["ir.model"]._get_id("res.partner")
        activities = self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": line.partner_id.id,
                    "activity_type_id": self.task_type_id.id,
                    "summary": self.task_summary or self.name,
                    "date_deadline": self.task_deadline or fields.Date.context_today(self),
                    "user_id": (self.task_user_id or line.partner_id.user_id or self.env.user).id,
                }
                for line in lines
            ]
        )
        for line, activity in zip(lines, activities, strict=True):
            line._write_line({"activity_id": activity.id, "status": "done"})


class CrmSegmentActionLine(models.Model):
    """One customer of a segment campaign: targeted (then done), or skipped with the reason."""

    _name = "crm.segment.action.line"
    _description = "Segment Campaign Customer"
    # what it holds about a customer, in the customer's data export of crm_privacy
    _crm_privacy_export = ("segment_campaigns", _lt("Segment campaigns that targeted or skipped the customer"))
    _order = "status desc, id"

    action_id = fields.Many2one("crm.segment.action", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="action_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    status = fields.Selection(
        [("target", "To Do"), ("done", "Done"), ("skipped", "Skipped")], required=True, readonly=True
    )
    skip_reason = fields.Selection(SKIP_REASONS, readonly=True)
    membership_id = fields.Many2one("crm.loyalty.membership", readonly=True, ondelete="set null")
    entry_id = fields.Many2one("crm.loyalty.entry", string="Ledger Entry", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    mailed_on = fields.Datetime(string="E-mail Queued On", readonly=True)
    points = fields.Float(related="action_id.points")
    offer_text = fields.Text(related="action_id.offer_text")
    offer_expiry_date = fields.Date(related="action_id.offer_expiry_date")

    _sql_constraints = [("partner_uniq", "UNIQUE(action_id, partner_id)", "A customer is listed once per campaign.")]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(_("The customers of a segment campaign are read from its segment."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("The customers of a segment campaign are read from its segment."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.action_id.filtered(lambda a: a.state != "draft"):
            raise UserError(_("The customers of a submitted segment campaign are kept."))

    @api.model
    def _create_lines(self, vals_list):
        """Lines written by the campaign's own methods (``create`` refuses clients)."""
        return super().create(vals_list)

    def _write_line(self, vals):
        return super().write(vals)

    def _unlink_lines(self):
        return self.unlink()
