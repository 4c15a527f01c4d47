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
    loyalty_membership_ids = fields.One2many("crm.loyalty.membership", "partner_id", string="Loyalty Memberships")
    loyalty_balance = fields.Float(compute="_compute_loyalty_summary", string="Loyalty Points")
    loyalty_tier_id = fields.Many2one("crm.loyalty.tier", compute="_compute_loyalty_summary")

    @api.depends_context("company")
    def _compute_loyalty_summary(self):
        groups = self.env["crm.loyalty.membership"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("state", "=", "active"),
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id"],
            ["balance:sum", "tier_id:max"],
        )
        summary = {partner.id: (balance, tier_id) for partner, balance, tier_id in groups}
        Tier = self.env["crm.loyalty.tier"]
        for partner in self:
            balance, tier_id = summary.get(partner.commercial_partner_id.id, (0.0, False))
            partner.loyalty_balance = balance
            partner.loyalty_tier_id = Tier.browse(tier_id) if tier_id else Tier

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
