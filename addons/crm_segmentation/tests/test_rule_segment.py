from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SegmentationCommon


@tagged("post_install", "-at_install")
class TestRuleSegment(SegmentationCommon):
    def test_refresh_conditions_and_activities(self):
        shanghai = self._customer("Shanghai Trading")
        shanghai.city = "Shanghai"
        other = self._customer("Beijing Goods")
        other.city = "Beijing"
        archived = self._customer("Old Shanghai Co")
        archived.write({"city": "Shanghai", "active": False})
        # a recent purchase (relative to today: a fixed date drifts out of Formation as the calendar moves)
        self._invoice(shanghai, fields.Date.context_today(shanghai) - timedelta(days=28), 900)
        self.env["crm.rfm.score"]._recompute(self.company)
        segment = self.env["crm.rule.segment"].create(
            {
                "name": "Shanghai",
                "domain": "[('city', '=', 'Shanghai')]",
                "company_id": self.company.id,
            }
        )
        segment.action_refresh()
        self.assertEqual(segment.partner_ids, shanghai, "archived contacts are not members")
        self.assertEqual(segment.member_count, 1)
        # combined with a value class nobody in Shanghai has
        segment.value_class = "none"
        segment.action_refresh()
        self.assertFalse(segment.partner_ids)
        self.assertEqual(segment.member_count, 0)
        segment.value_class = False
        segment.lifecycle_stage_ids = self.env["crm.lifecycle.stage"].search([("code", "=", "formation")])
        segment.action_refresh()
        self.assertEqual(segment.partner_ids, shanghai)
        salesman = self.env.user
        shanghai.user_id = salesman
        shanghai.crm_consent_phone = True  # a follow-up is a marketing contact: only with consent
        notification = segment.action_schedule_activity()
        self.assertIn("1", notification["params"]["message"])
        activity = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", shanghai.id)])
        self.assertEqual(activity.user_id, salesman)
        self.assertIn("Shanghai", activity.summary)
        action = segment.action_view_members()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), shanghai)

    def test_invalid_domain(self):
        with self.assertRaises(ValidationError):
            self.env["crm.rule.segment"].create({"name": "Broken", "domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaises(ValidationError):
            self.env["crm.rule.segment"].create({"name": "Garbage", "domain": "not a domain"})
