from odoo import _, api, models
from odoo.tools import SQL


class CrmAccountingExport(models.TransientModel):
    _inherit = "crm.accounting.export"

    def action_export(self):
        action = super().action_export()
        self._privacy_log(self.company_id, self.date_from, self.date_to)
        return action

    @api.model
    def _cron_export(self):
        archives = super()._cron_export()
        for archive in archives:
            self._privacy_log(
                archive.company_id, archive.date_from, archive.date_to, reason=_("Monthly accounting archive")
            )
        return archives

    @api.model
    def _privacy_log(self, company, date_from, date_to, reason=False):
        """One access log row per workbook; its customers are every customer with figures in the period
        (counted, not listed: the workbook covers the whole customer base)."""
        query = self.env["crm.sales.fact"]._customer_totals_sql(["net_revenue"], company, None, date_from, date_to)
        count = self.env.execute_query(SQL("SELECT COUNT(DISTINCT partner_id) FROM (%s) t", query))[0][0]
        self.env["crm.privacy.access.log"]._log(
            "accounting_workbook", partner_count=count, reason=reason, company=company
        )
