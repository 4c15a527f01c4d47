"""18.0.1.3.0: the ledger's entries are chained by an inalterability hash per company (``crm.loyalty.ledger.hash``).
The entries written before the upgrade are secured now, in id order per company, as the hourly cron secures the
new ones."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["crm.loyalty.entry"]._secure_ledger()
