from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_overdue_days = fields.Integer(related="company_id.credit_overdue_days", readonly=False)
    credit_limit_policy = fields.Selection(related="company_id.credit_limit_policy", readonly=False)
    loyalty_block_overdue = fields.Boolean(related="company_id.loyalty_block_overdue", readonly=False)
    goodwill_points = fields.Float(related="company_id.goodwill_points", readonly=False)
    goodwill_cap_points = fields.Float(related="company_id.goodwill_cap_points", readonly=False)
    goodwill_cap_days = fields.Integer(related="company_id.goodwill_cap_days", readonly=False)
    goodwill_sentiment_threshold = fields.Float(related="company_id.goodwill_sentiment_threshold", readonly=False)
    crm_ticket_hourly_cost = fields.Monetary(related="company_id.crm_ticket_hourly_cost", readonly=False)
    crm_shipment_cost = fields.Monetary(related="company_id.crm_shipment_cost", readonly=False)
    crm_return_cost = fields.Monetary(related="company_id.crm_return_cost", readonly=False)
    crm_cost_of_capital = fields.Float(related="company_id.crm_cost_of_capital", readonly=False)
