from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .crm_feedback_ticket import TICKET_TYPES


class CrmFeedbackSla(models.Model):
    """Targets for the first reply, each next reply (after a customer message) and the resolution, counted in
    the working hours of the team's calendar; the clock stops in the stages waiting for the customer."""

    _name = "crm.feedback.sla"
    _description = "Feedback SLA Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    team_id = fields.Many2one("crm.feedback.team", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    ticket_type = fields.Selection(TICKET_TYPES, string="Type", help="Empty: every type.")
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")], help="Empty: every priority."
    )
    response_hours = fields.Float(string="First Response (working hours)", default=4.0)
    next_response_hours = fields.Float(
        string="Next Reply (working hours)",
        default=0.0,
        help="Working hours the team has to answer each customer message after the first reply. 0: no target.",
    )
    resolution_hours = fields.Float(string="Resolution (working hours)", default=40.0)

    @api.constrains("response_hours", "resolution_hours", "next_response_hours")
    def _check_hours(self):
        for sla in self:
            if sla.response_hours <= 0 or sla.resolution_hours < sla.response_hours or sla.next_response_hours < 0:
                raise ValidationError(
                    _(
                        "SLA %(name)s: the response target must be positive and not longer than the resolution target, "
                        "the next reply target not negative.",
                        name=sla.name,
                    )
                )

    def _matches(self, ticket):
        self.ensure_one()
        return (
            self.team_id == ticket.team_id
            and (not self.ticket_type or self.ticket_type == ticket.ticket_type)
            and (not self.priority or self.priority == ticket.priority)
        )
