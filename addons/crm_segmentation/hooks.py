from odoo.addons.crm_customer_facts.tools.glue import install_glue


def post_init_hook(env):
    """Churn and lifetime value come with crm_segmentation_clv, when its libraries are present."""
    install_glue(env, "crm_segmentation_clv")
