from odoo import _, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    feedback_open_count = fields.Integer(compute="_compute_feedback_open_count", string="Open Tickets")

    def _compute_feedback_open_count(self):
        Ticket = self.env["crm.feedback.ticket"]
        if not Ticket.has_access("read"):
            # sudo: the count shows on the customer (360 panel) to sales staff who may not read tickets;
            # scoped to the user's companies as the record rules would be. Support agents keep their rules,
            # so the count matches what the stat button opens for them.
            Ticket = Ticket.sudo()
        groups = dict(
            Ticket._read_group(
                [
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                    ("is_closed", "=", False),
                    ("company_id", "in", self.env.companies.ids),
                ],
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

    def action_send_nps_survey(self):
        requests = self.env["crm.feedback.nps.request"]._send(self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if requests else "warning",
                "message": _(
                    "%(count)s NPS surveys queued (customers without email, without e-mail marketing consent or "
                    "surveyed recently are skipped).",
                    count=len(requests),
                ),
            },
        }
