from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    feedback_team_id = fields.Many2one(
        "crm.feedback.team",
        string="Default Feedback Team",
        domain="[('company_id', '=', id)]",
        help="Receives the public-form and portal tickets no team takes by type (empty: the first team).",
    )
