"""Print the access matrix of our addons as Markdown; run inside `odoo-bin shell` (``env`` is given).

For every model our addons add or extend (ir.model rows owned by crm_*), one representative user per
group is created (in a transaction rolled back at the end) and Odoo itself answers whether that user may
read / create / write / unlink (ir.model.access.check, implied groups included); the record rules
follow. docs/security.md is this output; tests/test_security_matrix.py regenerates it and compares.
"""

# our addons: every module of the suite's author, installed or not
OURS = tuple(env["ir.module.module"].search([("author", "=", "CRM-ERP Suite contributors")]).mapped("name"))
PROFILES = [
    ("Internal user", ["base.group_user"]),
    ("Salesperson", ["sales_team.group_sale_salesman"]),
    ("Sales manager", ["sales_team.group_sale_manager"]),
    ("Loyalty user", ["crm_loyalty.group_loyalty_user"]),
    ("Loyalty manager", ["crm_loyalty.group_loyalty_manager"]),
    ("Feedback user", ["crm_feedback.group_feedback_user"]),
    ("Feedback manager", ["crm_feedback.group_feedback_manager"]),
    ("Invoicing", ["account.group_account_invoice"]),
    ("Accountant", ["account.group_account_manager"]),
    ("Privacy officer", ["crm_privacy.group_privacy_officer"]),
    ("Portal", ["base.group_portal"]),
    ("Public", ["base.group_public"]),
]
MODES = (("read", "r"), ("create", "c"), ("write", "w"), ("unlink", "u"))


def matrix(env):
    data = env["ir.model.data"].search([("module", "in", OURS), ("model", "=", "ir.model")])
    models = (
        env["ir.model"]
        .browse(sorted(set(data.mapped("res_id"))))
        .filtered(lambda m: not m.transient and not env[m.model]._abstract)
    )
    own_rules = env["ir.model.data"].search([("module", "in", OURS), ("model", "=", "ir.rule")])
    users = []
    for i, (label, groups) in enumerate(PROFILES):
        users.append(
            (
                label,
                env["res.users"].create(
                    {
                        "name": f"Matrix {label}",
                        "login": f"matrix_user_{i}",
                        "groups_id": [(6, 0, [env.ref(g).id for g in groups])],
                    }
                ),
            )
        )
    lines = ["| model | " + " | ".join(label for label, _u in users) + " |", "|---|" + "---|" * len(users)]
    for model in models.sorted("model"):
        cells = []
        for _label, user in users:
            access = env["ir.model.access"].with_user(user)
            cells.append(
                "".join(flag if access.check(model.model, mode, raise_exception=False) else "-" for mode, flag in MODES)
            )
        lines.append(f"| `{model.model}` | " + " | ".join(cells) + " |")
    added = models.filtered(lambda m: set(m.modules.split(", ")) <= set(OURS))
    rules = (
        env["ir.rule"].search([("model_id", "in", added.ids)]) | env["ir.rule"].browse(own_rules.mapped("res_id"))
    ).sorted(lambda r: (r.model_id.model, r.name))
    lines += ["", "Record rules of the models we add, and the rules we add to core models:", ""]
    lines += ["| model | record rule | groups | domain |", "|---|---|---|---|"]
    for rule in rules:
        groups = ", ".join(rule.groups.mapped("full_name")) or "everyone (global)"
        domain = " ".join((rule.domain_force or "").split()).replace("|", "\\|")
        lines.append(f"| `{rule.model_id.model}` | {rule.name} | {groups} | `{domain}` |")
    return "\n".join(lines)


print("MATRIX-BEGIN")
print(matrix(env))
print("MATRIX-END")
env.cr.rollback()
