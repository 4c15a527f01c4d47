from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    churn_active_months = fields.Integer(related="company_id.churn_active_months", readonly=False)
    churn_risk_threshold = fields.Integer(related="company_id.churn_risk_threshold", readonly=False)
    churn_holdout_percent = fields.Float(related="company_id.churn_holdout_percent", readonly=False)
    churn_save_days = fields.Integer(related="company_id.churn_save_days", readonly=False)
    churn_offer_points = fields.Float(related="company_id.churn_offer_points", readonly=False)
