from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_overdue_days = fields.Integer(
        string="Overdue Flag after (days)",
        default=30,
        help="Customers with invoices overdue by more than this many days are flagged.",
    )
    credit_limit_policy = fields.Selection(
        [("none", "Do nothing"), ("warn", "Warn"), ("block", "Block")],
        default="warn",
        required=True,
        string="Orders over Credit Limit",
    )
    loyalty_block_overdue = fields.Boolean(string="No Redemption while Overdue", default=True)
    goodwill_points = fields.Float(
        string="Goodwill Points per Failure",
        default=100,
        help="Points proposed to a member after an SLA breach, a CSAT of 1-2, an NPS detractor answer or "
        "strongly negative sentiment. 0 disables service recovery proposals.",
    )
    goodwill_cap_points = fields.Float(string="Goodwill Cap per Customer", default=300)
    goodwill_cap_days = fields.Integer(string="Goodwill Cap Period (days)", default=90)
    goodwill_sentiment_threshold = fields.Float(
        string="Strongly Negative Sentiment",
        default=-0.5,
        help="Tickets whose sentiment score is at or below this value (-1 to 1) count as service failures.",
    )
