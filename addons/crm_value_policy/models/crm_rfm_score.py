from odoo import api, models


class CrmRfmScore(models.Model):
    _inherit = "crm.rfm.score"

    @api.model
    def _recompute(self, companies, today=None):
        """The value classes and segments changed: the customers whose policy follows are resolved at once."""
        res = super()._recompute(companies, today=today)
        self.env["crm.value.policy.assignment"]._resolve(companies, reason="change")
        return res

    @api.model
    def _predict(self, company, today=None):
        """The predicted lifetime values changed: the customers whose policy follows are resolved at once."""
        res = super()._predict(company, today=today)
        self.env["crm.value.policy.assignment"]._resolve(company, reason="change")
        return res
