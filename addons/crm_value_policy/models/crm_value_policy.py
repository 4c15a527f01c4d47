from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount

from odoo.addons.crm_customer_facts.tools.sql import pg_array
from odoo.addons.crm_feedback.models.crm_feedback_ticket import PRIORITIES
from odoo.addons.crm_segmentation.models.crm_rfm_score import VALUE_CLASSES

# the criteria of a rule: empty = any customer
CRITERIA = ("value_class", "rfm_segment_id", "tier_id", "clv_min", "clv_max")
# what a change of the table re-resolves: the criteria, the order and the rule's presence
RESOLVING_FIELDS = set(CRITERIA) | {"sequence", "active", "company_id"}


class CrmValuePolicy(models.Model):
    """One rule of the company's value policy: criteria on the customer's figures (value class, RFM segment,
    loyalty tier, predicted CLV band; empty = any) and the treatment of the customers it matches (empty =
    the company's usual behaviour). The first active rule by sequence that matches a customer is their
    policy (``crm.value.policy.assignment``)."""

    _name = "crm.value.policy"
    _description = "Customer Value Policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    # criteria
    value_class = fields.Selection(VALUE_CLASSES, help="Empty: any value class, unscored customers included.")
    rfm_segment_id = fields.Many2one(
        "crm.rfm.segment", string="RFM Segment", ondelete="restrict", help="Empty: any segment."
    )
    tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Loyalty Tier",
        ondelete="restrict",
        check_company=True,
        help="Customers with an active membership in this tier. Empty: any tier, members or not.",
    )
    clv_min = fields.Monetary(
        string="Predicted CLV from",
        help="Customers whose predicted lifetime value is at least this amount. 0: no lower bound.",
    )
    clv_max = fields.Monetary(
        string="Predicted CLV below",
        help="Customers whose predicted lifetime value is below this amount. 0: no upper bound.",
    )
    is_default = fields.Boolean(
        compute="_compute_is_default", string="Matches Everyone", help="A rule without criteria."
    )
    # effects
    sla_id = fields.Many2one(
        "crm.feedback.sla",
        string="SLA Policy",
        check_company=True,
        ondelete="restrict",
        help="The SLA of the customer's tickets. Empty: the ticket team's own SLA policies.",
    )
    ticket_priority = fields.Selection(
        PRIORITIES, help="Priority of a new ticket of the customer that sets none. Empty: Normal."
    )
    team_id = fields.Many2one(
        "crm.feedback.team",
        string="Routing Team",
        check_company=True,
        ondelete="restrict",
        help="Team of a new ticket of the customer that names none. Empty: the usual routing.",
    )
    use_credit_tolerance = fields.Boolean(
        string="Own Credit Tolerance", help="Unset: the company's Overdue Tolerance (Settings)."
    )
    credit_overdue_days = fields.Integer(
        string="Credit Tolerance (days)",
        help="Days an invoice may be overdue before the customer counts as overdue and may not redeem points.",
    )
    redeem_cap_pct = fields.Float(
        string="Redemption Cap (% of order)",
        help="Share of an order's total that points may pay. 0: the program's share.",
    )
    redeem_cap_points = fields.Float(
        string="Redemption Cap (points per order)",
        help="Most points one order may redeem. 0: no limit in points.",
    )
    use_goodwill_cap = fields.Boolean(string="Own Goodwill Cap", help="Unset: the company's goodwill cap (Settings).")
    goodwill_cap_points = fields.Float(
        string="Goodwill Cap (points)",
        help="Goodwill points the customer may receive over the company's cap period.",
    )
    earn_multiplier = fields.Float(
        string="Earning Multiplier",
        default=1.0,
        digits=(16, 2),
        help="Points earned on invoices are multiplied by this factor, on top of the tier's multiplier. 1: as usual.",
    )
    customer_count = fields.Integer(compute="_compute_customer_count", string="Customers")

    _sql_constraints = [
        ("credit_days_positive", "CHECK(credit_overdue_days >= 0)", "A credit tolerance cannot be negative."),
        (
            "redeem_pct_range",
            "CHECK(redeem_cap_pct >= 0 AND redeem_cap_pct <= 100)",
            "A redemption cap is a share between 0 and 100%.",
        ),
        ("redeem_points_positive", "CHECK(redeem_cap_points >= 0)", "A redemption cap cannot be negative."),
        ("goodwill_cap_positive", "CHECK(goodwill_cap_points >= 0)", "A goodwill cap cannot be negative."),
        ("earn_multiplier_positive", "CHECK(earn_multiplier >= 0)", "An earning multiplier cannot be negative."),
    ]

    @api.depends(*CRITERIA)
    def _compute_is_default(self):
        for policy in self:
            policy.is_default = not any(policy[name] for name in CRITERIA)

    def _compute_customer_count(self):
        counts = dict(
            self.env["crm.value.policy.assignment"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.customer_count = counts.get(policy, 0)

    @api.constrains("clv_min", "clv_max")
    def _check_clv_band(self):
        for policy in self:
            if policy.clv_min and policy.clv_max and policy.clv_min >= policy.clv_max:
                raise ValidationError(
                    _(
                        "The CLV band of %(policy)s is empty: its lower bound must be below its upper bound.",
                        policy=policy.name,
                    )
                )

    @api.constrains("sla_id", "team_id")
    def _check_sla_team(self):
        for policy in self:
            if policy.sla_id and policy.team_id and policy.sla_id.team_id != policy.team_id:
                raise ValidationError(
                    _(
                        "The SLA policy %(sla)s of %(policy)s belongs to the team %(sla_team)s, not to its "
                        "routing team %(team)s.",
                        sla=policy.sla_id.name,
                        policy=policy.name,
                        sla_team=policy.sla_id.team_id.name,
                        team=policy.team_id.name,
                    )
                )

    # ------------------------------------------------------------------ CRUD: the table changes, customers follow
    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self.env["crm.value.policy.assignment"]._resolve(policies.company_id, reason="policy")
        return policies

    def write(self, vals):
        if "active" in vals and not vals["active"] and any(policy.is_default for policy in self):
            raise UserError(
                _("The rule matching every customer is the company's default: change its effects, keep it active.")
            )
        companies = self.company_id
        res = super().write(vals)
        if {*CRITERIA, "active", "company_id"} & set(vals):
            self._check_companies_keep_a_default(companies | self.company_id)
        if RESOLVING_FIELDS & set(vals):
            self.env["crm.value.policy.assignment"]._resolve(companies | self.company_id, reason="policy")
        return res

    @api.model
    def _check_companies_keep_a_default(self, companies):
        """Every company keeps an active rule matching every customer (its default), whatever the edits."""
        for company in companies:
            if not self.search([("company_id", "=", company.id)]).filtered("is_default"):
                raise ValidationError(
                    _(
                        "%(company)s needs an active rule without criteria, matching every customer: its default.",
                        company=company.display_name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default_or_in_history(self):
        """The company's default is kept; a rule some customer had is archived, their history keeps it."""
        if any(policy.is_default for policy in self):
            raise UserError(
                _("The rule matching every customer is the company's default: change its effects, keep it.")
            )
        # sudo: whether any customer ever had the rule, in the history the user may not read in full
        history_sudo = self.env["crm.value.policy.history"].sudo()
        used = history_sudo.search(["|", ("old_policy_id", "in", self.ids), ("new_policy_id", "in", self.ids)])
        if used:
            raise UserError(
                _(
                    "Customers had %(policies)s: the history of their policies keeps it. Archive it instead.",
                    policies=", ".join(((used.old_policy_id | used.new_policy_id) & self).mapped("name")),
                )
            )

    def unlink(self):
        companies = self.company_id
        res = super().unlink()
        self.env["crm.value.policy.assignment"]._resolve(companies, reason="policy")
        return res

    # ------------------------------------------------------------------ actions
    def action_view_customers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Customers of %(policy)s", policy=self.name),
            "res_model": "crm.value.policy.assignment",
            "view_mode": "list,form",
            "domain": [("policy_id", "=", self.id)],
        }

    # ------------------------------------------------------------------ business
    @api.model
    def _create_company_defaults(self, companies):
        """The default rule of each of ``companies`` that has no rule yet: matches everyone, changes nothing."""
        have = {
            company
            for [company] in self.with_context(active_test=False)._read_group(
                [("company_id", "in", companies.ids)], ["company_id"]
            )
        }
        # the install and a company created by a script have no language: the name is then English
        name = self.with_context(lang=self.env.lang or "en_US").env._("Standard")
        return self.create(
            [{"name": name, "sequence": 1000, "company_id": company.id} for company in companies if company not in have]
        )

    def _describe(self):
        """Why this rule chose a customer, in the reader's language: its criteria, or that it matches all."""
        self.ensure_one()
        parts = []
        if self.value_class:
            labels = dict(self._fields["value_class"]._description_selection(self.env))
            parts.append(_("value class %(value)s", value=labels[self.value_class]))
        if self.rfm_segment_id:
            parts.append(_("RFM segment %(segment)s", segment=self.rfm_segment_id.name))
        if self.tier_id:
            parts.append(_("loyalty tier %(tier)s", tier=self.tier_id.name))
        if self.clv_min:
            parts.append(
                _("predicted CLV from %(amount)s", amount=format_amount(self.env, self.clv_min, self.currency_id))
            )
        if self.clv_max:
            parts.append(
                _("predicted CLV below %(amount)s", amount=format_amount(self.env, self.clv_max, self.currency_id))
            )
        if not parts:
            return _(
                "%(policy)s (rule %(sequence)s) matches every customer not matched by a rule above it.",
                policy=self.name,
                sequence=self.sequence,
            )
        return _(
            "%(policy)s (rule %(sequence)s) is the first rule the customer matches: %(criteria)s.",
            policy=self.name,
            sequence=self.sequence,
            criteria=", ".join(parts),
        )

    @api.model
    def _match_sql(self, company, partners_sql):
        """One statement: the first active rule of ``company`` (by sequence) each customer of ``partners_sql``
        (a query returning ``partner_id``) matches, as rows (partner_id, policy_id; NULL when no rule matches),
        read from the customer's score (value class, segment, predicted CLV) and active memberships (tier)."""
        return SQL(
            """
            SELECT t.partner_id, m.policy_id
              FROM (%(partners)s) t
              LEFT JOIN crm_rfm_score s ON s.partner_id = t.partner_id AND s.company_id = %(company)s
              LEFT JOIN LATERAL (
                    SELECT p.id AS policy_id
                      FROM crm_value_policy p
                     WHERE p.company_id = %(company)s AND p.active
                       AND (p.value_class IS NULL OR p.value_class = s.value_class)
                       AND (p.rfm_segment_id IS NULL OR p.rfm_segment_id = s.segment_id)
                       AND (p.tier_id IS NULL OR EXISTS (
                                SELECT FROM crm_loyalty_membership ms
                                 WHERE ms.partner_id = t.partner_id AND ms.company_id = %(company)s
                                   AND ms.state = 'active' AND ms.tier_id = p.tier_id))
                       AND (COALESCE(p.clv_min, 0) = 0 OR s.clv_12m >= p.clv_min)
                       AND (COALESCE(p.clv_max, 0) = 0 OR s.clv_12m < p.clv_max)
                  ORDER BY p.sequence, p.id
                     LIMIT 1) m ON TRUE
            """,
            partners=partners_sql,
            company=company.id,
        )

    @api.model
    def _for_partners(self, partners, company):
        """{commercial partner id: policy} of ``partners`` in ``company``, as superuser (the consumers apply
        the company's rule for the customer whoever acts: a support agent, a salesperson, a portal user):
        the stored assignment, or for customers not resolved yet, the rule they match now (nothing written).
        Customers without a matching rule are missing."""
        customers = partners.commercial_partner_id
        if not customers or not company:
            return {}
        # sudo: the policy is the company's rule on the customer, read for the flows that apply it
        Policy_sudo = self.sudo()
        Assignment_sudo = self.env["crm.value.policy.assignment"].sudo()
        result = {}
        for assignment in Assignment_sudo.search_fetch(
            [("partner_id", "in", customers.ids), ("company_id", "=", company.id)], ["partner_id", "policy_id"]
        ):
            if assignment.policy_id:
                result[assignment.partner_id.id] = assignment.policy_id
        missing = [pid for pid in customers.ids if pid not in result]
        if missing:
            self.flush_model()
            self.env["crm.rfm.score"].flush_model()
            self.env["crm.loyalty.membership"].flush_model()
            self.env.cr.execute(
                self._match_sql(company, SQL("SELECT unnest(%s::int[]) AS partner_id", pg_array(missing)))
            )
            for partner_id, policy_id in self.env.cr.fetchall():
                if policy_id:
                    result[partner_id] = Policy_sudo.browse(policy_id)
        return result
