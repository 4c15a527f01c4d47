from odoo import fields, models

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
