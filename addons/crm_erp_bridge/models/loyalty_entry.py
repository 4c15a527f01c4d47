from odoo import fields, models


class CrmLoyaltyEntry(models.Model):
    _inherit = "crm.loyalty.entry"

    accrual_ids = fields.Many2many(
        "crm.loyalty.accrual",
        "crm_loyalty_accrual_entry_rel",
        "entry_id",
        "accrual_id",
        string="Liability Accruals",
        readonly=True,
        copy=False,
    )
