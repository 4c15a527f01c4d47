from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rfm_window_months = fields.Integer(related="company_id.rfm_window_months", readonly=False)
    lifecycle_stable_min_purchases = fields.Integer(related="company_id.lifecycle_stable_min_purchases", readonly=False)
    lifecycle_decline_factor = fields.Float(related="company_id.lifecycle_decline_factor", readonly=False)
    lifecycle_lost_days = fields.Integer(related="company_id.lifecycle_lost_days", readonly=False)
    lifecycle_manual_lock_days = fields.Integer(related="company_id.lifecycle_manual_lock_days", readonly=False)
