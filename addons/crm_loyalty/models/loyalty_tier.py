from odoo import api, fields, models


class CrmLoyaltyTier(models.Model):
    _name = "crm.loyalty.tier"
    _description = "Loyalty Tier"
    _order = "program_id, sequence, threshold, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    program_id = fields.Many2one("crm.loyalty.program", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    threshold = fields.Float(
        string="Qualification Threshold",
        help="Points earned or net revenue (per the program's metric) over the rolling window.",
    )
    multiplier = fields.Float(string="Earning Multiplier", default=1.0)
    benefits = fields.Text(translate=True)
    color = fields.Integer()

    _sql_constraints = [
        ("threshold_positive", "CHECK(threshold >= 0)", "A tier threshold cannot be negative."),
        ("multiplier_positive", "CHECK(multiplier >= 0)", "A tier multiplier cannot be negative."),
    ]

    @api.constrains("threshold", "sequence", "program_id")
    def _check_threshold_order(self):
        self.program_id._check_tier_order()
