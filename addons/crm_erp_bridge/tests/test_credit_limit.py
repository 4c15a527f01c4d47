from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCreditLimit(AccountTestInvoicingCommon):
    """Core's credit limit (the customer's own limit, else the company default kept as an ir.default) drives
    the one warning banner; the bridge only adds the block policy at confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Credit Company B")["company"]
        cls.env.user.company_ids |= cls.company_b
        cls.customer = cls.env["res.partner"].create({"name": "Credit Customer", "is_company": True})
        cls.product = cls.env["product.product"].create({"name": "Chair", "list_price": 100.0, "taxes_id": False})

    def _order(self, company, price=100.0):
        return (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": price, "tax_id": False}
                        )
                    ],
                }
            )
        )

    def _company_default_limit(self, company, limit):
        """What Settings > Credit Limits does: the default limit is an ir.default of res.partner.credit_limit."""
        settings = self.env["res.config.settings"].with_company(company).create({})
        settings.account_use_credit_limit = True
        settings.account_default_credit_limit = limit
        settings.execute()

    def test_confirm_without_customer_limit_uses_the_company_default(self):
        """Credit limits on, a default limit and no limit of the customer's own: confirming works (it crashed
        reading a company field that does not exist in 18.0) and the default limit applies."""
        self._company_default_limit(self.company, 50.0)
        self.company.credit_limit_policy = "block"
        order = self._order(self.company)
        self.assertIn("credit limit", order.partner_credit_warning)
        self.assertFalse(order.credit_warning_text, "one banner: core's says it all")
        with self.assertRaisesRegex(UserError, "credit limit"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.company.credit_limit_policy = "warn"
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(any("credit limit" in str(body) for body in order.message_ids.mapped("body")))

    def test_no_limit_confirms(self):
        self._company_default_limit(self.company, 0.0)
        self.company.credit_limit_policy = "block"
        order = self._order(self.company, price=1e6)
        self.assertFalse(order.partner_credit_warning)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_credit_to_invoice_counts_the_confirmed_order(self):
        """Checking the limit before confirming must not leave the customer's amount to invoice cached at its
        value before the order (core's TestSaleOrderCreditLimit.test_commercial_partner_credit)."""
        self._company_default_limit(self.company, 10000.0)
        self.company.credit_limit_policy = "block"
        order = self._order(self.company)
        order.action_confirm()
        self.assertEqual(self.customer.with_company(self.company).credit_to_invoice, 100.0)

    def test_customer_limit_per_company(self):
        """The customer's limit is per company: blocked in the company where it is exceeded, free in the
        other one (no default there)."""
        self.company.write({"account_use_credit_limit": True, "credit_limit_policy": "block"})
        self.company_b.write({"account_use_credit_limit": True, "credit_limit_policy": "block"})
        self.customer.with_company(self.company).credit_limit = 80.0
        self.customer.with_company(self.company_b).credit_limit = 500.0
        blocked = self._order(self.company)
        with self.assertRaises(UserError):
            blocked.action_confirm()
        free = self._order(self.company_b)
        self.assertFalse(free.partner_credit_warning)
        free.action_confirm()
        self.assertEqual(free.state, "sale")
        # credit limits off in the first company: the policy no longer applies
        self.company.account_use_credit_limit = False
        blocked.action_confirm()
        self.assertEqual(blocked.state, "sale")

    def test_confirm_with_credit_limits_on_as_salesperson(self):
        """A salesperson without accounting rights confirms as in core (the check reads the receivable as
        the company's rule, like core's banner)."""
        self._company_default_limit(self.company, 1000.0)
        self.company.credit_limit_policy = "block"
        seller = self.env["res.users"].create(
            {
                "name": "Credit Seller",
                "login": "credit_seller",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        order = self._order(self.company)
        order.user_id = seller
        order.with_user(seller).action_confirm()
        self.assertEqual(order.state, "sale")
