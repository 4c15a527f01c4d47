from ast import literal_eval

from odoo import api, fields, models

from .crm_feedback_ticket import PRIORITIES, TICKET_TYPES


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
    received_ticket_type = fields.Selection(
        TICKET_TYPES,
        string="Receives Web and Portal Tickets of Type",
        help="Tickets of this type from the public form and the portal come to this team (the first such team "
        "by sequence). The others go to the company's default feedback team (Settings).",
    )
    ticket_ids = fields.One2many("crm.feedback.ticket", "team_id")

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("crm.feedback.ticket")
        if self.id:
            # merged into the defaults the alias already has, as crm.team does
            defaults = literal_eval(self.alias_defaults or "{}")
            defaults.update(team_id=self.id, company_id=self.company_id.id)
            values["alias_defaults"] = repr(defaults)
            values["alias_parent_thread_id"] = self.id
        return values

    @api.model
    def _route_ticket(self, company, ticket_type):
        """The team receiving a ticket of ``ticket_type`` that came without one (public form, portal): the
        first team of ``company`` receiving this type, else the company's default feedback team, else its
        first team, so that every channel falls under a team's SLA policies."""
        teams = self.search([("company_id", "=", company.id)])
        return (
            teams.filtered(lambda team: team.received_ticket_type == ticket_type)[:1]
            or company.feedback_team_id.filtered(lambda team: team.active and team.company_id == company)
            or teams[:1]
        )
