from odoo import fields, models


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
    reason = fields.Char()
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
