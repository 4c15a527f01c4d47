from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_overdue_days = fields.Integer(related="company_id.credit_overdue_days", readonly=False)
    credit_limit_policy = fields.Selection(related="company_id.credit_limit_policy", readonly=False)
    loyalty_block_overdue = fields.Boolean(related="company_id.loyalty_block_overdue", readonly=False)
