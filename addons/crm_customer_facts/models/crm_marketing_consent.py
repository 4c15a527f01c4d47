from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

CHANNELS = [("email", "E-mail"), ("sms", "SMS"), ("phone", "Phone"), ("post", "Post")]
SOURCES = [
    ("portal", "Customer Portal"),
    ("staff", "Staff"),
    ("import", "Import"),
    ("web_form", "Web Form"),
    ("email", "E-mail Reply"),
]


class CrmMarketingConsent(models.Model):
    """One change of a contact's marketing consent on one channel: granted or withdrawn, when, by whom, from
    where. Append-only: the history is the proof of consent; the current state per channel is copied on the
    contact (``res.partner.crm_consent_<channel>``), which every bulk action and mailing of the suite reads
    through ``res.partner._crm_filter_consenting``."""

    _name = "crm.marketing.consent"
    _description = "Customer Relations: Marketing Consent"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, readonly=True, index=True, ondelete="cascade"
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    granted = fields.Boolean(readonly=True, help="Checked: consent given; unchecked: consent withdrawn.")
    source = fields.Selection(SOURCES, required=True, readonly=True, default="staff")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", required=True, readonly=True, default=lambda self: self.env.user
    )
    note = fields.Char(readonly=True, help="Where the consent was given (the form, the campaign, the file...).")
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not self.env.su:
            # staff record the consent of the contacts they may see (the portal appends as superuser, for the
            # user's own contact only)
            records.partner_id.check_access("read")
        records._sync_partners()
        return records

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("The history of marketing consent cannot be changed: record a new change instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env.su:
            raise UserError(_("The history of marketing consent cannot be deleted."))

    def _sync_partners(self):
        """Copy the latest change of each contact and channel onto the contact (one write per state)."""
        latest = {}
        for consent in self.sorted(lambda c: (c.date, c.id)):
            latest[consent.partner_id, consent.channel] = consent
        by_vals = {}
        for (partner, channel), consent in latest.items():
            key = (f"crm_consent_{channel}", consent.granted, consent.date)
            by_vals[key] = by_vals.get(key, self.env["res.partner"]) | partner
        for (name, granted, date), partners in by_vals.items():
            # sudo: the contact's current consent follows the history the user was allowed to append to
            # (a portal customer withdrawing their own consent cannot write the contact otherwise)
            partners_sudo = partners.sudo().with_context(crm_consent_sync=True)
            partners_sudo.write({name: granted, f"{name}_date": date})
