"""18.0.1.3.0: the sentiment analysers (VADER and SnowNLP, Python libraries outside Odoo's requirements) moved to the
addon crm_feedback_sentiment, installed with crm_feedback when those libraries are present (marked to install
here; Odoo installs it in the same run, after the addons being updated). The stored sentiments are left as
they are."""

from odoo import SUPERUSER_ID, api

from odoo.addons.crm_customer_facts.tools.glue import install_glue


def migrate(cr, version):
    install_glue(api.Environment(cr, SUPERUSER_ID, {}), "crm_feedback_sentiment")
