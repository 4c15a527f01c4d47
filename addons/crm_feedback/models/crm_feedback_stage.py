from odoo import fields, models


class CrmFeedbackStage(models.Model):
    _name = "crm.feedback.stage"
    _description = "Feedback Ticket Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban")
    is_closed = fields.Boolean(string="Closing Stage", help="Tickets in this stage are resolved.")
    sla_paused = fields.Boolean(
        string="Waiting for Customer",
        help="The SLA clock stops while a ticket is in this stage: its deadlines move out by the working time "
        "spent here.",
    )
    team_ids = fields.Many2many("crm.feedback.team", string="Teams", help="Empty: used by every team.")
