from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm360_currency_id = fields.Many2one("res.currency", compute="_compute_crm360")
    crm360_revenue_total = fields.Monetary(compute="_compute_crm360", currency_field="crm360_currency_id",
                                           string="Lifetime Net Revenue")
    crm360_revenue_12m = fields.Monetary(compute="_compute_crm360", currency_field="crm360_currency_id",
                                         string="Net Revenue (12 months)")
    crm360_open_orders = fields.Integer(compute="_compute_crm360", string="Open Quotations and Orders")
    crm360_receivable = fields.Monetary(compute="_compute_crm360", currency_field="crm360_currency_id",
                                        string="Receivable")
    crm360_overdue = fields.Monetary(compute="_compute_crm360", currency_field="crm360_currency_id",
                                     string="Overdue")

    @api.depends_context("company")
    def _compute_crm360(self):
        """The 360-degree figures, in company currency, with a fixed number of grouped queries."""
        company = self.env.company
        customers = self.commercial_partner_id
        since = fields.Date.context_today(self) - relativedelta(months=12)
        Move = self.env["account.move"]
        base = [("commercial_partner_id", "in", customers.ids), ("state", "=", "posted"),
                ("company_id", "=", company.id), ("move_type", "in", ("out_invoice", "out_refund"))]
        total = dict(Move._read_group(base, ["commercial_partner_id"], ["amount_untaxed_signed:sum"]))
        recent = dict(Move._read_group(base + [("invoice_date", ">=", since)], ["commercial_partner_id"],
                                       ["amount_untaxed_signed:sum"]))
        Line = self.env["account.move.line"]
        recv_domain = [("partner_id", "in", customers.ids), ("parent_state", "=", "posted"),
                       ("company_id", "=", company.id), ("account_type", "=", "asset_receivable"),
                       ("reconciled", "=", False)]
        receivable = dict(Line._read_group(recv_domain, ["partner_id"], ["amount_residual:sum"]))
        overdue = dict(Line._read_group(recv_domain + [("date_maturity", "<", fields.Date.context_today(self))],
                                        ["partner_id"], ["amount_residual:sum"]))
        orders = dict(self.env["sale.order"]._read_group(
            [("partner_id", "child_of", customers.ids), ("company_id", "=", company.id),
             ("state", "in", ("draft", "sent", "sale")), ("invoice_status", "!=", "invoiced")],
            ["partner_id"], ["__count"],
        ))
        orders_by_customer = {}
        for partner, count in orders.items():
            key = partner.commercial_partner_id
            orders_by_customer[key] = orders_by_customer.get(key, 0) + count
        for partner in self:
            customer = partner.commercial_partner_id
            partner.crm360_currency_id = company.currency_id
            partner.crm360_revenue_total = total.get(customer, 0.0)
            partner.crm360_revenue_12m = recent.get(customer, 0.0)
            partner.crm360_receivable = receivable.get(customer, 0.0)
            partner.crm360_overdue = overdue.get(customer, 0.0)
            partner.crm360_open_orders = orders_by_customer.get(customer, 0)
