from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_overdue = fields.Boolean(
        related="partner_id.commercial_partner_id.credit_overdue", string="Overdue Customer"
    )
    credit_warning_text = fields.Char(compute="_compute_credit_warning_text")

    @api.depends("partner_id", "amount_total")
    def _compute_credit_warning_text(self):
        for order in self:
            order.credit_warning_text = order._credit_limit_problem() or (
                _("This customer has overdue invoices.") if order.credit_overdue else False
            )

    def _credit_limit_problem(self):
        """A message when confirming would take the customer over the credit limit, else False."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        company = self.company_id
        if not company.account_use_credit_limit:
            return False
        limit = partner.with_company(company).credit_limit or company.account_default_credit_limit
        if not limit:
            return False
        exposure = partner.with_company(company).credit + self.currency_id._convert(
            self.amount_total, company.currency_id, company, fields.Date.context_today(self)
        )
        if exposure > limit:
            return _(
                "%(customer)s would owe %(exposure).2f, over the credit limit of %(limit).2f.",
                customer=partner.name,
                exposure=exposure,
                limit=limit,
            )
        return False

    def action_confirm(self):
        for order in self:
            problem = order._credit_limit_problem()
            policy = order.company_id.credit_limit_policy
            if problem and policy == "block":
                raise UserError(problem)
            if problem and policy == "warn":
                order.message_post(body=problem, subtype_xmlid="mail.mt_note")
        return super().action_confirm()
