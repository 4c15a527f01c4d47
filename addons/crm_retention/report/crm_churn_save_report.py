from odoo import api, fields, models
from odoo.tools import SQL

ARMS = [("treated", "Win-back action"), ("holdout", "Holdout"), ("untreated", "No action taken")]


class CrmChurnSaveReport(models.Model):
    """The save rate of the flagged customers, with and without win-back action: one row per flag episode whose
    outcome is known (the customer ordered again within the company's save window of the flag date: saved;
    or the window is over: not saved). Treated customers (an action taken) against the holdout (drawn at random
    when flagged, never acted on) measure the effect of the actions; flagged customers nobody acted on are
    shown apart."""

    _name = "crm.churn.save.report"
    _description = "Churn Save Rate"
    _auto = False
    _order = "flagged_date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    flagged_date = fields.Date(string="Flagged On", readonly=True)
    arm = fields.Selection(ARMS, string="Group", readonly=True)
    saved = fields.Boolean(readonly=True, help="Ordered again within the save window of the flag date.")
    saved_date = fields.Date(string="Ordered Again On", readonly=True)
    flagged_count = fields.Integer(string="Flagged Customers", readonly=True)
    saved_count = fields.Integer(string="Saved Customers", readonly=True)
    save_rate = fields.Float(
        string="Save Rate (%)", readonly=True, aggregator="avg", digits=(16, 1), help="Saved / flagged, in %."
    )

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        facts = self.env["crm.sales.fact"]._daily_rows_sql()
        return SQL(
            """
            SELECT r.id, r.partner_id, r.company_id, r.user_id, r.flagged_date,
                   CASE WHEN r.holdout THEN 'holdout' WHEN r.treated THEN 'treated' ELSE 'untreated' END AS arm,
                   s.saved_date IS NOT NULL AS saved, s.saved_date,
                   1 AS flagged_count, (s.saved_date IS NOT NULL)::int AS saved_count,
                   CASE WHEN s.saved_date IS NOT NULL THEN 100.0 ELSE 0.0 END AS save_rate
              FROM crm_churn_risk r
              JOIN res_company c ON c.id = r.company_id
         LEFT JOIN LATERAL (
                    SELECT MIN(f.date) AS saved_date
                      FROM (%(facts)s) f
                     WHERE f.partner_id = r.partner_id AND f.company_id = r.company_id AND f.invoice_count > 0
                       AND f.date >= r.flagged_date AND f.date <= r.flagged_date + c.churn_save_days
                   ) s ON TRUE
             WHERE r.flagged_date IS NOT NULL
               AND (s.saved_date IS NOT NULL OR r.flagged_date + c.churn_save_days <= %(today)s)
            """,
            facts=facts,
            today=today,
        )

    @api.model
    def _save_rates(self, domain=None):
        """{arm: {"flagged": n, "saved": n, "rate": % or None}} of the episodes the user may read."""
        self.env["crm.churn.risk"].flush_model()
        result = {arm: {"flagged": 0, "saved": 0, "rate": None} for arm, _label in ARMS}
        for arm, flagged, saved in self._read_group(domain or [], ["arm"], ["flagged_count:sum", "saved_count:sum"]):
            result[arm] = {"flagged": flagged, "saved": saved, "rate": 100.0 * saved / flagged if flagged else None}
        return result
