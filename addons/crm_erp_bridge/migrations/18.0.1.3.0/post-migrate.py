"""18.0.1.3.0: the customer figures moved to crm_customer_facts (measures by name: gross and net revenue,
cost of goods, contribution); the bridge adds the cost of goods of the deliveries and consumables: the daily
facts are rebuilt with every measure of the installed addons."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["crm.sales.fact"]._rebuild()
