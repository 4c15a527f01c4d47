from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    lifecycle_stage_id = fields.Many2one(
        "crm.lifecycle.stage", string="Lifecycle Stage", index="btree_not_null", tracking=True,
        group_expand="_read_group_lifecycle_stage_ids", copy=False,
    )
    lifecycle_stage_date = fields.Datetime(string="In Stage Since", copy=False)
    lifecycle_history_ids = fields.One2many("crm.lifecycle.history", "partner_id", string="Stage History")

    @api.model
    def _read_group_lifecycle_stage_ids(self, stages, domain):
        return stages.search([])

    def write(self, vals):
        if "lifecycle_stage_id" in vals and not self.env.context.get("crm_lifecycle_auto"):
            self._log_lifecycle_moves(vals["lifecycle_stage_id"], "manual", self.env.context.get("lifecycle_reason"))
            vals = dict(vals, lifecycle_stage_date=fields.Datetime.now())
        return super().write(vals)

    def _log_lifecycle_moves(self, stage_id, mode, reason=None):
        stage = self.env["crm.lifecycle.stage"].browse(stage_id)
        if mode == "manual" and stage and not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise UserError(_("Only sales users can move customers between lifecycle stages."))
        self.env["crm.lifecycle.history"].sudo().create([{
            # sudo: the history is an audit trail written for every allowed move, not editable by users
            "partner_id": partner.id,
            "company_id": self.env.company.id,
            "from_stage_id": partner.lifecycle_stage_id.id,
            "to_stage_id": stage.id,
            "mode": mode,
            "reason": reason,
        } for partner in self if partner.lifecycle_stage_id != stage and stage])
