from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLoyaltyRule(models.Model):
    _name = "crm.loyalty.rule"
    _description = "Loyalty Earning Rule"
    _check_company_auto = True

    program_id = fields.Many2one("crm.loyalty.program", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    product_id = fields.Many2one("product.product", check_company=True)
    categ_id = fields.Many2one("product.category", string="Product Category")
    multiplier = fields.Float(default=1.0, help="0 excludes the product or category from earning.")

    _sql_constraints = [
        ("multiplier_positive", "CHECK(multiplier >= 0)", "A multiplier cannot be negative."),
    ]

    @api.constrains("product_id", "categ_id")
    def _check_target(self):
        for rule in self:
            if bool(rule.product_id) == bool(rule.categ_id):
                raise ValidationError(_("An earning rule applies to either a product or a category."))
