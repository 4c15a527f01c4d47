from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    birthday = fields.Date(help="Used for the loyalty birthday bonus.")
    loyalty_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        help="Loyalty member who referred this customer; earns the referral bonus at the first invoice.",
    )
    loyalty_statement_optin = fields.Boolean(
        string="Monthly Loyalty Statement",
        tracking=True,
        help="The customer asked for a monthly e-mail with their points: balance, points earned, redeemed and "
        "expired in the month, points expiring soon. Set by the customer on their portal page or by staff.",
    )
    loyalty_membership_ids = fields.One2many("crm.loyalty.membership", "partner_id", string="Loyalty Memberships")
    loyalty_program_id = fields.Many2one(
        "crm.loyalty.program",
        compute="_compute_loyalty_summary",
        help="The program of the current company this customer is an active member of (the first by sequence "
        "when there are several); the points and tier shown are this program's.",
    )
    loyalty_balance = fields.Float(
        compute="_compute_loyalty_summary",
        string="Loyalty Points",
        help="Points balance in the current company's program (never added across programs).",
    )
    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier", compute="_compute_loyalty_summary", help="Tier in the current company's program."
    )
    loyalty_summary = fields.Text(
        compute="_compute_loyalty_summary",
        string="Loyalty Programs",
        help="Points and tier in each program of the current companies, one line per program.",
    )

    @api.depends_context("company", "allowed_company_ids")
    def _compute_loyalty_summary(self):
        """Figures per program: a balance or a tier only means something within its program."""
        memberships = self.env["crm.loyalty.membership"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("state", "=", "active"),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        memberships = memberships.sorted(lambda m: (m.program_id.sequence, m.program_id.id))
        for partner in self:
            members = memberships.filtered(lambda m, p=partner: m.partner_id == p.commercial_partner_id)
            main = members.filtered(lambda m: m.company_id == self.env.company)[:1]
            partner.loyalty_program_id = main.program_id
            partner.loyalty_balance = main.balance
            partner.loyalty_tier_id = main.tier_id
            partner.loyalty_summary = "\n".join(m._summary_line() for m in members) or False

    @api.constrains("loyalty_referrer_id")
    def _check_referrer(self):
        for partner in self:
            if partner.loyalty_referrer_id and (
                partner.loyalty_referrer_id.commercial_partner_id == partner.commercial_partner_id
            ):
                raise ValidationError(_("A customer cannot refer themselves."))

    def action_view_loyalty_memberships(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_loyalty.crm_loyalty_membership_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
