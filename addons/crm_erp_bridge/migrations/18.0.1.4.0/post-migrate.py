"""18.0.1.4.0: the customer figures carry the cost to serve beyond the invoices (ticket handling, freight,
returns handling, payment delay). The existing rows have none yet: the service sources are computed for every
company (with the rates at zero, only the carriers' shipping costs, when stock_delivery is installed)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.sales.fact"]._refresh_service_costs(companies=env["res.company"].search([]))
