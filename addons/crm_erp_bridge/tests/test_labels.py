from odoo.tests import TransactionCase, tagged

OUR_MODULES = (
    "crm_customer_facts",
    "crm_loyalty",
    "crm_segmentation",
    "crm_feedback",
    "crm_erp_bridge",
    "crm_feedback_sentiment",
    "crm_segmentation_clv",
)


@tagged("post_install", "-at_install")
class TestSelectionLabels(TransactionCase):
    def test_every_selection_of_ours_has_labels_in_english_and_chinese(self):
        """A selection declared as a tuple is not recorded by Odoo: the web client then shows empty labels
        (the blank sentiment pills of the demo)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        checked = 0
        for model_name in self.env.registry:
            for field in self.env[model_name]._fields.values():
                if field.type != "selection" or field._module not in OUR_MODULES:
                    continue
                if callable(field.selection) or isinstance(field.selection, str):
                    continue
                for lang in ("en_US", "zh_CN"):
                    env = self.env(context={"lang": lang})
                    labels = dict(field._description_selection(env))
                    empty = [value for value in field.get_values(env) if not labels.get(value)]
                    self.assertFalse(empty, f"{model_name}.{field.name} has empty labels in {lang}: {empty}")
                checked += 1
        self.assertGreater(checked, 10)
        sentiment = dict(self.env["crm.feedback.ticket"]._fields["sentiment"]._description_selection(self.env))
        self.assertEqual(sentiment["negative"], "Negative")
