from odoo import _, api, fields, models


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
