from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_customer_facts.tools.sql import pg_array


class CrmLifecycleHistory(models.Model):
    """One move of a customer from a lifecycle stage to another."""

    _name = "crm.lifecycle.history"
    _description = "Customer Lifecycle Stage History"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", index=True)
    from_stage_id = fields.Many2one("crm.lifecycle.stage", string="From", ondelete="set null")
    to_stage_id = fields.Many2one("crm.lifecycle.stage", string="To", required=True, ondelete="cascade")
    date = fields.Datetime(default=fields.Datetime.now, required=True)
    mode = fields.Selection([("auto", "Automatic rule"), ("manual", "Manual")], required=True, default="manual")
    reason = fields.Char(
        string="Note",
        help="Text typed by the user who moved the customer by hand. Automatic moves keep it empty: their "
        "reason is rendered from the mode and the stage in the reader's language.",
    )
    reason_display = fields.Char(string="Reason", compute="_compute_reason_display")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)

    @api.depends_context("lang")
    @api.depends("mode", "to_stage_id.name", "reason")
    def _compute_reason_display(self):
        """Rendered in the reader's language from the kind of move and the stage (stored text would stay in
        the language of whoever ran the rules)."""
        for move in self:
            if move.mode == "auto":
                move.reason_display = _("Automatic rule: %(stage)s", stage=move.to_stage_id.name)
            else:
                move.reason_display = move.reason or _("Moved by hand")

    @api.model
    def _log_automatic_moves(self, moves, date):
        """Audit rows of automatic moves ``[(partner_id, from_stage_id, to_stage_id)]`` dated ``date``, for
        the current company and user: the one raw write of this table.

        Written with the moves of the nightly run, which can move most customers at once (the first run
        after installation moves every one of them): 5,000 rows take 0.16 s in this INSERT and 0.83 s
        through the ORM ``create`` (measured on 100,000 generated customers, 2 cores)."""
        if not moves:
            return
        self.flush_model()
        partner_ids, from_ids, to_ids = zip(*moves, strict=True)
        self.env.execute_query(
            SQL(
                """
            INSERT INTO crm_lifecycle_history (partner_id, company_id, from_stage_id, to_stage_id, date, mode,
                                               user_id, create_uid, create_date, write_uid, write_date)
            SELECT m.partner_id, %(company)s, m.from_stage_id, m.to_stage_id, %(date)s, 'auto', %(uid)s,
                   %(uid)s, %(date)s, %(uid)s, %(date)s
              FROM unnest(%(partners)s::int[], %(froms)s::int[], %(tos)s::int[])
                   AS m(partner_id, from_stage_id, to_stage_id)
                """,
                company=self.env.company.id,
                date=date,
                uid=self.env.uid,
                partners=pg_array(partner_ids),
                froms=pg_array(from_ids),
                tos=pg_array(to_ids),
            )
        )
        self.invalidate_model()
