from odoo.tests import tagged

# the suite's tour base (screenshot of the key screen); a test import only, from the repository's addons path
from odoo.addons.crm_erp_bridge.tests.tour_common import CrmTourCase


@tagged("post_install", "-at_install")
class TestSegmentMailingTour(CrmTourCase):
    def test_10_marketing_user_mails_a_segment(self):
        self._walk("en_US", "10_segment_mailing")

    def test_10_marketing_user_mails_a_segment_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        # the terms of the screens walked: mass mailing's and those of our addons (the app's menus)
        Module = self.env["ir.module.module"]
        ours = Module.search([("state", "=", "installed"), ("name", "=like", "crm\\_%")]).mapped("name")
        Module._load_module_terms(["base", "web", "mail", "mass_mailing", *ours], ["zh_CN"], overwrite=True)
        self._walk("zh_CN", "10_segment_mailing_zh")

    def _walk(self, lang, screenshot):
        env = self.env
        marketer = self._journey_user(
            f"tour_segment_marketer_{lang.lower()}",
            "sales_team.group_sale_manager,mass_mailing.group_mass_mailing_user",
            name="Tour Marketer",
            lang=lang,
        )
        ann, bob = env["res.partner"].create(
            [
                {"name": "Tour Ann Consenting", "email": "ann@tea-lovers.example", "crm_consent_email": True},
                {"name": "Tour Bob Silent", "email": "bob@tea-lovers.example"},
            ]
        )
        segment = env["crm.rule.segment"].create(
            {"name": "Tour Tea Lovers", "domain": f"[('id', 'in', {(ann | bob).ids})]"}
        )
        segment.action_refresh()
        self.assertEqual(segment.partner_ids, ann | bob)

        self.start_journey(
            f"/odoo/action-crm_segmentation.crm_rule_segment_action/{segment.id}",
            "crm_segment_mailing_tour",
            login=marketer.login,
            screenshot=screenshot,
        )

        segment.invalidate_recordset()
        subscriptions = env["mailing.subscription"].search([("list_id", "=", segment.mailing_list_id.id)])
        self.assertEqual(subscriptions.contact_id.mapped("email"), ["ann@tea-lovers.example"])
