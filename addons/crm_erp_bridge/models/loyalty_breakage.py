from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLoyaltyProgram(models.Model):
    _inherit = "crm.loyalty.program"

    expected_redemption_rate = fields.Float(
        default=1.0,
        digits=(16, 4),
        tracking=True,
        help="Share of the points earned that the program expects its members to redeem (a fraction: 0.8 = 80%). "
        "The rest is the expected breakage, recognised as the points are redeemed. Estimated from the closed "
        "cohorts of the program's own history (Estimate Breakage); an accountant may override it with a reason.",
    )

    @api.constrains("expected_redemption_rate")
    def _check_expected_redemption_rate(self):
        for program in self:
            if not 0 < program.expected_redemption_rate <= 1:
                raise ValidationError(
                    _(
                        "Program %(program)s: the expected redemption rate must be above 0 and at most 1 "
                        "(a fraction of the points earned).",
                        program=program.name,
                    )
                )
