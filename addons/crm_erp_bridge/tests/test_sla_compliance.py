from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestSlaCompliance(AccountTestInvoicingCommon):
    """SLA compliance by team, RFM segment and loyalty tier: one row per ticket and target; running targets
    count in no rate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = cls.company_data["company"]
        env.user.groups_id |= env.ref("crm_feedback.group_feedback_manager") | env.ref(
            "crm_loyalty.group_loyalty_manager"
        )
        cls.manager = new_test_user(
            env, "sla_manager", groups="crm_feedback.group_feedback_manager", company_id=cls.company.id
        )
        policy = {"name": "Standard", "response_hours": 4, "next_response_hours": 2, "resolution_hours": 16}
        cls.team_a, cls.team_b = env["crm.feedback.team"].create(
            [
                {"name": "Care A", "company_id": cls.company.id, "sla_ids": [Command.create(policy)]},
                {"name": "Care B", "company_id": cls.company.id, "sla_ids": [Command.create(policy)]},
            ]
        )
        cls.champion, cls.lost = env["res.partner"].create(
            [{"name": "Champion Ltd", "is_company": True}, {"name": "Lost Ltd", "is_company": True}]
        )
        cls.segment, cls.other_segment = env["crm.rfm.segment"].search([], limit=2)
        # sudo: only the nightly scoring (as superuser) writes RFM scores
        scores_sudo = env["crm.rfm.score"].sudo()
        scores_sudo.create(
            [
                {"partner_id": cls.champion.id, "company_id": cls.company.id, "segment_id": cls.segment.id},
                {"partner_id": cls.lost.id, "company_id": cls.company.id, "segment_id": cls.other_segment.id},
            ]
        )
        program = env["crm.loyalty.program"].create({"name": "Tea Club", "company_id": cls.company.id})
        cls.gold = env["crm.loyalty.tier"].create({"name": "Gold", "program_id": program.id, "threshold": 1000})
        env["crm.loyalty.membership"].create(
            {"partner_id": cls.champion.id, "program_id": program.id, "tier_id": cls.gold.id}
        )
        start = datetime(2026, 1, 5, 9, 0)  # the figures below are set, not clocked: any date does
        cls.tickets = env["crm.feedback.ticket"]
        outcomes = [
            # team, customer, values: first reply met, resolution breached
            (
                cls.team_a,
                cls.champion,
                {"date_first_response": start, "sla_resolution_breached": True, "sla_breached": True},
            ),
            # first reply breached, resolution still running (left out)
            (cls.team_a, cls.lost, {"date_first_response": start, "sla_response_breached": True}),
            # first reply, one next reply and resolution met
            (
                cls.team_b,
                cls.champion,
                {
                    "date_first_response": start,
                    "sla_next_response_deadline": start + timedelta(hours=4),
                    "sla_next_response_reached": start + timedelta(hours=3),
                    "stage_id": env.ref("crm_feedback.stage_solved").id,
                },
            ),
        ]
        for team, customer, vals in outcomes:
            ticket = env["crm.feedback.ticket"].create(
                {
                    "subject": "Late tea",
                    "description": "<p>Late.</p>",
                    "partner_id": customer.id,
                    "team_id": team.id,
                    "company_id": cls.company.id,
                }
            )
            ticket.write(vals)
            cls.tickets |= ticket

    def _rates(self, groupby):
        groups = (
            self.env["crm.feedback.sla.compliance"]
            .with_user(self.manager)
            ._read_group(
                [("ticket_id", "in", self.tickets.ids)],
                [groupby],
                ["compliance:avg", "met_count:sum", "breached_count:sum", "target_count:sum"],
            )
        )
        return {key: (round(rate, 2), met, breached, count) for key, rate, met, breached, count in groups}

    def test_compliance_by_team_segment_and_tier(self):
        self.assertEqual(
            self._rates("team_id"),
            {
                # 1 met of 3 decided; the running resolution counts as a target, in no rate
                self.team_a: (33.33, 1, 2, 4),
                self.team_b: (100.0, 3, 0, 3),
            },
        )
        self.assertEqual(
            self._rates("rfm_segment_id"),
            {self.segment: (80.0, 4, 1, 5), self.other_segment: (0.0, 0, 1, 2)},
        )
        tiers = self._rates("tier_id")
        self.assertEqual(tiers[self.gold], (80.0, 4, 1, 5))
        self.assertEqual(tiers[self.env["crm.loyalty.tier"]], (0.0, 0, 1, 2), "no membership: no tier")
        targets = self._rates("target")
        self.assertEqual(targets["next_reply"], (100.0, 1, 0, 1), "only the ticket with a customer message has one")
        self.assertEqual(targets["resolution"], (50.0, 1, 1, 3))

    def test_only_feedback_managers_of_the_company_read_it(self):
        agent = new_test_user(
            self.env, "sla_agent", groups="crm_feedback.group_feedback_user", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            self.env["crm.feedback.sla.compliance"].with_user(agent).search([])
        other = self.setup_other_company()["company"]
        self.manager.write({"company_ids": [Command.link(other.id)], "company_id": other.id})
        rows = (
            self.env["crm.feedback.sla.compliance"]
            .with_user(self.manager)
            .with_company(other)
            .search([("ticket_id", "in", self.tickets.ids)])
        )
        self.assertFalse(rows, "another company's tickets are not shown")
