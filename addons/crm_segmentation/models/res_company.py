from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    rfm_window_months = fields.Integer(string="RFM Analysis Window (months)", default=24)
    rfm_count_sale_orders = fields.Boolean(
        string="Count Confirmed Sale Orders",
        help="Confirmed sale orders without a posted invoice count as purchases on their order date, at their "
        "untaxed amount in company currency; once invoiced, the invoice counts instead. Value classes stay "
        "on invoiced figures.",
    )
    lifecycle_stable_min_purchases = fields.Integer(string="Purchases for Stability", default=3)
    lifecycle_decline_factor = fields.Float(
        string="Decline after (x typical gap)",
        default=2.0,
        help="A customer whose last purchase is older than this many times their usual gap is declining.",
    )
    lifecycle_lost_days = fields.Integer(string="Lost after (days)", default=365)
    lifecycle_manual_lock_days = fields.Integer(
        string="Manual Stage Kept (days)",
        default=90,
        help="After a manual move, the automatic rule leaves the customer alone this many days.",
    )

    @api.constrains(
        "rfm_window_months",
        "lifecycle_stable_min_purchases",
        "lifecycle_decline_factor",
        "lifecycle_lost_days",
        "lifecycle_manual_lock_days",
    )
    def _check_segmentation_settings(self):
        for company in self:
            if company.rfm_window_months <= 0:
                raise ValidationError(_("The RFM analysis window must be at least one month."))
            if company.lifecycle_stable_min_purchases < 2 or company.lifecycle_decline_factor <= 1:
                raise ValidationError(_("Stability needs at least two purchases and decline a factor above 1."))
            if company.lifecycle_lost_days <= 0 or company.lifecycle_manual_lock_days < 0:
                raise ValidationError(_("The lifecycle periods cannot be negative."))
