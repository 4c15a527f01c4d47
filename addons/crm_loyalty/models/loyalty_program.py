import itertools

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import formatLang

from ..tools.points import points_digits, round_points


class CrmLoyaltyProgram(models.Model):
    _name = "crm.loyalty.program"
    _description = "Loyalty Program"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True, string="Currency")
    point_value = fields.Float(
        digits="Product Price",
        default=0.01,
        tracking=True,
        help="Money (company currency) one point is worth when redeemed; also values the liability.",
    )
    earn_rate = fields.Float(
        string="Points per Currency Unit",
        default=1.0,
        digits=(16, 4),
        tracking=True,
        help="Points earned per unit of untaxed invoiced amount, in company currency.",
    )
    rounding = fields.Float(string="Points Rounding", default=1.0, digits=(16, 4))
    rounding_method = fields.Selection(
        [("HALF-UP", "Half up"), ("UP", "Up"), ("DOWN", "Down")], default="DOWN", required=True
    )
    validity_months = fields.Integer(string="Points Validity (months)", default=12, help="0 means points never expire.")
    max_redeem_pct = fields.Float(
        string="Max Share Payable with Points (%)",
        default=50.0,
        help="Highest share of an order's total that may be paid with points.",
    )
    min_redeem_points = fields.Float(string="Minimum Points to Redeem", default=0.0)
    auto_enroll = fields.Boolean(
        string="Enrol on First Invoice", help="Customers become members when their first invoice is posted."
    )
    reward_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain=[("type", "=", "service")],
        help="Service product used for the discount line when points are redeemed on a quotation.",
    )
    rule_ids = fields.One2many("crm.loyalty.rule", "program_id", string="Earning Rules", copy=True)
    # tiers
    tier_ids = fields.One2many("crm.loyalty.tier", "program_id", string="Tiers", copy=True)
    tier_metric = fields.Selection(
        [("points", "Points earned"), ("amount", "Net revenue")],
        default="points",
        required=True,
        help="Points earned, or the customer's net revenue in the program's company (invoices after every "
        "credit note and points discount, the figure of the customer's 360 view), over the window.",
    )
    tier_window_months = fields.Integer(string="Qualification Window (months)", default=12)
    review_interval_months = fields.Integer(
        string="Downgrade Review Every (months)",
        default=3,
        help="Tiers go up at once; they go down only at this periodic review.",
    )
    next_review_date = fields.Date(default=fields.Date.context_today)
    tier_mail_template_id = fields.Many2one(
        "mail.template", string="Tier Change Email", domain=[("model", "=", "crm.loyalty.membership")]
    )
    # bonuses
    first_purchase_bonus = fields.Float()
    birthday_bonus = fields.Float()
    referral_bonus = fields.Float(help="Earned by the referrer at the referee's first invoice.")
    membership_ids = fields.One2many("crm.loyalty.membership", "program_id", string="Members")
    member_count = fields.Integer(compute="_compute_member_count")
    sequence_id = fields.Many2one("ir.sequence", string="Member Number Sequence", copy=False, readonly=True)

    _sql_constraints = [
        ("point_value_positive", "CHECK(point_value > 0)", "The point value must be positive."),
        ("earn_rate_positive", "CHECK(earn_rate >= 0)", "The earning rate cannot be negative."),
        ("rounding_positive", "CHECK(rounding > 0)", "The points rounding must be positive."),
        ("validity_positive", "CHECK(validity_months >= 0)", "The validity cannot be negative."),
        (
            "max_redeem_pct_range",
            "CHECK(max_redeem_pct >= 0 AND max_redeem_pct <= 100)",
            "The share payable with points must be between 0 and 100%.",
        ),
        ("min_redeem_positive", "CHECK(min_redeem_points >= 0)", "The minimum to redeem cannot be negative."),
        (
            "bonus_positive",
            "CHECK(first_purchase_bonus >= 0 AND birthday_bonus >= 0 AND referral_bonus >= 0)",
            "Bonuses cannot be negative.",
        ),
        (
            "window_positive",
            "CHECK(tier_window_months > 0 AND review_interval_months > 0)",
            "The qualification window and review interval must be at least one month.",
        ),
    ]

    def _compute_member_count(self):
        counts = dict(
            self.env["crm.loyalty.membership"]._read_group(
                [("program_id", "in", self.ids)], ["program_id"], ["__count"]
            )
        )
        for program in self:
            program.member_count = counts.get(program, 0)

    def _check_tier_order(self):
        for program in self:
            thresholds = [t.threshold for t in program.tier_ids.sorted(lambda t: (t.sequence, t.id))]
            if any(b <= a for a, b in itertools.pairwise(thresholds)):
                raise ValidationError(
                    _(
                        "The tier thresholds of %(program)s must increase from one tier to the next.",
                        program=program.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        for program in programs:
            program.sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        # sudo: loyalty managers configure programs but have no right on ir.sequence
                        "name": _("Loyalty members: %(program)s", program=program.name),
                        "code": f"crm.loyalty.membership.{program.id}",
                        "prefix": "M%(y)s-",
                        "padding": 5,
                        "company_id": program.company_id.id,
                    }
                )
            )
        # invoice lines of these reward products are points paid with, no longer revenue
        self.env["crm.sales.fact"]._refresh_products(programs.reward_product_id.ids)
        return programs

    def write(self, vals):
        if "reward_product_id" not in vals:
            return super().write(vals)
        products = self.reward_product_id
        res = super().write(vals)
        # the lines of the old and the new reward product move between revenue and loyalty rewards
        self.env["crm.sales.fact"]._refresh_products((products | self.reward_product_id).ids)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_members(self):
        if self.membership_ids:
            raise UserError(_("A program with members cannot be deleted: archive it instead."))

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_loyalty.crm_loyalty_membership_action")
        action["domain"] = [("program_id", "=", self.id)]
        action["context"] = {"default_program_id": self.id}
        return action

    # ------------------------------------------------------------------ business helpers
    def _round(self, points):
        self.ensure_one()
        return round_points(points, self.rounding, self.rounding_method)

    def _format_points(self, points):
        """Points as people read them, in messages, ledger reasons and reports: the program's granularity
        in the user's language ("1,560", "12.5"), never a bare float ("1560.0"). Without a program, whole
        points (and the decimals an off-grid amount needs)."""
        rounding = self.ensure_one().rounding if self else 1.0
        return formatLang(self.env, points, digits=points_digits(rounding, points))

    def _check_usable(self):
        for program in self:
            if not program.active:
                raise UserError(_("The loyalty program %(program)s is archived.", program=program.name))

    def _expiry_date(self, date):
        self.ensure_one()
        return date + relativedelta(months=self.validity_months) if self.validity_months else False

    def _multipliers(self):
        """{program: (product multipliers, category multipliers)} from the earning rules."""
        self.ensure_one()
        by_product, by_categ = {}, {}
        for rule in self.rule_ids:
            if rule.product_id:
                by_product[rule.product_id.id] = rule.multiplier
            elif rule.categ_id:
                by_categ[rule.categ_id.id] = rule.multiplier
        return by_product, by_categ

    def _product_multiplier(self, product, rules):
        """Product rule first, then the nearest category rule up the tree, else 1."""
        by_product, by_categ = rules
        if product.id in by_product:
            return by_product[product.id]
        categ = product.categ_id
        while categ:
            if categ.id in by_categ:
                return by_categ[categ.id]
            categ = categ.parent_id
        return 1.0
