from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# loyalty managers, accountants (billing administrators) and auditors (accounting features, read-only)
CHECK_GROUPS = ("crm_loyalty.group_loyalty_manager", "account.group_account_manager", "account.group_account_readonly")


class CrmLoyaltyLedgerCheck(models.TransientModel):
    """Verify Ledger Integrity: the hash chain of each allowed company recomputed, for loyalty managers and
    accountants (the report of ``account``'s "Data Inalterability Check", for the points ledger)."""

    _name = "crm.loyalty.ledger.check"
    _description = "Verify Loyalty Ledger Integrity"

    company_ids = fields.Many2many(
        "res.company", string="Companies", default=lambda self: self.env.companies, required=True
    )
    line_ids = fields.One2many("crm.loyalty.ledger.check.line", "check_id", string="Results", readonly=True)
    checked_on = fields.Datetime(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_verify_rights()
        return super().create(vals_list)

    @api.model
    def _check_verify_rights(self):
        if not any(self.env.user.has_group(group) for group in CHECK_GROUPS):
            raise AccessError(_("Only loyalty managers and accountants verify the ledger's integrity."))

    def action_verify(self):
        self.ensure_one()
        self._check_verify_rights()
        # only the companies the user works in: the chain is read by SQL, beside the record rules
        companies = self.company_ids & self.env.companies
        Entry = self.env["crm.loyalty.entry"]
        results = [Entry._check_chain_integrity(company) for company in companies]
        self.line_ids.unlink()
        self.write(
            {
                "checked_on": fields.Datetime.now(),
                "line_ids": [
                    fields.Command.create(
                        {
                            "company_id": result["company_id"],
                            "status": result["status"],
                            "checked": result["checked"],
                            "unsecured": result["unsecured"],
                            "first_broken_entry_ref": result["first_broken_entry_id"] or 0,
                            "first_broken_sequence": result["first_broken_sequence"] or 0,
                            "message": result["message"],
                            "last_hash": result["last_hash"] or False,
                        }
                    )
                    for result in results
                ],
            }
        )
        return self._reopen()

    def action_secure(self):
        """Chain the entries not yet secured now (loyalty managers), then verify again."""
        self.ensure_one()
        if not self.env.user.has_group("crm_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only loyalty managers secure the ledger."))
        self.env["crm.loyalty.entry"]._secure_ledger(self.company_ids & self.env.companies)
        return self.action_verify()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Verify Ledger Integrity"),
        }


class CrmLoyaltyLedgerCheckLine(models.TransientModel):
    _name = "crm.loyalty.ledger.check.line"
    _description = "Loyalty Ledger Integrity per Company"

    check_id = fields.Many2one("crm.loyalty.ledger.check", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True)
    status = fields.Selection(
        [("intact", "Intact"), ("broken", "Broken"), ("empty", "Nothing secured yet")], required=True
    )
    checked = fields.Integer(string="Entries Checked")
    unsecured = fields.Integer(string="Not Yet Secured")
    first_broken_entry_ref = fields.Integer(
        string="First Broken Entry ID", help="The id of the first entry that fails the check (it may be deleted)."
    )
    first_broken_entry_id = fields.Many2one("crm.loyalty.entry", compute="_compute_first_broken_entry_id")
    first_broken_sequence = fields.Integer(string="Position")
    message = fields.Char(string="Result")
    last_hash = fields.Char(help="Keep it: the next check must find the chain going through it.")

    @api.depends("first_broken_entry_ref")
    def _compute_first_broken_entry_id(self):
        refs = self.mapped("first_broken_entry_ref")
        existing = set(self.env["crm.loyalty.entry"].browse(ref for ref in refs if ref).exists().ids)
        for line in self:
            ref = line.first_broken_entry_ref
            line.first_broken_entry_id = ref if ref in existing else False
