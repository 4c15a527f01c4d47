from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    clv_parameters = fields.Json(
        string="Churn and CLV Model Parameters",
        readonly=True,
        copy=False,
        help="The parameters of the last BG/NBD and Gamma-Gamma fit of the company's customers; the next fit "
        "starts its search from them.",
    )
