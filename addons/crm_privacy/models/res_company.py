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

    privacy_ticket_retention_days = fields.Integer(
        string="Anonymise Closed Tickets After (days)",
        default=0,
        help="The texts of tickets closed longer ago (subject, description, sender, messages) are replaced by a "
        "marker by a daily cron; counts, dates and scores stay. 0: kept.",
    )
    privacy_nps_retention_days = fields.Integer(
        string="Anonymise NPS Comments After (days)",
        default=0,
        help="The comments of NPS answers older than this are replaced by a marker; the scores stay. 0: kept.",
    )
    privacy_csat_retention_days = fields.Integer(
        string="Anonymise CSAT Comments After (days)",
        default=0,
        help="The comments of ticket ratings given longer ago are replaced by a marker; the ratings stay. 0: kept.",
    )

    @api.constrains("privacy_ticket_retention_days", "privacy_nps_retention_days", "privacy_csat_retention_days")
    def _check_privacy_retention_days(self):
        for company in self:
            days = (
                company.privacy_ticket_retention_days,
                company.privacy_nps_retention_days,
                company.privacy_csat_retention_days,
            )
            if any(value < 0 for value in days):
                raise ValidationError(_("A retention period cannot be negative (0 keeps the data)."))

    @api.constrains("privacy_accounting_retention_years")
    def _check_privacy_accounting_retention_years(self):
        if any(company.privacy_accounting_retention_years < 0 for company in self):
            raise ValidationError(_("The accounting retention cannot be negative."))

    @api.constrains("privacy_log_retention_days")
    def _check_privacy_log_retention_days(self):
        if any(company.privacy_log_retention_days < 1 for company in self):
            raise ValidationError(_("The access log must be kept at least one day."))
