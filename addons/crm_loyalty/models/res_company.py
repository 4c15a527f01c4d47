from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_expiry_reminder_days = fields.Integer(
        string="Points Expiry Reminder (days)",
        default=0,
        help="Members are e-mailed this many days before some of their points expire (0: no reminder).",
    )

    _sql_constraints = [
        (
            "loyalty_expiry_reminder_days_positive",
            "CHECK(loyalty_expiry_reminder_days >= 0)",
            "The points expiry reminder cannot be a negative number of days.",
        ),
    ]
