"""18.0.1.1.0: the daily sales facts carry revenue, cost of goods, ticket credit and loyalty rewards,
built here from the invoice lines and valuation layers already in the database."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["crm.sales.fact"]._rebuild()
