import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged

DOC = Path(__file__).resolve().parents[3] / "docs" / "privacy.md"
ROW = re.compile(r"^\|\s*`(?P<model>[\w.]+)`\s*\|\s*`(?P<field>\w+)`\s*\|")


@tagged("post_install", "-at_install")
class TestInventoryAgainstRegistry(TransactionCase):
    """The registry's view of docs/privacy.md: every field our installed addons introduce that may hold
    personal data (its real type, related fields resolved) has its row. The static check of
    tests/test_privacy_inventory.py runs without a database; this one catches what reading the sources
    cannot (a related field to a partner through any path, a type given by a mixin of ours)."""

    def _personal_fields(self, modules):
        found = set()
        for model_name, model in self.env.registry.items():
            for name, field in model._fields.items():
                # fields our addons introduce: not the magic ones (display_name), not those a model reads
                # from its delegate (res.users from res.partner), not a core field we only re-index
                if field.automatic or field.inherited or not field._modules or not set(field._modules) <= modules:
                    continue
                if field.type in ("char", "text", "html", "binary") or (
                    field.type in ("many2one", "many2many") and field.comodel_name == "res.partner"
                ):
                    found.add((model_name, name))
        return found

    def test_every_personal_field_has_a_row(self):
        if not DOC.exists():
            self.skipTest("docs/privacy.md is not shipped with this installation")
        block = DOC.read_text().split("<!-- inventory:begin -->", 1)[1].split("<!-- inventory:end -->", 1)[0]
        rows = {(m["model"], m["field"]) for m in map(ROW.match, block.splitlines()) if m}
        ours = set(
            self.env["ir.module.module"]
            .search([("author", "=", "CRM-ERP Suite contributors"), ("state", "=", "installed")])
            .mapped("name")
        )
        self.assertIn("crm_privacy", ours)
        found = self._personal_fields(ours)
        self.assertIn(("crm.privacy.access.log", "partner_ids"), found)
        self.maxDiff = None
        self.assertEqual(sorted(found - rows), [], "personal fields without a row in docs/privacy.md")
