from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_overdue = fields.Boolean(
        related="partner_id.commercial_partner_id.credit_overdue", string="Overdue Customer"
    )
    credit_warning_text = fields.Char(
        compute="_compute_credit_warning_text",
        help="Overdue invoices beyond the company's tolerance. The credit limit itself is core's warning "
        "(partner_credit_warning), shown in its own banner.",
    )

    @api.depends("partner_id")
    def _compute_credit_warning_text(self):
        for order in self:
            order.credit_warning_text = _("This customer has overdue invoices.") if order.credit_overdue else False

    def _credit_limit_problem(self):
        """Core's credit-limit message for this order in its own company ('' when within the limit or when
        the company does not use credit limits): the customer's own limit, else the company default that
        core keeps as an ``ir.default`` of ``res.partner.credit_limit``."""
        self.ensure_one()
        company = self.company_id
        if not company.account_use_credit_limit:
            return ""
        # sudo: the limit and the receivable are the company's rule on the whole customer account, read as
        # core's own banner reads them (sale.order._compute_partner_credit_warning), for this order only
        order_sudo = self.sudo().with_company(company)
        message = (
            self.env["account.move"]
            .with_company(company)
            ._build_credit_warning_message(
                order_sudo, current_amount=order_sudo.amount_total / order_sudo.currency_rate
            )
        )
        # read before confirming: nothing would recompute these non-stored amounts once the order counts in
        # them, so the values read here must not stay in the cache
        order_sudo.partner_id.commercial_partner_id.invalidate_recordset(["credit", "credit_to_invoice"])
        return message

    def action_confirm(self):
        for order in self:
            policy = order.company_id.credit_limit_policy
            if policy == "none":
                continue
            problem = order._credit_limit_problem()
            if problem and policy == "block":
                raise UserError(problem)
            if problem and policy == "warn":
                order.message_post(body=problem, subtype_xmlid="mail.mt_note")
        return super().action_confirm()

    def _crm_loyalty_check_redemption(self, membership, points, spent=0.0):
        """Credit control: no redemption while the customer is overdue, in the redemption wizard and again
        when the order is confirmed, whatever wrote the reward line."""
        res = super()._crm_loyalty_check_redemption(membership, points, spent=spent)
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        if self.company_id.loyalty_block_overdue and partner.credit_overdue:
            raise UserError(
                _("%(customer)s has overdue invoices: settle them before redeeming points.", customer=partner.name)
            )
        return res
