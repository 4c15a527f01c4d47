from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    churn_active_months = fields.Integer(
        string="Active Customers (months)",
        default=24,
        help="Customers with a purchase in the company over these months get a daily churn risk.",
    )
    churn_risk_threshold = fields.Integer(
        string="At-Risk Score",
        default=50,
        help="A customer whose churn risk score reaches this (0-100) is flagged at risk.",
    )
    churn_holdout_percent = fields.Float(
        string="Holdout Share (%)",
        default=10.0,
        help="Share of the customers flagged at risk kept out of the win-back actions, drawn at random when "
        "they are first flagged, so that the save rate with action can be compared with the save rate without.",
    )
    churn_save_days = fields.Integer(
        string="Saved Within (days)",
        default=60,
        help="A flagged customer who orders again within these days of being flagged counts as saved.",
    )
    churn_offer_points = fields.Float(
        string="Win-back Points",
        default=100.0,
        help="Points offered by the win-back action Offer Points, posted to the customer's ledger.",
    )

    @api.constrains(
        "churn_active_months", "churn_risk_threshold", "churn_holdout_percent", "churn_save_days", "churn_offer_points"
    )
    def _check_churn_settings(self):
        for company in self:
            if company.churn_active_months < 1 or company.churn_save_days < 1:
                raise ValidationError(_("The activity window and the save window must be at least 1."))
            if not 0 <= company.churn_risk_threshold <= 100:
                raise ValidationError(_("The at-risk score goes from 0 to 100."))
            if not 0 <= company.churn_holdout_percent <= 50:
                raise ValidationError(_("The holdout share goes from 0 to 50 percent."))
            if company.churn_offer_points <= 0:
                raise ValidationError(_("The win-back points must be positive."))
