from odoo.tests import new_test_user, tagged

from .tour_common import CrmTourCase


@tagged("post_install", "-at_install", "crm_tour")
class TestJourneys(CrmTourCase):
    """The suite's main journeys in a real browser (headless Chromium)."""

    def test_01_admin_configures_program_and_enrols(self):
        env = self.env
        new_test_user(
            env,
            login="tour_loyalty_admin",
            password="tour_loyalty_admin1",
            groups="base.group_user,crm_loyalty.group_loyalty_manager",
            lang="zh_CN",
        )
        member = env["res.partner"].create({"name": "Tour Member", "email": "member@tour.example"})

        self.start_journey(
            "/odoo/action-crm_loyalty.crm_loyalty_program_action",
            "crm_loyalty_program_tour",
            login="tour_loyalty_admin",
            screenshot="01_loyalty_program",
        )

        program = env["crm.loyalty.program"].search([("name", "=", "Tour Club")])
        self.assertRecordValues(program, [{"earn_rate": 2.0, "point_value": 0.05}])
        self.assertEqual(program.tier_ids.sorted("threshold").mapped("name"), ["Tour Silver", "Tour Gold"])
        self.assertEqual(program.tier_ids.sorted("threshold").mapped("multiplier"), [1.5, 2.0])
        membership = program.membership_ids
        self.assertRecordValues(membership, [{"partner_id": member.id, "state": "active", "balance": 0}])
        self.assertRegex(membership.name, r"^M\d\d-\d{5}$")
