"""18.0.1.4.0: the customer figures moved to crm_customer_facts, installed with this update; the credit notes
of feedback tickets are their cost to serve ``ticket_credit``: the daily facts are rebuilt with it."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["crm.sales.fact"]._rebuild()
