from odoo.tests import tagged

from odoo.addons.crm_erp_bridge.tests.tour_common import CrmTourCase


@tagged("post_install", "-at_install", "crm_tour")
class TestOverviewTour(CrmTourCase):
    """The overview on a story (40 customers over two years) in a real browser: painted from the read-only
    RPC (a read-only cursor: a write in ``get_overview`` fails the tour), drilled down from the RFM grid to the
    customers of a cell, in English and in Chinese (the README's screenshots)."""

    def _prepare(self, lang):
        self._journey_user(
            f"tour_overview_{lang.lower()}",
            "sales_team.group_sale_manager,crm_loyalty.group_loyalty_manager,crm_feedback.group_feedback_manager,"
            "account.group_account_manager",
            lang=lang,
        )
        # sudo: the story runs as the demo loader does (superuser)
        personas = self.env["crm.demo.story"].sudo()._generate(company=self.env.company, customers=40, seed=11)
        self.assertIn("champion", personas)

    def test_overview_drill_down(self):
        self._prepare("en_US")
        self.start_journey(
            "/odoo/action-crm_dashboard.crm_dashboard_action",
            "crm_dashboard_tour",
            login="tour_overview_en_us",
            screenshot="09_overview",
        )

    def test_overview_drill_down_chinese(self):
        env = self.env
        env["res.lang"]._activate_lang("zh_CN")
        # the terms of every addon of ours installed (the app's menus come from several of them)
        Module = env["ir.module.module"]
        ours = Module.search([("state", "=", "installed"), ("name", "=like", "crm\\_%")]).mapped("name")
        Module._load_module_terms(["base", "web", *ours], ["zh_CN"])
        self._prepare("zh_CN")
        self.start_journey(
            "/odoo/action-crm_dashboard.crm_dashboard_action",
            "crm_dashboard_tour",
            login="tour_overview_zh_cn",
            screenshot="09_overview_zh",
        )
