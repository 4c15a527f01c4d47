"""docs/privacy.md lists every personal field of our addons: a test like the access matrix.

Read statically from the sources (no database): in every addon of the suite's author, every field of a model
(``_name``, or ``_inherit`` when it extends one) that may hold personal data, i.e. a Char, Text, Html or Binary
field, or a Many2one / Many2many to res.partner (directly, or related through a ``...partner_id`` path),
needs a row of the inventory: purpose, legal basis, retention and who can read, or "not personal" as its
legal basis. A field added without a row fails the test; a row left for a field that is gone fails too.
"""

import ast
import re
from pathlib import Path

from conftest import REPO

AUTHOR = "CRM-ERP Suite contributors"
TEXT_TYPES = {"Char", "Text", "Html", "Binary"}
RELATION_TYPES = {"Many2one", "Many2many"}
PARTNER = "res.partner"
SKIPPED_PARTS = {"tests", "migrations", "demo", "static"}
COLUMNS = ["model", "field", "purpose", "legal basis", "retention", "who can read"]
# stored personal fields Odoo's mixins add to the models that inherit them (a scan of our sources cannot see them)
MIXIN_FIELDS = {"mail.thread.cc": {"email_cc": "Char"}}
ROW = re.compile(r"^\|\s*`(?P<model>[\w.]+)`\s*\|\s*`(?P<field>\w+)`\s*\|(?P<rest>.*)\|\s*$")


def our_addons(repo=REPO):
    addons = []
    for manifest in sorted((repo / "addons").glob("*/__manifest__.py")):
        if ast.literal_eval(manifest.read_text()).get("author") == AUTHOR:
            addons.append(manifest.parent)
    return addons


def _constant(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _model_of(cls):
    name = inherit = None
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            if target == "_name":
                name = _constant(node.value)
            elif target == "_inherit":
                inherit = _constant(node.value)
                if isinstance(node.value, (ast.List, ast.Tuple)) and node.value.elts:
                    inherit = _constant(node.value.elts[0])
    return name or inherit


def _is_personal(call):
    """(field type, reason) when this ``fields.X(...)`` call may hold personal data, else None."""
    kind = call.func.attr
    if kind in TEXT_TYPES:
        return kind
    if kind in RELATION_TYPES:
        comodel = _constant(call.args[0]) if call.args else None
        related = None
        for keyword in call.keywords:
            if keyword.arg == "comodel_name":
                comodel = _constant(keyword.value)
            elif keyword.arg == "related":
                related = _constant(keyword.value)
        if comodel == PARTNER or (related and related.split(".")[-1].endswith(("partner_id", "partner_ids"))):
            return f"{kind} to {PARTNER}"
    return None


def _mixins_of(cls):
    """The models named in the ``_inherit`` list of a class."""
    for node in cls.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "_inherit"
        ):
            elts = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            return [name for name in map(_constant, elts) if name]
    return []


def personal_fields(sources):
    """{(model, field): type} of the fields that need an inventory row, from {path: python source}."""
    found = {}
    for source in sources.values():
        for cls in (node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)):
            model = _model_of(cls)
            if not model:
                continue
            for mixin in _mixins_of(cls):
                for field, kind in MIXIN_FIELDS.get(mixin, {}).items():
                    found[(model, field)] = kind
            for node in cls.body:
                call = node.value if isinstance(node, ast.Assign) else None
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "fields"
                ):
                    continue
                kind = _is_personal(call)
                if kind:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found[(model, target.id)] = kind
    return found


def code_sources(repo=REPO):
    return {
        path: path.read_text()
        for addon in our_addons(repo)
        for path in sorted(addon.rglob("*.py"))
        if not SKIPPED_PARTS & set(path.relative_to(addon).parts)
    }


def inventory(text):
    """{(model, field): [purpose, legal basis, retention, who can read]} of the rows of docs/privacy.md."""
    block = text.split("<!-- inventory:begin -->", 1)[1].split("<!-- inventory:end -->", 1)[0]
    rows = {}
    for line in block.splitlines():
        match = ROW.match(line.strip())
        if match:
            rows[(match["model"], match["field"])] = [cell.strip() for cell in match["rest"].split("|")]
    return rows


def check(fields, rows):
    """The problems of the inventory against the fields found in the code (empty when they agree)."""
    problems = [
        f"no inventory row for `{model}`.`{field}` ({kind})"
        for (model, field), kind in sorted(fields.items())
        if (model, field) not in rows
    ]
    problems += [
        f"inventory row for `{model}`.`{field}`, which the code no longer has"
        for model, field in sorted(set(rows) - set(fields))
    ]
    problems += [
        f"incomplete inventory row for `{model}`.`{field}`: {' | '.join(cells)}"
        for (model, field), cells in sorted(rows.items())
        if len(cells) != len(COLUMNS) - 2 or not all(cells)
    ]
    return problems


def test_inventory_covers_every_personal_field():
    fields = personal_fields(code_sources())
    assert len(fields) > 50, "the scan found the fields of our addons"
    assert ("crm.feedback.ticket", "description") in fields
    assert ("crm.feedback.ticket", "commercial_partner_id") in fields, "a related many2one to a partner"
    problems = check(fields, inventory((REPO / "docs" / "privacy.md").read_text()))
    assert not problems, "docs/privacy.md is not the inventory of the code:\n" + "\n".join(problems)


def test_an_undocumented_personal_field_fails():
    """A model of ours gains a personal field (a text, a contact), nothing else changes: the check fails
    for it and only for it; a field that cannot hold personal data needs no row."""
    sources = code_sources()
    rows = inventory((REPO / "docs" / "privacy.md").read_text())
    assert not check(personal_fields(sources), rows)
    sources[Path("addons/crm_feedback/models/crm_feedback_extra.py")] = (
        "from odoo import fields, models\n\n\n"
        "class CrmFeedbackTicket(models.Model):\n"
        "    _inherit = 'crm.feedback.ticket'\n\n"
        "    home_address = fields.Text()\n"
        "    witness_id = fields.Many2one(comodel_name='res.partner')\n"
        "    witness_contact_id = fields.Many2one(related='witness_id.commercial_partner_id')\n"
        "    witness_count = fields.Integer()\n"
        "    region_id = fields.Many2one('res.country.state')\n"
    )
    assert check(personal_fields(sources), rows) == [
        "no inventory row for `crm.feedback.ticket`.`home_address` (Text)",
        "no inventory row for `crm.feedback.ticket`.`witness_contact_id` (Many2one to res.partner)",
        "no inventory row for `crm.feedback.ticket`.`witness_id` (Many2one to res.partner)",
    ]
    # a row with an empty cell is no row
    rows[("crm.feedback.ticket", "description")][1] = ""
    problems = check(personal_fields(sources), rows)
    assert any(p.startswith("incomplete inventory row for `crm.feedback.ticket`.`description`") for p in problems)
