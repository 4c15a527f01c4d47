from odoo import _, api, fields, models
from odoo.exceptions import UserError

STAGE_CODES = [
    ("prospect", "Prospect"),
    ("exploration", "Exploration"),
    ("formation", "Formation"),
    ("stability", "Stability"),
    ("decline", "Decline"),
    ("lost", "Lost"),
    ("won_back", "Won Back"),
]


class CrmLifecycleStage(models.Model):
    """A phase of the customer relationship (exploration, formation, stability, decline...)."""

    _name = "crm.lifecycle.stage"
    _description = "Customer Lifecycle Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    code = fields.Selection(STAGE_CODES, help="Which automatic rule moves customers into this stage.")
    description = fields.Text(translate=True)
    fold = fields.Boolean(string="Folded in Kanban")
    active = fields.Boolean(default=True)
    color = fields.Integer()

    _sql_constraints = [("code_uniq", "UNIQUE(code)", "Only one stage per automatic rule.")]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        """A stage that customers sit in or passed through is archived, never deleted: its history would go."""
        # sudo: the check must see every company's customers, not only those the user may read
        used = self.env["crm.lifecycle.history"].sudo().search_count(
            ["|", ("to_stage_id", "in", self.ids), ("from_stage_id", "in", self.ids)], limit=1
        ) or self.env["res.partner"].sudo().with_context(active_test=False).search_count(
            [("lifecycle_stage_id", "in", self.ids)], limit=1
        )
        if used:
            raise UserError(
                _("This lifecycle stage holds customers or their history. Archive it instead of deleting it.")
            )
