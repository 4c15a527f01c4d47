from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_figures_refreshed_at = fields.Datetime(
        string="Figures Refreshed",
        readonly=True,
        copy=False,
        help="When the lifecycle stage and the other derived figures of this customer were last refreshed "
        "after a sale, payment, delivery or return.",
    )

    def write(self, vals):
        if "parent_id" not in vals and "is_company" not in vals:
            return super().write(vals)
        entities = self.commercial_partner_id
        res = super().write(vals)
        # the contacts' invoices now belong to another commercial entity: both entities' sales facts change
        if entities != self.commercial_partner_id:
            self.env["crm.sales.fact"]._refresh_partners((entities | self.commercial_partner_id).ids)
        return res

    def _crm_refresh_figures(self):
        """Refresh the derived figures of these commercial partners, set-based (called by the refresh queue);
        addons extend it with their figures (the lifecycle stage) and call ``super()``."""
        self._crm_stamp_figures_refreshed()

    def _crm_stamp_figures_refreshed(self):
        # through the ORM: measured on 1,000 customers (the queue's batch), 0.15 s against 0.06 s for an SQL
        # UPDATE: not worth writing the partner table behind the ORM's back
        self.write({"crm_figures_refreshed_at": fields.Datetime.now()})
