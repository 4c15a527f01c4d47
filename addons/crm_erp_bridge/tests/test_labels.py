from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSelectionLabels(TransactionCase):
    def test_every_selection_of_ours_has_labels_in_english_and_chinese(self):
        """A selection declared as a tuple is not recorded by Odoo: the web client then shows empty labels
        (the blank sentiment pills of the demo)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        checked = 0
        # our addons: the modules of the suite's author
        ours = set(self.env["ir.module.module"].search([("author", "=", "CRM-ERP Suite contributors")]).mapped("name"))
        for model_name in self.env.registry:
            for field in self.env[model_name]._fields.values():
                if field.type != "selection" or field._module not in ours:
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
