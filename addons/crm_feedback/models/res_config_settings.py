from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    feedback_team_id = fields.Many2one(
        related="company_id.feedback_team_id", readonly=False, domain="[('company_id', '=', company_id)]"
    )
