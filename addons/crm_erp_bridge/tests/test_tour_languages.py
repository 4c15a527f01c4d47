from odoo.tests import tagged

from .tour_common import CrmTourCase

MANAGER_GROUPS = (
    "base.group_user,sales_team.group_sale_manager,account.group_account_manager,"
    "crm_loyalty.group_loyalty_manager,crm_feedback.group_feedback_manager"
)


@tagged("post_install", "-at_install", "crm_tour")
class TestTourLanguages(CrmTourCase):
    """Issue 24: a manager walks every screen of Customer Relations in English, then in Chinese; the
    chrome of each screen (menus, breadcrumbs, column headers, labels, buttons, facets, kanban columns)
    holds no text of the other language. The tour lists every offending text with its screen."""

    def _walk(self, lang):
        user = self._journey_user(f"tour_lang_{lang.lower()}", MANAGER_GROUPS, lang=lang)
        self.assertEqual(user.lang, lang)
        with self._screenshot_on_close(f"24_languages_{lang.lower()}") as saved:
            # about thirty screens in one step: far longer than a journey's default minute
            self.start_tour("/odoo", f"crm_languages_tour_{lang}", login=user.login, timeout=900)
        self.assertTrue(saved)

    def test_01_english_walk_shows_no_chinese(self):
        self._walk("en_US")

    def test_02_chinese_walk_shows_no_english(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        # the terms of every installed module: the screens show core labels (Filters, Customer, ...) too
        installed = self.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        self.env["ir.module.module"]._load_module_terms(installed, ["zh_CN"], overwrite=True)
        self._walk("zh_CN")
