def post_init_hook(env):
    """Predict churn and lifetime value for the companies never predicted (crm_segmentation's demo data scored
    before this addon was installed); predictions made before stay as they are."""
    Score = env["crm.rfm.score"]
    for company in env["res.company"].search([("clv_predicted_at", "=", False)]):
        if Score.search_count([("company_id", "=", company.id)], limit=1):
            Score._predict(company)
