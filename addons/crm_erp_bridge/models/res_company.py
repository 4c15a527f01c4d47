from odoo import fields, models

COST_TO_SERVE_RATES = {"crm_ticket_hourly_cost", "crm_shipment_cost", "crm_return_cost", "crm_cost_of_capital"}


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
    # the rates of the cost to serve (crm.sales.fact: ticket handling, freight, returns, payment delay)
    crm_ticket_hourly_cost = fields.Monetary(
        string="Ticket Handling Cost per Hour",
        currency_field="currency_id",
        help="Cost of one hour spent on a feedback ticket, for the teams without an hourly cost of their own: "
        "the ticket handling cost of a customer is the time spent on their closed tickets times this rate.",
    )
    crm_shipment_cost = fields.Monetary(
        string="Freight Cost per Shipment",
        currency_field="currency_id",
        help="Cost of one delivery to a customer, when the delivery has no carrier with a shipping cost.",
    )
    crm_return_cost = fields.Monetary(
        string="Handling Cost per Return",
        currency_field="currency_id",
        help="Cost of receiving and handling one return from a customer.",
    )
    crm_cost_of_capital = fields.Float(
        string="Annual Cost of Capital (%)",
        digits=(16, 2),
        help="Yearly rate of the money a late payer keeps: the payment delay cost of a payment is its amount x "
        "the days paid after the due date x this rate / 365.",
    )

    def write(self, vals):
        res = super().write(vals)
        if COST_TO_SERVE_RATES.intersection(vals):
            # the rates are applied when the figures are computed: the companies' costs to serve follow
            self.env["crm.sales.fact"]._refresh_service_costs(companies=self)
        return res
