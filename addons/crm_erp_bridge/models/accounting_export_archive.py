from odoo import api, fields, models


class CrmAccountingExportArchive(models.Model):
    """The workbooks of the scheduled monthly export, kept for the accountants (only they may read them:
    the file is an attachment of this record, so it follows this model's access rights)."""

    _name = "crm.accounting.export.archive"
    _description = "Customer Relations: Archived Accounting Export"
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date_from = fields.Date(required=True, readonly=True)
    date_to = fields.Date(required=True, readonly=True)
    file_data = fields.Binary(string="Workbook", attachment=True, readonly=True)
    file_name = fields.Char(readonly=True)

    _sql_constraints = [
        ("period_uniq", "UNIQUE(company_id, date_from, date_to)", "One archived export per company and period.")
    ]

    @api.model
    def _store(self, company, date_from, date_to, content):
        """Create or replace the archive of this company and period (a re-run never duplicates it)."""
        name = f"customer-relations-{date_from:%Y-%m}.xlsx"
        vals = {"name": name, "file_name": name, "file_data": content}
        archive = self.search(
            [("company_id", "=", company.id), ("date_from", "=", date_from), ("date_to", "=", date_to)]
        )
        if archive:
            archive.write(vals)
            return archive
        return self.create({**vals, "company_id": company.id, "date_from": date_from, "date_to": date_to})
