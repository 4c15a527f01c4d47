from odoo import fields, models

from .crm_feedback_ticket import PRIORITIES


class CrmFeedbackTeam(models.Model):
    _name = "crm.feedback.team"
    _description = "Feedback Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    leader_id = fields.Many2one("res.users", string="Team Leader", check_company=True)
    member_ids = fields.Many2many("res.users", string="Members", check_company=True)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
    )
    stage_ids = fields.Many2many("crm.feedback.stage", string="Stages")
    sla_ids = fields.One2many("crm.feedback.sla", "team_id", string="SLA Policies")
    negative_priority = fields.Selection(
        PRIORITIES,
        string="Priority for Negative Tickets",
        default="2",
        help="A new ticket whose description reads negative is raised to this priority (empty: never).",
    )
    ticket_ids = fields.One2many("crm.feedback.ticket", "team_id")

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("crm.feedback.ticket")
        if self.id:
            values["alias_defaults"] = repr({"team_id": self.id, "company_id": self.company_id.id})
            values["alias_parent_thread_id"] = self.id
        return values
