from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    feedback_open_count = fields.Integer(compute="_compute_feedback_open_count", string="Open Tickets")

    def _compute_feedback_open_count(self):
        groups = dict(
            self.env["crm.feedback.ticket"]._read_group(
                [("commercial_partner_id", "in", self.commercial_partner_id.ids), ("is_closed", "=", False)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.feedback_open_count = groups.get(partner.commercial_partner_id, 0)

    def action_view_feedback_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_feedback.crm_feedback_ticket_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
