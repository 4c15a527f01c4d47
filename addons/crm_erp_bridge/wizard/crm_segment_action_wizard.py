from odoo import _, api, fields, models

from ..models.crm_segment_action import CHANNELS, KINDS


class CrmSegmentActionWizard(models.TransientModel):
    """Start a segment campaign from an RFM segment or a rule segment (their forms and lists): the campaign is
    created as a draft with its customers read from the segment, then submitted from its own form."""

    _name = "crm.segment.action.wizard"
    _description = "New Segment Campaign"
    _check_company_auto = True

    rfm_segment_id = fields.Many2one("crm.rfm.segment", string="RFM Segment")
    rule_segment_id = fields.Many2one("crm.rule.segment", check_company=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    name = fields.Char(required=True)
    kind = fields.Selection(KINDS, required=True, default="points")
    channel = fields.Selection(CHANNELS, required=True, default="email")
    program_id = fields.Many2one("crm.loyalty.program", check_company=True)
    points = fields.Float(string="Points per Customer")
    offer_text = fields.Text(string="Offer")
    offer_expiry_date = fields.Date(string="Offer Valid Until")
    task_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        default=lambda self: self.env.ref("mail.mail_activity_data_todo", False),
    )
    task_summary = fields.Char(string="Activity Summary")
    task_deadline = fields.Date(string="Activity Deadline", default=fields.Date.context_today)
    task_user_id = fields.Many2one(
        "res.users", string="Assigned To", help="Empty: each customer's salesperson (you where they have none)."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model, active_id = self.env.context.get("active_model"), self.env.context.get("active_id")
        if model == "crm.rfm.segment" and active_id:
            values["rfm_segment_id"] = active_id
        elif model == "crm.rule.segment" and active_id:
            values["rule_segment_id"] = active_id
            segment = self.env["crm.rule.segment"].browse(active_id)
            if segment.company_id:
                values["company_id"] = segment.company_id.id
        segment = self.env["crm.rfm.segment"].browse(values.get("rfm_segment_id")) or self.env[
            "crm.rule.segment"
        ].browse(values.get("rule_segment_id"))
        if segment and "name" in fields_list and not values.get("name"):
            values["name"] = _("Campaign for %(segment)s", segment=segment.name)
        return values

    @api.onchange("kind")
    def _onchange_kind(self):
        if self.kind == "winback":
            self.channel = "email"
        elif self.kind == "activity" and self.channel not in ("phone", "email"):
            self.channel = "phone"

    def action_create(self):
        self.ensure_one()
        action = self.env["crm.segment.action"].create(
            {
                "name": self.name,
                "kind": self.kind,
                "channel": self.channel,
                "company_id": self.company_id.id,
                "rfm_segment_id": self.rfm_segment_id.id,
                "rule_segment_id": self.rule_segment_id.id,
                "program_id": self.program_id.id if self.kind != "activity" else False,
                "points": self.points if self.kind != "activity" else 0.0,
                "offer_text": self.offer_text if self.kind == "winback" else False,
                "offer_expiry_date": self.offer_expiry_date if self.kind == "winback" else False,
                "task_type_id": self.task_type_id.id if self.kind == "activity" else False,
                "task_summary": self.task_summary if self.kind == "activity" else False,
                "task_deadline": self.task_deadline if self.kind == "activity" else False,
                "task_user_id": self.task_user_id.id if self.kind == "activity" else False,
            }
        )
        action._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.segment.action",
            "res_id": action.id,
            "view_mode": "form",
            "target": "current",
        }
