"""18.0.1.3.0: RFM scores are computed from the daily sales facts (crm.sales.fact), built here from the
invoices already posted; recency is no longer stored (it is counted from today), its column goes."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    cr.execute("ALTER TABLE crm_rfm_score DROP COLUMN IF EXISTS recency")
    cr.execute("DROP INDEX IF EXISTS crm_sales_fact__company_id_index")  # served by the covering index
    api.Environment(cr, SUPERUSER_ID, {})["crm.sales.fact"]._rebuild()
