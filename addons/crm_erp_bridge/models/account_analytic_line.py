from odoo import api, fields, models


class AccountAnalyticLine(models.Model):
    """A timesheet (with hr_timesheet: an analytic line in hours) may be recorded on a feedback ticket: the
    hours of a ticket's timesheets, when it has any, are its handling time (else the ticket's Time Spent)."""

    _inherit = "account.analytic.line"

    crm_feedback_ticket_id = fields.Many2one(
        "crm.feedback.ticket",
        string="Feedback Ticket",
        index="btree_not_null",
        ondelete="set null",
        help="The ticket this time was spent on: its hours count in the customer's ticket handling cost.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.crm_feedback_ticket_id._crm_enqueue_cost_to_serve()
        return lines

    def write(self, vals):
        if not {"crm_feedback_ticket_id", "unit_amount"}.intersection(vals):
            return super().write(vals)
        tickets = self.crm_feedback_ticket_id
        res = super().write(vals)
        (tickets | self.crm_feedback_ticket_id)._crm_enqueue_cost_to_serve()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_crm_enqueue_cost_to_serve(self):
        self.crm_feedback_ticket_id._crm_enqueue_cost_to_serve()
