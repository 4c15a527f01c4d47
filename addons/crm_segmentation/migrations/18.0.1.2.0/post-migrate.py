"""18.0.1.2.0: the RFM score's own index on partner_id is gone (the unique (partner_id, company_id) index
serves lookups by customer, and every index slows the daily bulk rewrite of the table). Odoo does not
drop the index of a field that loses ``index=True``, so it is dropped here."""


def migrate(cr, version):
    cr.execute("DROP INDEX IF EXISTS crm_rfm_score__partner_id_index")
