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
    lifecycle_won_back_days = fields.Integer(
        string="Won Back Kept (days)",
        default=90,
        help="A customer who buys again after being lost stays Won Back this many days from the move; then the "
        "purchases since the return decide (the silence that lost them is not part of their rhythm).",
    )
    lifecycle_manual_lock_days = fields.Integer(
        string="Manual Stage Kept (days)",
        default=90,
        help="After a manual move, the automatic rule leaves the customer alone this many days.",
    )

    clv_horizon_months = fields.Integer(
        string="CLV Horizon (months)", default=12, help="How far ahead lifetime value is predicted."
    )
    clv_discount_rate = fields.Float(
        string="CLV Discount Rate (% a year)",
        default=10.0,
        help="Future purchases are worth less today: each month's predicted contribution is discounted at "
        "this yearly rate.",
    )
    clv_typical_gap_days = fields.Integer(
        string="Typical Repeat Gap (days)",
        readonly=True,
        help="Median over the customers who bought again of their mean days between purchases, as of the "
        "last recompute. One-time buyers silent for longer are listed as likely churning.",
    )
    clv_predicted_at = fields.Datetime(string="Churn and CLV Predicted On", readonly=True)
    clv_prediction_note = fields.Char(
        string="Churn and CLV Prediction",
        readonly=True,
        help="Why the last recompute could not predict churn and lifetime value.",
    )

    @api.constrains(
        "rfm_window_months",
        "lifecycle_stable_min_purchases",
        "lifecycle_decline_factor",
        "lifecycle_lost_days",
        "lifecycle_won_back_days",
        "lifecycle_manual_lock_days",
        "clv_horizon_months",
        "clv_discount_rate",
    )
    def _check_segmentation_settings(self):
        for company in self:
            if company.rfm_window_months <= 0:
                raise ValidationError(_("The RFM analysis window must be at least one month."))
            if company.lifecycle_stable_min_purchases < 2 or company.lifecycle_decline_factor <= 1:
                raise ValidationError(_("Stability needs at least two purchases and decline a factor above 1."))
            if company.lifecycle_lost_days <= 0 or company.lifecycle_manual_lock_days < 0:
                raise ValidationError(_("The lifecycle periods cannot be negative."))
            if company.lifecycle_won_back_days < 1:
                raise ValidationError(_("Won Back must last at least one day."))
            if company.clv_horizon_months < 1 or company.clv_discount_rate < 0:
                raise ValidationError(
                    _("The CLV horizon must be at least one month and its discount rate cannot be negative.")
                )
