from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # sudo: a new company starts with its default value policy, whoever creates it (policies are
        # managed by sales managers, companies by administrators)
        Policy_sudo = self.env["crm.value.policy"].sudo()
        Policy_sudo._create_company_defaults(companies)
        return companies
