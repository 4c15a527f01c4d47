from odoo import _, _lt, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.tools.sql import pg_array

REASONS = [
    ("nightly", "Nightly resolution"),
    ("change", "Customer's figures changed"),
    ("policy", "Policy table changed"),
    ("manual", "Resolved on request"),
]


class CrmValuePolicyHistory(models.Model):
    """Append-only: one row per change of a customer's value policy in a company, written by
    ``crm.value.policy.assignment._resolve``. Nobody edits or deletes it (no write or unlink rights)."""

    _name = "crm.value.policy.history"
    _description = "Customer Value Policy Change"
    # what it holds about a customer, in the customer's data export of crm_privacy
    _crm_privacy_export = ("value_policy_history", _lt("Changes of the customer's value policy"))
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    old_policy_id = fields.Many2one("crm.value.policy", string="Previous Policy", readonly=True, ondelete="set null")
    new_policy_id = fields.Many2one("crm.value.policy", readonly=True, ondelete="set null")
    date = fields.Datetime(required=True, readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_value_policy_history_partner_company_idx "
            "ON crm_value_policy_history (partner_id, company_id, date)"
        )

    def write(self, vals):  # pylint: disable=method-required-super
        # append-only by design: never reaches the ORM write
        raise UserError(_("The history of value policies is append-only: a change is recorded, never edited."))

    @api.model
    def _record(self, company, changes, reason, now):
        """Append one row per (partner id, old policy id, new policy id) of ``changes`` in ``company``, in one
        statement (a first resolution of thousands of customers at once); rows where nothing changes are
        skipped."""
        changes = [row for row in changes if row[1] != row[2]]
        if not changes:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO crm_value_policy_history (
                partner_id, company_id, old_policy_id, new_policy_id, date, reason,
                create_uid, create_date, write_uid, write_date)
            SELECT v.partner_id, %(company)s, v.old_id, v.new_id, %(now)s, %(reason)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(partners)s::int[], %(olds)s::int[], %(news)s::int[]) AS v(partner_id, old_id, new_id)
            """,
                company=company.id,
                now=now,
                reason=reason,
                uid=self.env.uid,
                partners=pg_array(row[0] for row in changes),
                olds=pg_array(row[1] for row in changes),
                news=pg_array(row[2] for row in changes),
            )
        )
        self.invalidate_model()
