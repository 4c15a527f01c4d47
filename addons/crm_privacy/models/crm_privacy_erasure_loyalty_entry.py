from odoo import _, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class CrmLoyaltyEntry(models.Model):
    _inherit = "crm.loyalty.entry"

    def _privacy_erase_reason(self, marker):
        """Replace the note typed on these ledger entries by ``marker`` (an erasure of the member).

        Raw SQL: the ledger refuses every ORM write (append-only); ``reason`` is free text typed by staff that
        may name the member, and not one of the hashed columns (``HASHED_FIELDS``), so the hash chain still
        verifies. Only the erasure executor calls it, after its privacy officer check, checked again here."""
        if not self.env.user.has_group("crm_privacy.group_privacy_officer"):
            raise AccessError(_("Only privacy officers may erase the notes of the ledger."))
        if not self:
            return
        self.flush_recordset(["reason"])
        self.env.cr.execute(SQL("UPDATE crm_loyalty_entry SET reason = %s WHERE id IN %s", marker, tuple(self.ids)))
        self.invalidate_recordset(["reason", "reason_display"])
