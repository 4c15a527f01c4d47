from odoo.tests import tagged

from odoo.addons.crm_loyalty.tests.test_loyalty_portal import LoyaltyPortalCommon

from .tour_common import CrmTourCase


@tagged("post_install", "-at_install", "crm_tour")
class TestPortalLoyaltyTour(LoyaltyPortalCommon, CrmTourCase):
    """Journey 7, the customer's own loyalty page, walked in both languages with its screenshots (the
    README's 07_portal_loyalty and 07_portal_loyalty_zh): balance, what is missing to the next tier, the
    monthly statement switched on; the Chinese customer reads the page in Chinese."""

    def _walk(self, lang, tour, screenshot):
        self.user_alice.lang = lang
        self.start_journey("/my", tour, login="loy_alice", screenshot=screenshot)
        self.assertTrue(self.company_a.loyalty_statement_optin)
        self.assertFalse(self.company_b.loyalty_statement_optin)

    def test_07_portal_loyalty_page(self):
        self._walk("en_US", "crm_loyalty_portal_tour", "07_portal_loyalty")

    def test_07_portal_loyalty_page_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["base", "web", "portal", "crm_customer_facts", "crm_loyalty"], ["zh_CN"], overwrite=True
        )
        self._walk("zh_CN", "crm_loyalty_portal_tour_zh", "07_portal_loyalty_zh")
        self.authenticate("loy_alice", "loy_alice")
        self.assertIn("积分即可升至", self.url_open("/my/loyalty").text)
