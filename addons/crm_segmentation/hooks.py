def uninstall_hook(env):
    """Drop the shared "Customer Relations" root menu when no other addon still hangs a menu under it."""
    root = env.ref("base.menu_crm_relations_root", raise_if_not_found=False)
    mine = (
        env["ir.model.data"]
        .search([("module", "=", "crm_segmentation"), ("model", "=", "ir.ui.menu")])
        .mapped("res_id")
    )
    if root and not set(root.child_id.ids) - set(mine):
        root.unlink()


def post_init_hook(env):
    """Daily sales facts of the invoices already in the database."""
    env["crm.sales.fact"]._rebuild()
