from odoo import Command
from odoo.tests import tagged

from .tour_common import CrmTourCase


@tagged("post_install", "-at_install")
class TestSlaTour(CrmTourCase):
    def test_08_agent_pauses_the_sla_waiting_for_the_customer(self):
        self._walk("en_US", "crm_sla_paused_tour", "08_sla_paused", "Tour teapot lid cracked", "Tour Teapot Buyer")

    def test_08_agent_pauses_the_sla_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        # the terms of the menus too (the app's menus come from our addons installed with the bridge)
        Module = self.env["ir.module.module"]
        ours = Module.search([("state", "=", "installed"), ("name", "=like", "crm\\_%")]).mapped("name")
        Module._load_module_terms(["base", "web", "mail", *ours], ["zh_CN"], overwrite=True)
        self._walk("zh_CN", "crm_sla_paused_tour_zh", "08_sla_paused_zh", "茶壶盖有裂纹", "清风茶馆")

    def _walk(self, lang, tour, screenshot, subject, customer_name):
        env = self.env
        # the agents of the other journeys: the ticket's form shows invoices
        agent = self._journey_user(
            f"tour_sla_agent_{lang.lower()}",
            "crm_feedback.group_feedback_user,account.group_account_invoice",
            name="Tour SLA Agent",
            lang=lang,
        )
        team = env["crm.feedback.team"].create(
            {
                "name": "Tour Care",
                "member_ids": [Command.set(agent.ids)],
                # targets far away: the ticket is on time whatever day and hour the tour runs
                "sla_ids": [Command.create({"name": "Tour SLA", "response_hours": 400, "resolution_hours": 800})],
            }
        )
        customer = env["res.partner"].create({"name": customer_name, "email": "teapot@tour.example"})
        ticket = env["crm.feedback.ticket"].create(
            {
                "subject": subject,
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
            tour,
            login=agent.login,
            screenshot=screenshot,
        )

        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, env.ref("crm_feedback.stage_waiting"))
        self.assertTrue(ticket.sla_paused_since)
        self.assertEqual((ticket.sla_status, ticket.sla_response_status), ("paused", "paused"))
