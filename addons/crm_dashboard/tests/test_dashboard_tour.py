from odoo.tests import tagged

from odoo.addons.crm_erp_bridge.tests.tour_common import CrmTourCase


@tagged("post_install", "-at_install", "crm_tour")
class TestOverviewTour(CrmTourCase):
    """The overview in a real browser: painted from the read-only RPC (a read-only cursor: any write in
    ``get_overview`` fails the tour), drilled down from the RFM grid to the customers of a cell."""

    def _prepare(self, lang):
        env = self.env
        self._journey_user(
            f"tour_overview_{lang.lower()}",
            "sales_team.group_sale_manager,crm_loyalty.group_loyalty_manager,crm_feedback.group_feedback_manager,"
            "account.group_account_manager",
            lang=lang,
        )
        champion = env["res.partner"].create({"name": "Tour Dash Champion", "is_company": True})
        program = env["crm.loyalty.program"].create({"name": "Tour Dash Club", "company_id": env.company.id})
        membership = env["crm.loyalty.membership"].create({"partner_id": champion.id, "program_id": program.id})
        env["crm.loyalty.entry"].create({"membership_id": membership.id, "entry_type": "earn", "points": 250.0})
        env["crm.rfm.score"].create(
            {
                "partner_id": champion.id,
                "company_id": env.company.id,
                "r_score": 5,
                "fm_score": 5,
                "monetary": 900.0,
                "value_amount": 900.0,
                "value_decile": 1,
            }
        )

    def test_overview_drill_down(self):
        self._prepare("en_US")
        self.start_journey(
            "/odoo/action-crm_dashboard.crm_dashboard_action",
            "crm_dashboard_tour",
            login="tour_overview_en_us",
            screenshot="07_overview",
        )

    def test_overview_drill_down_chinese(self):
        env = self.env
        env["res.lang"]._activate_lang("zh_CN")
        env["ir.module.module"]._load_module_terms(
            ["base", "web", "crm_customer_facts", "crm_loyalty", "crm_segmentation", "crm_feedback", "crm_dashboard"],
            ["zh_CN"],
        )
        self._prepare("zh_CN")
        self.start_journey(
            "/odoo/action-crm_dashboard.crm_dashboard_action",
            "crm_dashboard_tour",
            login="tour_overview_zh_cn",
            screenshot="07_overview_zh",
        )
