"""18.0.1.5.0: SLA targets flagged one by one and a clock that stops while the ticket waits for the customer.
The shipped stage "Waiting for Customer" now stops the clock; a ticket breached before this update gets the
target that was late: the first reply when it came after its deadline (or never came), else the resolution."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    stage = env.ref("crm_feedback.stage_waiting", raise_if_not_found=False)
    if stage:
        stage.sla_paused = True
    cr.execute(
        """
        UPDATE crm_feedback_ticket
           SET sla_response_breached = sla_response_deadline IS NOT NULL
                   AND COALESCE(date_first_response > sla_response_deadline, TRUE),
               sla_resolution_breached = NOT (sla_response_deadline IS NOT NULL
                   AND COALESCE(date_first_response > sla_response_deadline, TRUE))
         WHERE sla_breached
        """
    )
    env["crm.feedback.ticket"].invalidate_model(["sla_response_breached", "sla_resolution_breached"])
    # tickets already waiting for the customer: the clock stops from now on
    if stage:
        tickets = env["crm.feedback.ticket"].search([("stage_id", "=", stage.id), ("is_closed", "=", False)])
        tickets._sla_stage_changed()
