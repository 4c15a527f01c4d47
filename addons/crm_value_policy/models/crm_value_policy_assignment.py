import logging

from odoo import _, _lt, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.tools.sql import pg_array

_logger = logging.getLogger(__name__)


class CrmValuePolicyAssignment(models.Model):
    """The value policy of one customer (commercial partner) in one company, resolved from the policy table.

    Written in bulk by ``_resolve`` (one statement per company and batch): nightly by the cron, at once after
    the scores, the predictions, a tier or the table change. Every change of policy leaves a row in
    ``crm.value.policy.history``."""

    _name = "crm.value.policy.assignment"
    _description = "Customer Value Policy Assignment"
    # what it holds about a customer, in the customer's data export of crm_privacy
    _crm_privacy_export = ("value_policy", _lt("Value policy of the customer and the rule that chose it"), "reason")
    _order = "company_id, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    policy_id = fields.Many2one(
        "crm.value.policy",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The first rule of the table the customer matches; empty when no rule matches (the company's "
        "settings apply).",
    )
    reason = fields.Char(compute="_compute_reason", string="Why")
    policy_since = fields.Datetime(readonly=True)
    resolved_at = fields.Datetime(string="Resolved On", readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "UNIQUE(partner_id, company_id)", "One value policy per customer and company.")
    ]

    @api.depends_context("lang")
    @api.depends("policy_id")
    def _compute_reason(self):
        """In the reader's language, from the rule (a stored sentence would keep the language of the cron)."""
        for assignment in self:
            assignment.reason = (
                assignment.policy_id._describe()
                if assignment.policy_id
                else _("No rule of the policy table matches: the company's settings apply.")
            )

    # ------------------------------------------------------------------ resolution
    @api.model
    def _cron_resolve(self, batch_size=5000):
        """Nightly: resolve every customer of every company whose policy was not resolved today, ``batch_size``
        customers per call; the cron runner commits and calls again while customers remain
        (``ir.cron._notify_progress``), so a killed run resumes where it stopped. Idempotent."""
        done = remaining = 0
        for company in self.env["res.company"].search([]):
            # once the batch is full, the other companies' customers are only counted (left for the next call)
            count, left = self._resolve_batch(company, batch_size - done)
            done += count
            remaining += left
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _candidates_sql(self, company):
        """The customers of ``company`` who get a stored policy: scored, member of a program, or resolved
        before (a customer who left both is resolved again, to the rule of the customers without figures)."""
        return SQL(
            """
            SELECT partner_id FROM crm_rfm_score WHERE company_id = %(company)s
             UNION
            SELECT partner_id FROM crm_loyalty_membership WHERE company_id = %(company)s AND state = 'active'
             UNION
            SELECT partner_id FROM crm_value_policy_assignment WHERE company_id = %(company)s
            """,
            company=company.id,
        )

    @api.model
    def _resolve_batch(self, company, limit):
        """Resolve up to ``limit`` customers of ``company`` not resolved since the start of today (oldest
        first); returns (resolved, still to resolve)."""
        today_start = fields.Datetime.to_datetime(fields.Date.context_today(self))
        self._flush_inputs()
        self.env.cr.execute(
            SQL(
                """
            SELECT c.partner_id
              FROM (%(candidates)s) c
              LEFT JOIN crm_value_policy_assignment a ON a.partner_id = c.partner_id AND a.company_id = %(company)s
             WHERE a.id IS NULL OR a.resolved_at IS NULL OR a.resolved_at < %(since)s
             ORDER BY c.partner_id
            """,
                candidates=self._candidates_sql(company),
                company=company.id,
                since=today_start,
            )
        )
        todo = [row[0] for row in self.env.cr.fetchall()]
        batch = todo[: max(limit, 0)]
        if batch:
            self._resolve(company, partner_ids=batch, reason="nightly", touch_all=True)
        return len(batch), len(todo) - len(batch)

    @api.model
    def _flush_inputs(self):
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        for model in ("crm.value.policy", "crm.rfm.score", "crm.loyalty.membership", "crm.value.policy.assignment"):
            self.env[model].flush_model()

    @api.model
    def _resolve(self, companies, partner_ids=None, reason="change", touch_all=False):
        """Resolve the customers of ``companies`` (those of ``partner_ids`` only, when given) in one statement
        per company: match them to the policy table, upsert the assignments whose policy changed (all of them
        with ``touch_all``, marking them resolved now) and record each change in the history with ``reason``.
        Returns the number of customers whose policy changed."""
        Policy = self.env["crm.value.policy"]
        self._flush_inputs()
        now = fields.Datetime.now()
        changed = 0
        for company in companies:
            partners_sql = (
                SQL("SELECT unnest(%s::int[]) AS partner_id", pg_array(partner_ids))
                if partner_ids is not None
                else self._candidates_sql(company)
            )
            self.env.cr.execute(
                SQL(
                    """
                WITH matched AS (%(matched)s), diff AS (
                    SELECT m.partner_id, m.policy_id, a.policy_id AS old_policy_id, a.id AS old_id
                      FROM matched m
                      LEFT JOIN crm_value_policy_assignment a
                             ON a.partner_id = m.partner_id AND a.company_id = %(company)s
                     -- a partner that is a contact of a company, or deleted meanwhile, gets nothing
                      JOIN res_partner rp ON rp.id = m.partner_id AND rp.commercial_partner_id = rp.id
                     WHERE %(touch_all)s OR a.id IS NULL OR a.policy_id IS DISTINCT FROM m.policy_id
                ), upsert AS (
                    INSERT INTO crm_value_policy_assignment (
                        partner_id, company_id, policy_id, policy_since, resolved_at,
                        create_uid, create_date, write_uid, write_date)
                    SELECT partner_id, %(company)s, policy_id, %(now)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM diff
                    ON CONFLICT (partner_id, company_id) DO UPDATE SET
                        policy_id = EXCLUDED.policy_id,
                        policy_since = CASE WHEN crm_value_policy_assignment.policy_id
                                                 IS DISTINCT FROM EXCLUDED.policy_id
                                            THEN EXCLUDED.policy_since
                                            ELSE crm_value_policy_assignment.policy_since END,
                        resolved_at = EXCLUDED.resolved_at,
                        write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                )
                SELECT partner_id, old_policy_id, policy_id FROM diff
                 WHERE old_id IS NULL OR old_policy_id IS DISTINCT FROM policy_id
                """,
                    matched=Policy._match_sql(company, partners_sql),
                    company=company.id,
                    now=now,
                    uid=self.env.uid,
                    touch_all=bool(touch_all),
                )
            )
            changes = self.env.cr.fetchall()
            self.env["crm.value.policy.history"]._record(company, changes, reason, now)
            changed += len(changes)
        self.invalidate_model()
        return changed

    def action_resolve(self):
        """Resolve these customers again now (sales managers)."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only a Sales Manager may resolve customers' value policies."))
        for company in self.company_id:
            self._resolve(company, self.filtered(lambda a, c=company: a.company_id == c).partner_id.ids, "manual")
        return True
