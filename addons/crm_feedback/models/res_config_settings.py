from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    feedback_team_id = fields.Many2one(
        related="company_id.feedback_team_id", readonly=False, domain="[('company_id', '=', company_id)]"
    )
    feedback_limit_per_address = fields.Integer(
        string="Tickets per address and hour",
        config_parameter="crm_feedback.limit_per_address",
        default=5,
        help="Public-form tickets from one e-mail address, portal tickets from one contact (0: no limit).",
    )
    feedback_limit_per_ip = fields.Integer(
        string="Public tickets per client IP and hour",
        config_parameter="crm_feedback.limit_per_ip",
        default=20,
        help="Behind a reverse proxy, enable proxy_mode so the forwarded client address counts (0: no limit).",
    )
    feedback_limit_per_company = fields.Integer(
        string="Public tickets per company and hour",
        config_parameter="crm_feedback.limit_per_company",
        default=100,
        help="All public-form tickets of the company together; portal customers are not counted (0: no limit).",
    )
