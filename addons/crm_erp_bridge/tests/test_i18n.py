from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

MODULES = ["crm_customer_facts", "crm_loyalty", "crm_segmentation", "crm_feedback", "crm_erp_bridge"]


@tagged("post_install", "-at_install")
class TestChinese(TransactionCase):
    """Loading zh_CN gives Chinese menus, field labels, selections, data and error messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(MODULES, ["zh_CN"], overwrite=True)
        cls.zh = cls.env(context=dict(cls.env.context, lang="zh_CN"))

    def test_menus_fields_selections_and_data(self):
        zh = self.zh
        self.assertEqual(zh.ref("crm_customer_facts.menu_crm_relations_root").name, "客户运营")
        self.assertEqual(zh.ref("crm_loyalty.menu_crm_loyalty").name, "忠诚度")
        self.assertEqual(zh.ref("crm_feedback.menu_crm_feedback").name, "反馈")
        self.assertEqual(zh.ref("crm_erp_bridge.menu_crm360").name, "客户 360°")
        self.assertEqual(zh["crm.loyalty.membership"].fields_get(["balance"])["balance"]["string"], "积分余额")
        types = dict(zh["crm.feedback.ticket"].fields_get(["ticket_type"])["ticket_type"]["selection"])
        self.assertEqual(types["complaint"], "投诉")
        stage = zh["crm.lifecycle.stage"].search([("code", "=", "exploration")])
        self.assertEqual(stage.name, "考察期")
        self.assertEqual(zh.ref("crm_segmentation.rfm_segment_champions").name, "冠军客户")

    def test_error_messages_in_chinese(self):
        with self.assertRaisesRegex(ValidationError, "请描述反馈"):
            self.zh["crm.feedback.ticket"].create({"subject": "空", "description": "<p> </p>"})
        with self.assertRaisesRegex(ValidationError, "NPS 分数范围为 0 到 10"):
            partner = self.env["res.partner"].create({"name": "NPS"})
            self.zh["crm.feedback.nps"].create({"partner_id": partner.id, "score": 11})
