"""18.0.1.6.0: the churn and lifetime value models (BG/NBD and Gamma-Gamma, on scientific Python libraries) moved to the
addon crm_segmentation_clv, installed with crm_segmentation when those libraries are present (marked to install
here; Odoo installs it in the same run, after the addons being updated). The stored predictions are left as
they are."""

from odoo import SUPERUSER_ID, api

from odoo.addons.crm_customer_facts.tools.glue import install_glue


def migrate(cr, version):
    install_glue(api.Environment(cr, SUPERUSER_ID, {}), "crm_segmentation_clv")
