from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_overdue_days = fields.Integer(
        string="Overdue Flag after (days)", default=30,
        help="Customers with invoices overdue by more than this many days are flagged.")
    credit_limit_policy = fields.Selection(
        [("none", "Do nothing"), ("warn", "Warn"), ("block", "Block")], default="warn", required=True,
        string="Orders over Credit Limit")
    loyalty_block_overdue = fields.Boolean(string="No Redemption while Overdue", default=True)
