from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _crm_profiling_opted_out(self):
        """Their churn risks go with their other profiling results (the daily job skips them from now on)."""
        # sudo: nobody may delete risks through the ORM; the objection is the customer's right, whoever records it
        risks_sudo = self.env["crm.churn.risk"].sudo().search([("partner_id", "in", self.ids)])
        risks_sudo.unlink()
        return super()._crm_profiling_opted_out()
