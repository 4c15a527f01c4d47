import psycopg2

from odoo import models

from odoo.addons.crm_erp_bridge.models.res_partner import PANEL_FIELDS

LOGGED_360 = "crm_privacy_logged_360"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _read_format(self, fnames, load="_classic_read"):
        """A deliberate read of the 360 figures by a client is logged, once per transaction, user, company and
        customer, in one row for the customers of the call: every client read goes through here (``read``,
        ``web_read``, ``search_read``, ``web_search_read``); the compute itself logs nothing (other code reads
        the figures for its own needs). The figures are not stored: they can be neither searched nor grouped.
        """
        result = super()._read_format(fnames, load)
        requested = set(fnames) if fnames else set(self._fields)
        if self and not requested.isdisjoint(PANEL_FIELDS):
            self._privacy_log_360()
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """An export of the 360 figures (the export dialog, ``export_data`` over RPC) is logged like a read."""
        if self and any(path and path[0] in PANEL_FIELDS for path in fields):
            self._privacy_log_360()
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def _privacy_log_360(self):
        logged = self.env.cr.cache.setdefault(LOGGED_360, set())
        key = (self.env.uid, self.env.company.id)
        customers = self.commercial_partner_id.filtered(lambda customer: (*key, customer.id) not in logged)
        if not customers:
            return
        if self.env.cr.readonly:
            # Odoo 18 runs web_read on a read-only cursor first (a replica when there is one): the error below
            # makes odoo.http replay the request on a read/write cursor, where the row is written (raised
            # before the INSERT, which PostgreSQL would refuse with an error in the log)
            raise psycopg2.errors.ReadOnlySqlTransaction("the personal data access log needs a read/write cursor")
        self.env["crm.privacy.access.log"]._log("view_360", customers)
        logged.update((*key, customer.id) for customer in customers)
