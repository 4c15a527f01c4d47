import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, format_date

_logger = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 30
PRECISION = 1e-6


class CrmLoyaltyMembership(models.Model):
    _name = "crm.loyalty.membership"
    _description = "Loyalty Membership"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "enroll_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Member Number", readonly=True, copy=False, default="/", index="trigram")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        # a company or a private customer, never a contact of a company (see _check_commercial_partner)
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        tracking=True,
    )
    program_id = fields.Many2one(
        "crm.loyalty.program",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    enroll_date = fields.Date(default=fields.Date.context_today, required=True)
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended"), ("closed", "Closed")],
        default="active",
        required=True,
        tracking=True,
    )
    tier_id = fields.Many2one(
        "crm.loyalty.tier",
        tracking=True,
        domain="[('program_id', '=', program_id)]",
        group_expand="_read_group_tier_ids",
    )
    tier_since = fields.Date(readonly=True)
    color = fields.Integer(related="tier_id.color")
    entry_ids = fields.One2many("crm.loyalty.entry", "membership_id", string="Ledger")
    balance = fields.Float(compute="_compute_balance", store=True, string="Points Balance")
    balance_value = fields.Monetary(compute="_compute_balance_value", currency_field="currency_id")
    lifetime_points = fields.Float(compute="_compute_balance", store=True)
    expiring_points = fields.Float(compute="_compute_expiring_points", string="Expiring in 30 Days")
    last_redeem_date = fields.Date(readonly=True)
    # not a related field: a membership saved with the flag unchanged (a new one from the program's form) must not
    # write the customer, whom loyalty staff may not edit
    statement_optin = fields.Boolean(
        compute="_compute_statement_optin",
        inverse="_inverse_statement_optin",
        string="Monthly Statement",
        help="The customer receives a monthly e-mail with their points (set on the customer or on their portal page).",
    )
    expiry_reminder_date = fields.Date(
        string="Expiry Reminded Up To",
        readonly=True,
        copy=False,
        help="Latest expiry date the member was reminded of: a reminder is sent once per member and expiry date.",
    )
    statement_date = fields.Date(
        string="Last Statement Month",
        readonly=True,
        copy=False,
        help="First day of the last month a statement was sent for: one statement per member and month.",
    )

    _sql_constraints = [
        (
            "partner_program_uniq",
            "UNIQUE(partner_id, program_id)",
            "A customer can be a member of a program only once.",
        ),
    ]

    @api.depends("entry_ids.points", "entry_ids.counts_lifetime")
    def _compute_balance(self):
        groups = self.env["crm.loyalty.entry"]._read_group(
            [("membership_id", "in", self.ids)], ["membership_id", "counts_lifetime"], ["points:sum"]
        )
        balance, lifetime = {}, {}
        for membership, counts, points in groups:
            balance[membership.id] = balance.get(membership.id, 0.0) + points
            if counts:
                lifetime[membership.id] = points
        for membership in self:
            membership.balance = balance.get(membership.id, 0.0)
            membership.lifetime_points = lifetime.get(membership.id, 0.0)

    @api.depends("balance", "program_id.point_value")
    @api.depends("partner_id.loyalty_statement_optin")
    def _compute_statement_optin(self):
        for membership in self:
            membership.statement_optin = membership.partner_id.loyalty_statement_optin

    def _inverse_statement_optin(self):
        for membership in self:
            if membership.partner_id.loyalty_statement_optin != membership.statement_optin:
                # sudo: loyalty staff record the member's choice on a membership the ORM let them write; only
                # this flag of the member is written
                membership.partner_id.sudo().loyalty_statement_optin = membership.statement_optin

    def _compute_balance_value(self):
        for membership in self:
            membership.balance_value = membership.balance * membership.program_id.point_value

    def _compute_expiring_points(self):
        today = fields.Date.context_today(self)
        groups = dict(
            self.env["crm.loyalty.entry"]._read_group(
                [
                    ("membership_id", "in", self.ids),
                    ("remaining", ">", 0),
                    ("expiry_date", "!=", False),
                    ("expiry_date", "<=", today + timedelta(days=EXPIRY_WARNING_DAYS)),
                ],
                ["membership_id"],
                ["remaining:sum"],
            )
        )
        for membership in self:
            membership.expiring_points = groups.get(membership, 0.0)

    @api.model
    def _read_group_tier_ids(self, tiers, domain):
        program_id = self.env.context.get("default_program_id")
        if program_id:
            return tiers.search([("program_id", "=", program_id)])
        return tiers

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for membership in self:
            if membership.partner_id != membership.partner_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "Enrol the company %(company)s, not its contact %(contact)s.",
                        company=membership.partner_id.commercial_partner_id.display_name,
                        contact=membership.partner_id.display_name,
                    )
                )

    @api.constrains("tier_id", "program_id")
    def _check_tier_program(self):
        for membership in self:
            if membership.tier_id and membership.tier_id.program_id != membership.program_id:
                raise ValidationError(_("The tier must belong to the membership's program."))

    @api.model_create_multi
    def create(self, vals_list):
        programs = self.env["crm.loyalty.program"].browse(
            [v.get("program_id") for v in vals_list if v.get("program_id")]
        )
        programs._check_usable()
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        memberships = super().create(vals_list)
        for membership in memberships:
            if membership.name == "/":
                # sudo: the number sequence is technical configuration; members are enrolled by loyalty users
                membership.name = membership.program_id.sequence_id.sudo().next_by_id() or "/"
        memberships._apply_tiers(allow_downgrade=False)
        return memberships

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
        if self.entry_ids:
            raise UserError(_("A membership with ledger entries cannot be deleted: close it instead."))

    # ------------------------------------------------------------------ actions
    def action_suspend(self):
        self.write({"state": "suspended"})

    def action_close(self):
        self.write({"state": "closed"})

    def action_reactivate(self):
        self.program_id._check_usable()
        self.write({"state": "active"})

    def action_view_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_loyalty.crm_loyalty_entry_action")
        action["domain"] = [("membership_id", "=", self.id)]
        action["context"] = {"search_default_group_by_type": 0}
        return action

    def action_open_adjust_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Adjust Points"),
            "res_model": "crm.loyalty.adjust.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_membership_id": self.id},
        }

    # ------------------------------------------------------------------ ledger API
    def _invalidate_balance(self):
        """Make the stored balance follow the new entries now (the row update also serialises races)."""
        self.invalidate_recordset(["entry_ids"])
        self.env.add_to_compute(self._fields["balance"], self)
        self.env.add_to_compute(self._fields["lifetime_points"], self)
        self.flush_recordset(["balance", "lifetime_points"])

    def _lock_for_update(self):
        """Row-lock the memberships for the rest of the transaction.

        Two transactions redeeming for the same member queue here; the second one then
        fails to serialise (the first updated the row) and Odoo retries it, seeing the new balance.
        """
        if self.ids:
            self.env.cr.execute(
                SQL("SELECT id FROM crm_loyalty_membership WHERE id IN %s ORDER BY id FOR UPDATE", tuple(self.ids))
            )

    def _check_can_spend(self, points):
        """Raise unless this active membership has ``points`` available (read under lock)."""
        self.ensure_one()
        if self.state != "active":
            raise UserError(_("%(member)s is not an active membership.", member=self.display_name))
        self._lock_for_update()
        available = self.env["crm.loyalty.entry"]._sum_points_sql(self.ids).get(self.id, 0.0)
        if float_compare(points, available, precision_digits=6) > 0:
            raise UserError(
                _(
                    "%(member)s has %(balance)s points; %(points)s cannot be spent.",
                    member=self.display_name,
                    balance=self.program_id._format_points(available),
                    points=self.program_id._format_points(points),
                )
            )

    def _summary_line(self):
        """One membership's figures ("Club: 550 points (Silver)"), for summaries across programs."""
        self.ensure_one()
        program = self.program_id
        if self.tier_id:
            return _(
                "%(program)s: %(points)s points (%(tier)s)",
                program=program.name,
                points=program._format_points(self.balance),
                tier=self.tier_id.name,
            )
        return _("%(program)s: %(points)s points", program=program.name, points=program._format_points(self.balance))

    def _post_bonus(self, kind, points, reason=False, **extra):
        """Post a bonus; ``reason`` only for text typed by a user (the reason of the other kinds is rendered
        from ``kind`` in the reader's language)."""
        vals = [
            {
                "membership_id": m.id,
                "entry_type": "bonus",
                "bonus_kind": kind,
                "points": points,
                "reason": reason,
                "expiry_date": m.program_id._expiry_date(extra.get("date") or fields.Date.context_today(self)),
                **extra,
            }
            for m in self
        ]
        return self.env["crm.loyalty.entry"].create(vals)

    # ------------------------------------------------------------------ tiers
    def _tier_metrics(self):
        """{membership id: qualifying metric over each program's rolling window}, one query per program."""
        today = fields.Date.context_today(self)
        metrics = {}
        for program in self.program_id:
            members = self.filtered(lambda m, p=program: m.program_id == p)
            start = today - relativedelta(months=program.tier_window_months)
            if program.tier_metric == "amount":
                # the net revenue of the window as the customer figures define it (crm_customer_facts): the
                # same number as the 360 panel and the reports, from the window's first day
                totals = self.env["crm.sales.fact"]._customer_totals(
                    members.partner_id, program.company_id, start - relativedelta(days=1), today, ["net_revenue"]
                )
                metrics.update(
                    {
                        m.id: totals.get((m.partner_id.id, program.company_id.id), {}).get("net_revenue", 0.0)
                        for m in members
                    }
                )
                continue
            groups = self.env["crm.loyalty.entry"]._read_group(
                [("membership_id", "in", members.ids), ("counts_lifetime", "=", True), ("date", ">=", start)],
                ["membership_id"],
                ["points:sum"],
            )
            metrics.update({m.id: value for m, value in groups})
        return metrics

    def _target_tier(self, metric):
        self.ensure_one()
        target = self.env["crm.loyalty.tier"]
        for tier in self.program_id.tier_ids.sorted(lambda t: (t.sequence, t.id)):
            if float_compare(metric, tier.threshold, precision_digits=6) >= 0:
                target = tier
        return target

    def _apply_tiers(self, allow_downgrade=False):
        """Move members to the tier their metric qualifies for: up at once, down only if allowed."""
        metrics = self._tier_metrics()
        today = fields.Date.context_today(self)
        changed = self.browse()
        for membership in self.filtered(lambda m: m.state == "active" and m.program_id.tier_ids):
            tiers = membership.program_id.tier_ids.sorted(lambda t: (t.sequence, t.id))
            target = membership._target_tier(metrics.get(membership.id, 0.0))
            current = membership.tier_id
            rank = {tier.id: i for i, tier in enumerate(tiers)}
            going_up = rank.get(target.id, -1) > rank.get(current.id, -1)
            if target == current or not (going_up or allow_downgrade):
                continue
            membership.write({"tier_id": target.id, "tier_since": today})
            changed |= membership
            membership._notify_tier_change(current, target, going_up)
        return changed

    def _notify_tier_change(self, old, new, going_up):
        self.ensure_one()
        # the note stays in the customer's chatter for everyone: written in the company's language, not in
        # the language of whoever's invoice or review moved the tier
        doc_env = self.with_context(lang=self.company_id.partner_id.lang or self.env.lang).env
        old, new, program = old.with_env(doc_env), new.with_env(doc_env), self.program_id.with_env(doc_env)
        if going_up:
            body = doc_env._(
                "Loyalty tier raised from %(old)s to %(new)s in %(program)s.",
                old=old.name or doc_env._("none"),
                new=new.name,
                program=program.name,
            )
        else:
            body = doc_env._(
                "Loyalty tier lowered from %(old)s to %(new)s in %(program)s at the periodic review.",
                old=old.name or doc_env._("none"),
                new=new.name or doc_env._("none"),
                program=program.name,
            )
        # sudo: the tier change is system news; a loyalty user may lack write access to contacts
        self.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        template = self.program_id.tier_mail_template_id
        # the tier mail promotes the program (marketing): sent with e-mail consent only; the note stays
        if template and self.partner_id._crm_filter_consenting("email"):
            template.send_mail(self.id, force_send=False)

    # ------------------------------------------------------------------ crons
    @api.model
    def _cron_expire_points(self, batch_size=5000):
        """Expire the unconsumed remainder of every lot past its expiry date: one entry per lot.

        Batch after batch of lots (``crm.loyalty.entry._expire_lots``): the expire entries, their allocation
        by the ledger's FIFO to the lot they empty, the lots' remainders and the members' balances. Idempotent:
        an expired lot has nothing remaining, so a second run finds nothing; the cron runner commits only at
        the end, so a killed run leaves nothing half-written.
        """
        today = fields.Date.context_today(self)
        Entry = self.env["crm.loyalty.entry"]
        total = 0
        while expired := Entry._expire_lots(today, batch_size):
            total += len(expired)
        _logger.info("crm_loyalty: expired %d lots", total)
        return total

    @api.model
    def _cron_birthday_bonus(self):
        """Award the birthday bonus once per calendar year (29 February birthdays on the 28th otherwise)."""
        today = fields.Date.context_today(self)
        programs = self.env["crm.loyalty.program"].search([("birthday_bonus", ">", 0)])
        if not programs:
            return 0
        members = self.search(
            [
                ("program_id", "in", programs.ids),
                ("state", "=", "active"),
                ("partner_id.birthday", "!=", False),
            ]
        )
        leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)

        def is_birthday(day):
            if (day.month, day.day) == (2, 29) and not leap:
                return (today.month, today.day) == (2, 28)
            return (day.month, day.day) == (today.month, today.day)

        members = members.filtered(lambda m: is_birthday(m.partner_id.birthday))
        already = {
            m.id
            for [m] in self.env["crm.loyalty.entry"]._read_group(
                [
                    ("membership_id", "in", members.ids),
                    ("bonus_kind", "=", "birthday"),
                    ("date", ">=", today.replace(month=1, day=1)),
                ],
                ["membership_id"],
            )
        }
        to_award = members.filtered(lambda m: m.id not in already)
        for program in to_award.program_id:
            to_award.filtered(lambda m, p=program: m.program_id == p)._post_bonus(
                "birthday", program.birthday_bonus, date=today
            )
        return len(to_award)

    @api.model
    def _cron_review_tiers(self):
        """Periodic tier review: the only place tiers go down."""
        today = fields.Date.context_today(self)
        programs = self.env["crm.loyalty.program"].search(
            [
                ("next_review_date", "<=", today),
                ("tier_ids", "!=", False),
            ]
        )
        for program in programs:
            self.search([("program_id", "=", program.id), ("state", "=", "active")])._apply_tiers(allow_downgrade=True)
            program.next_review_date = today + relativedelta(months=program.review_interval_months)
        return programs

    # ------------------------------------------------------------------ the member's own view (portal, e-mails)
    def _tier_progress(self):
        """{membership id: {"metric", "next_tier", "missing"}}: the qualifying figure over the program's
        window and what is missing to reach the next tier (no next tier: the top one is reached)."""
        metrics = self._tier_metrics()
        progress = {}
        for membership in self:
            metric = metrics.get(membership.id, 0.0)
            tiers = membership.program_id.tier_ids.sorted(lambda t: (t.sequence, t.id))
            # the tier after the current one in the program's order (the first one without a tier)
            position = list(tiers).index(membership.tier_id) if membership.tier_id in tiers else -1
            next_tier = tiers[position + 1 : position + 2]
            missing = max(next_tier.threshold - metric, 0.0) if next_tier else 0.0
            progress[membership.id] = {"metric": metric, "next_tier": next_tier, "missing": missing}
        return progress

    def _open_lots(self):
        """The member's lots with points left, soonest expiry first (never-expiring ones last)."""
        return self.env["crm.loyalty.entry"].search(
            [("membership_id", "in", self.ids), ("points", ">", 0), ("remaining", ">", PRECISION)],
            order="expiry_date asc nulls last, date, id",
        )

    def _member_env(self):
        """The environment of the member's own language: e-mails are written and figures formatted in it."""
        self.ensure_one()
        return self.with_context(lang=self.partner_id.lang or self.company_id.partner_id.lang or self.env.lang).env

    @api.model
    def _cron_expiry_reminder(self, batch_size=500):
        """E-mail the members whose points expire within their company's reminder period (Settings; 0: off).

        One e-mail per member and expiry date, never twice: ``expiry_reminder_date`` keeps the latest expiry
        date a member was reminded of, and only later dates are reminded. A run that was missed is caught up
        (the period covers every date up to today + N days); a lot expiring before a date already reminded
        (only if the program's validity was shortened meanwhile) gets no reminder of its own. Batched:
        ``batch_size`` members per call, the cron runner commits and calls again while members remain
        (``ir.cron._notify_progress``).
        """
        today = fields.Date.context_today(self)
        template = self.env.ref("crm_loyalty.mail_template_expiry_reminder", raise_if_not_found=False)
        companies = self.env["res.company"].search([("loyalty_expiry_reminder_days", ">", 0)])
        if not template or not companies:
            return 0
        pending = defaultdict(dict)  # membership: {expiry date: points}
        for company in companies:
            groups = self.env["crm.loyalty.entry"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("points", ">", 0),
                    ("remaining", ">", PRECISION),
                    ("expiry_date", ">=", today),
                    ("expiry_date", "<=", today + timedelta(days=company.loyalty_expiry_reminder_days)),
                    ("membership_id.state", "=", "active"),
                    ("membership_id.partner_id.email", "!=", False),
                ],
                ["membership_id", "expiry_date:day"],
                ["remaining:sum"],
            )
            for membership, expiry, points in groups:
                if not membership.expiry_reminder_date or expiry > membership.expiry_reminder_date:
                    pending[membership][expiry] = points
        members = self.browse(sorted(m.id for m in pending))
        batch = members[:batch_size]
        sent = 0
        for membership in batch:
            member_env = membership._member_env()
            program = membership.program_id.with_env(member_env)
            for expiry, points in sorted(pending[membership].items()):
                template.with_context(
                    loyalty_expiry_date=expiry,
                    loyalty_expiry_points=program._format_points(points),
                ).send_mail(membership.id, force_send=False)
                sent += 1
            membership.expiry_reminder_date = max(pending[membership])
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(members) - len(batch))
        _logger.info("crm_loyalty: %d expiry reminders queued for %d members", sent, len(batch))
        return sent

    def _statement_values(self, start, end):
        """{membership id: the figures of its statement for the month ``start``..``end``}, numbers formatted
        in the member's language: balance, earned, redeemed, expired, other changes, lots expiring soon."""
        today = fields.Date.context_today(self)
        groups = self.env["crm.loyalty.entry"]._read_group(
            [("membership_id", "in", self.ids), ("date", ">=", start), ("date", "<=", end)],
            ["membership_id", "entry_type"],
            ["points:sum"],
        )
        moves = defaultdict(lambda: defaultdict(float))
        for membership, entry_type, points in groups:
            moves[membership.id][entry_type] += points
        soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
        lots = self._open_lots().filtered(lambda lot: lot.expiry_date and lot.expiry_date <= soon)
        values = {}
        for membership in self:
            member_env = membership._member_env()
            program = membership.program_id.with_env(member_env)
            fmt = program._format_points
            month = moves[membership.id]
            earned = month["earn"] + month["bonus"]
            redeemed = -month["redeem"]
            expired = -month["expire"]
            other = month["adjust"] + month["reverse"]
            values[membership.id] = {
                "month": format_date(member_env, start, date_format="MMMM y"),
                "balance": fmt(membership.balance),
                "earned": fmt(earned),
                "redeemed": fmt(redeemed),
                "expired": fmt(expired),
                "other": fmt(other) if other else False,
                "expiring": [
                    (format_date(member_env, lot.expiry_date), fmt(lot.remaining))
                    for lot in lots
                    if lot.membership_id == membership
                ],
            }
        return values

    @api.model
    def _cron_monthly_statement(self, batch_size=500):
        """E-mail last month's statement to the members who asked for it (``statement_optin``), once per
        member and month (``statement_date``), whatever day of the month it runs. Batched like the reminder."""
        today = fields.Date.context_today(self)
        template = self.env.ref("crm_loyalty.mail_template_monthly_statement", raise_if_not_found=False)
        if not template:
            return 0
        start = today.replace(day=1) - relativedelta(months=1)
        end = today.replace(day=1) - timedelta(days=1)
        domain = [
            ("state", "=", "active"),
            ("partner_id.loyalty_statement_optin", "=", True),
            ("partner_id.email", "!=", False),
            ("enroll_date", "<=", end),
            "|",
            ("statement_date", "=", False),
            ("statement_date", "<", start),
        ]
        remaining = self.search_count(domain)
        batch = self.search(domain, order="id", limit=batch_size)
        values = batch._statement_values(start, end)
        for membership in batch:
            template.with_context(loyalty_statement=values[membership.id]).send_mail(membership.id, force_send=False)
        batch.write({"statement_date": start})
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining - len(batch))
        _logger.info("crm_loyalty: %d monthly statements queued", len(batch))
        return len(batch)
