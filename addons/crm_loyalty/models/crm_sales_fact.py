from odoo import api, fields, models
from odoo.tools import SQL


class CrmSalesFact(models.Model):
    """The customer figures count the invoice lines of loyalty reward products (points paid with) as cost to
    serve: ``loyalty_rewards``, out of the gross revenue."""

    _inherit = "crm.sales.fact"

    loyalty_rewards = fields.Monetary(
        readonly=True, help="Discount lines of points paid with (reward products), a cost to serve."
    )

    @api.model
    def _fact_line_classes(self):
        return [
            *super()._fact_line_classes(),
            (
                10,
                "loyalty_rewards",
                SQL(
                    "aml.product_id IN (SELECT reward_product_id FROM crm_loyalty_program"
                    " WHERE reward_product_id IS NOT NULL)"
                ),
            ),
        ]
