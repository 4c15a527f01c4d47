from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    privacy_log_retention_days = fields.Integer(
        string="Keep the Access Log (days)",
        default=365,
        help="Rows of the personal data access log older than this are deleted by a daily cron.",
    )

    privacy_accounting_retention_years = fields.Integer(
        string="Accounting Retention (years)",
        default=10,
        help="Posted accounting entries are kept this long (10 years under China's accounting archives rules): "
        "an erasure request keeps the name, tax id and address of the partners on entries younger than this "
        "and erases the rest. 0: no retention, the whole identity is erased.",
    )

    @api.constrains("privacy_accounting_retention_years")
    def _check_privacy_accounting_retention_years(self):
        if any(company.privacy_accounting_retention_years < 0 for company in self):
            raise ValidationError(_("The accounting retention cannot be negative."))

    @api.constrains("privacy_log_retention_days")
    def _check_privacy_log_retention_days(self):
        if any(company.privacy_log_retention_days < 1 for company in self):
            raise ValidationError(_("The access log must be kept at least one day."))
