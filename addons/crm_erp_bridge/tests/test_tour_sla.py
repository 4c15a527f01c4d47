from odoo import Command
from odoo.tests import tagged

from .tour_common import CrmTourCase


@tagged("post_install", "-at_install")
class TestSlaTour(CrmTourCase):
    def test_08_agent_pauses_the_sla_waiting_for_the_customer(self):
        env = self.env
        # the agents of the other journeys: the ticket's form shows invoices
        agent = self._journey_user(
            "tour_sla_agent", "crm_feedback.group_feedback_user,account.group_account_invoice", name="Tour SLA Agent"
        )
        team = env["crm.feedback.team"].create(
            {
                "name": "Tour Care",
                "member_ids": [Command.set(agent.ids)],
                # targets far away: the ticket is on time whatever day and hour the tour runs
                "sla_ids": [Command.create({"name": "Tour SLA", "response_hours": 400, "resolution_hours": 800})],
            }
        )
        customer = env["res.partner"].create({"name": "Tour Teapot Buyer", "email": "teapot@tour.example"})
        ticket = env["crm.feedback.ticket"].create(
            {
                "subject": "Tour teapot lid cracked",
                "ticket_type": "complaint",
                "description": "<p>The lid of the teapot is cracked.</p>",
                "partner_id": customer.id,
                "team_id": team.id,
                "user_id": agent.id,
                "stage_id": env.ref("crm_feedback.stage_in_progress").id,
            }
        )
        self.assertEqual(ticket.sla_status, "on_time")

        self.start_journey(
            f"/odoo/action-crm_feedback.crm_feedback_ticket_action/{ticket.id}",
            "crm_sla_paused_tour",
            login="tour_sla_agent",
            screenshot="08_sla_paused",
        )

        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, env.ref("crm_feedback.stage_waiting"))
        self.assertTrue(ticket.sla_paused_since)
        self.assertEqual((ticket.sla_status, ticket.sla_response_status), ("paused", "paused"))
