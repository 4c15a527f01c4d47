def post_init_hook(env):
    """Every company gets its default rule (no criteria, no effects: the settings it had) and every customer
    the policy it resolves to."""
    companies = env["res.company"].search([])
    env["crm.value.policy"]._create_company_defaults(companies)
    env["crm.value.policy.assignment"]._resolve(companies, reason="nightly")
