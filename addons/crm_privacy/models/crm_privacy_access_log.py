from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression

ACTIONS = [
    ("view_360", "Customer 360° View"),
    ("export_personal_data", "Personal Data Export"),
    ("accounting_workbook", "Accounting Workbook"),
]


class CrmPrivacyAccessLog(models.Model):
    """Who looked at or took out customers' personal data, when, which customers, and why where asked.

    Append-only: rows are written through ``_log`` (sudo: a salesperson opening a 360 view is logged though
    they cannot read the log), never changed, and deleted only by the retention cron, as superuser. Readable
    by the privacy officers of the row's company only."""

    _name = "crm.privacy.access.log"
    _description = "Customer Relations: Personal Data Access Log"
    _order = "date desc, id desc"
    _rec_name = "action"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        ondelete="restrict",
        default=lambda self: self.env.user,
    )
    action = fields.Selection(ACTIONS, required=True, readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Customers", readonly=True)
    partner_count = fields.Integer(
        string="Number of Customers",
        readonly=True,
        help="The customers concerned; for an accounting workbook, every customer with figures in the period.",
    )
    reason = fields.Char(readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("The personal data access log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_by_retention(self):
        if not self.env.su:
            raise AccessError(_("Rows of the personal data access log are only deleted by its retention."))

    @api.model
    def _log(self, action, partners=None, partner_count=None, reason=False, company=None):
        """Append one row for the current user. ``partners``: the commercial partners concerned."""
        partners = partners or self.env["res.partner"]
        # sudo: every user whose access is logged writes the row (a salesperson opening a 360 view, an
        # accountant running the workbook) though only privacy officers may read the log; the row only
        # records the current user's own action, in the current company
        logs_sudo = self.sudo()
        return logs_sudo.create(
            {
                "user_id": self.env.uid,
                "action": action,
                "partner_ids": [fields.Command.set(partners.ids)],
                "partner_count": len(partners) if partner_count is None else partner_count,
                "reason": reason,
                "company_id": (company or self.env.company).id,
            }
        )

    @api.model
    def _purge_domain(self):
        now = fields.Datetime.now()
        # sudo: the retention of every company applies, whichever companies the user running it works in
        companies_sudo = self.env["res.company"].sudo().search([])
        domains = [
            [("company_id", "=", company.id), ("date", "<", now - timedelta(days=company.privacy_log_retention_days))]
            for company in companies_sudo
        ]
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.model
    def _purge(self, batch_size=5000):
        """Delete one batch of rows older than their company's retention; returns (done, remaining)."""
        # sudo: the retention deletes for every company, whoever runs it; superuser is the only one
        # allowed to delete rows of the log
        logs_sudo = self.sudo()
        domain = self._purge_domain()
        old = logs_sudo.search(domain, limit=batch_size, order="id")
        old.unlink()
        return len(old), logs_sudo.search_count(domain)

    @api.model
    def _cron_purge(self, batch_size=5000):
        """One batch per call under the cron runner, which commits it and calls again while old rows remain
        (a crash loses nothing committed, a re-run goes on where it stopped); every batch otherwise."""
        if self.env.context.get("ir_cron_progress_id"):
            done, remaining = self._purge(batch_size)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            return
        while self._purge(batch_size)[1]:
            pass
