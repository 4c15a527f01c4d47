from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

CRON_INTERVALS = [("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks"), ("months", "Months")]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rfm_window_months = fields.Integer(related="company_id.rfm_window_months", readonly=False)
    rfm_count_sale_orders = fields.Boolean(related="company_id.rfm_count_sale_orders", readonly=False)
    rfm_cron_interval_number = fields.Integer(
        string="Recompute Every",
        compute="_compute_rfm_cron",
        inverse="_inverse_rfm_cron",
        help="How often RFM scores, value classes, churn and lifetime value are recomputed (all companies).",
    )
    rfm_cron_interval_type = fields.Selection(
        CRON_INTERVALS, string="Recompute Unit", compute="_compute_rfm_cron", inverse="_inverse_rfm_cron"
    )
    lifecycle_stable_min_purchases = fields.Integer(related="company_id.lifecycle_stable_min_purchases", readonly=False)
    lifecycle_decline_factor = fields.Float(related="company_id.lifecycle_decline_factor", readonly=False)
    lifecycle_lost_days = fields.Integer(related="company_id.lifecycle_lost_days", readonly=False)
    clv_horizon_months = fields.Integer(related="company_id.clv_horizon_months", readonly=False)
    clv_discount_rate = fields.Float(related="company_id.clv_discount_rate", readonly=False)
    clv_typical_gap_days = fields.Integer(related="company_id.clv_typical_gap_days")
    clv_predicted_at = fields.Datetime(related="company_id.clv_predicted_at")
    clv_prediction_note = fields.Char(related="company_id.clv_prediction_note")
    lifecycle_won_back_days = fields.Integer(related="company_id.lifecycle_won_back_days", readonly=False)
    lifecycle_manual_lock_days = fields.Integer(related="company_id.lifecycle_manual_lock_days", readonly=False)

    @api.model
    def _rfm_cron(self):
        # sudo: scheduled actions are readable by administrators only; the settings page that shows and
        # saves this one is itself restricted to them
        return self.env.ref("crm_segmentation.ir_cron_rfm_recompute").sudo()

    def _compute_rfm_cron(self):
        cron = self._rfm_cron()
        for settings in self:
            settings.rfm_cron_interval_number = cron.interval_number
            settings.rfm_cron_interval_type = cron.interval_type

    def _inverse_rfm_cron(self):
        for settings in self:
            if settings.rfm_cron_interval_number < 1:
                raise ValidationError(_("The RFM recompute interval must be at least 1."))
            self._rfm_cron().write(
                {
                    "interval_number": settings.rfm_cron_interval_number,
                    "interval_type": settings.rfm_cron_interval_type or "days",
                }
            )

    def action_crm_rebuild_sales_facts(self):
        """Button: recompute the daily sales facts of the current companies from their invoices (after
        invoices were imported straight into the database, around the posting hooks)."""
        self.env["crm.sales.fact"]._rebuild(self.env.companies)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("The daily sales facts were rebuilt from the invoices."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
