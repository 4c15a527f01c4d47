def post_init_hook(env):
    """Daily sales facts of the invoices already in the database; the app menu of the earlier releases
    (declared by each addon as ``base.menu_crm_relations_root``) gives way to this addon's own."""
    env["crm.sales.fact"]._rebuild()
    old_root = env.ref("base.menu_crm_relations_root", raise_if_not_found=False)
    if old_root:
        old_root.child_id.parent_id = env.ref("crm_customer_facts.menu_crm_relations_root")
        env["ir.model.data"].search([("module", "=", "base"), ("name", "=", "menu_crm_relations_root")]).unlink()
        old_root.unlink()
