from odoo import _, fields, models
from odoo.exceptions import UserError


class CrmLoyaltyProgram(models.Model):
    _inherit = "crm.loyalty.program"

    liability_accounting = fields.Boolean(
        string="Post Liability to the Ledger",
        help="Earned points become a liability at their point value; redemptions release it, expiry turns it "
        "into breakage income. One journal entry per program and day.",
    )
    liability_journal_id = fields.Many2one(
        "account.journal", string="Journal", check_company=True, domain="[('type', '=', 'general')]"
    )
    loyalty_expense_account_id = fields.Many2one("account.account", check_company=True)
    loyalty_liability_account_id = fields.Many2one("account.account", check_company=True)
    loyalty_breakage_account_id = fields.Many2one(
        "account.account", string="Breakage Income Account", check_company=True
    )
    accrual_ids = fields.One2many("crm.loyalty.accrual", "program_id", string="Accruals")

    def _check_liability_config(self):
        self.ensure_one()
        missing = [
            label
            for label, value in (
                (_("journal"), self.liability_journal_id),
                (_("expense account"), self.loyalty_expense_account_id),
                (_("liability account"), self.loyalty_liability_account_id),
                (_("breakage account"), self.loyalty_breakage_account_id),
            )
            if not value
        ]
        if missing:
            return _("Program %(program)s: set the %(missing)s.", program=self.name, missing=", ".join(missing))
        if not self.liability_journal_id.active:
            return _(
                "Program %(program)s: the journal %(journal)s is archived.",
                program=self.name,
                journal=self.liability_journal_id.name,
            )
        if self.point_value <= 0:
            return _("Program %(program)s: the point value must be positive.", program=self.name)
        return False

    def action_accrue_now(self):
        for program in self:
            problem = program._check_liability_config()
            if problem:
                raise UserError(problem)
        self.env["crm.loyalty.accrual"]._accrue(self, include_today=True)
        return True

    def _liability_reconciliation(self, date):
        """(ledger points x point value, GL liability balance, difference) at the end of ``date``, as the
        reconciliation report (crm.loyalty.liability.report) shows them."""
        self.ensure_one()
        Report = self.env["crm.loyalty.liability.report"]
        Report.invalidate_model()  # a view: its cached rows do not follow the entries and moves they sum
        row = Report.search([("program_id", "=", self.id), ("date", "<=", date)], order="date desc", limit=1)
        return row.ledger_value, row.gl_balance, row.difference

    def _notify_accrual_problem(self, problem):
        """Tell a Loyalty Manager once that the accrual of this program is blocked (one open reminder per
        program, not one a night while the problem stays)."""
        self.ensure_one()
        summary = _("Loyalty accrual blocked")
        if not self.activity_ids.filtered(lambda a, s=summary: a.summary == s):
            manager = self.env.ref("crm_loyalty.group_loyalty_manager").users[:1] or self.env.user
            self.activity_schedule("mail.mail_activity_data_todo", user_id=manager.id, summary=summary, note=problem)
