from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_expiry_reminder_days = fields.Integer(related="company_id.loyalty_expiry_reminder_days", readonly=False)
