def uninstall_hook(env):
    """Keep the reward product when orders or invoices use it (its XML id dropped: the module's data would try
    to delete it; the hook runs as superuser)."""
    reward = env.ref("crm_loyalty.product_loyalty_reward", raise_if_not_found=False)
    if reward and (
        env["sale.order.line"].search_count([("product_id", "=", reward.id)], limit=1)
        or env["account.move.line"].search_count([("product_id", "=", reward.id)], limit=1)
    ):
        env["ir.model.data"].search(
            [
                ("module", "=", "crm_loyalty"),
                "|",
                "&",
                ("model", "=", "product.product"),
                ("res_id", "=", reward.id),
                "&",
                ("model", "=", "product.template"),
                ("res_id", "=", reward.product_tmpl_id.id),
            ]
        ).unlink()


def post_init_hook(env):
    """The customer figures gain a measure: the points paid with on the invoices already posted count in it. The
    ledger written at installation (demo data) is chained at once rather than at the cron's first run."""
    env["crm.sales.fact"]._rebuild()
    env["crm.loyalty.entry"]._secure_ledger()
