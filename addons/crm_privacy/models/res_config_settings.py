from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    privacy_log_retention_days = fields.Integer(related="company_id.privacy_log_retention_days", readonly=False)
    privacy_accounting_retention_years = fields.Integer(
        related="company_id.privacy_accounting_retention_years", readonly=False
    )
    privacy_ticket_retention_days = fields.Integer(related="company_id.privacy_ticket_retention_days", readonly=False)
    privacy_nps_retention_days = fields.Integer(related="company_id.privacy_nps_retention_days", readonly=False)
    privacy_csat_retention_days = fields.Integer(related="company_id.privacy_csat_retention_days", readonly=False)
