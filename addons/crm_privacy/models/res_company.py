from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    privacy_log_retention_days = fields.Integer(
        string="Keep the Access Log (days)",
        default=365,
        help="Rows of the personal data access log older than this are deleted by a daily cron.",
    )

    @api.constrains("privacy_log_retention_days")
    def _check_privacy_log_retention_days(self):
        if any(company.privacy_log_retention_days < 1 for company in self):
            raise ValidationError(_("The access log must be kept at least one day."))
