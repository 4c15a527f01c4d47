from odoo import fields, models


class CrmFeedbackTeam(models.Model):
    _name = "crm.feedback.team"
    _description = "Feedback Team"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    leader_id = fields.Many2one("res.users", string="Team Leader", check_company=True)
    member_ids = fields.Many2many("res.users", string="Members", check_company=True)
    resource_calendar_id = fields.Many2one(
        "resource.calendar", string="Working Hours", check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
    )
    stage_ids = fields.Many2many("crm.feedback.stage", string="Stages")
    ticket_ids = fields.One2many("crm.feedback.ticket", "team_id")
