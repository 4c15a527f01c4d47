from odoo import fields, models


class CrmRfmSnapshot(models.Model):
    """A customer's RFM segment in a month, with last month's: the transition matrix is a pivot of it."""

    _name = "crm.rfm.snapshot"
    _description = "Monthly RFM Segment Snapshot"
    _order = "month desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade", readonly=True)
    month = fields.Date(required=True, index=True, readonly=True)
    segment_id = fields.Many2one("crm.rfm.segment", readonly=True)
    previous_segment_id = fields.Many2one("crm.rfm.segment", string="Previous Month's Segment", readonly=True)
    rfm_code = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "partner_company_month_uniq",
            "UNIQUE(partner_id, company_id, month)",
            "One snapshot per customer, company and month.",
        )
    ]
