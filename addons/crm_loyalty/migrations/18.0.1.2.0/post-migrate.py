"""18.0.1.2.0: the customer figures moved to crm_customer_facts, installed with this update; the lines of
loyalty reward products are their cost to serve ``loyalty_rewards``: the daily facts are rebuilt with it."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["crm.sales.fact"]._rebuild()
