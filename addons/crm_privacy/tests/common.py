from odoo.tests import TransactionCase, new_test_user

from odoo.addons.crm_privacy.models.res_partner import LOGGED_360


class PrivacyCommon(TransactionCase):
    """A customer with a contact, a salesperson, an accountant and a privacy officer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.customer = cls.env["res.partner"].create(
            {"name": "Private Ltd", "is_company": True, "email": "private@example.com"}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Wang Fang", "parent_id": cls.customer.id, "email": "wang.fang@example.com"}
        )
        cls.salesman = new_test_user(cls.env, login="privacy_sales", groups="sales_team.group_sale_salesman")
        cls.accountant = new_test_user(
            cls.env, login="privacy_accountant", groups="account.group_account_invoice,sales_team.group_sale_salesman"
        )
        cls.officer = new_test_user(cls.env, login="privacy_officer", groups="crm_privacy.group_privacy_officer")
        cls.Log = cls.env["crm.privacy.access.log"]

    def setUp(self):
        super().setUp()
        # the 360 reads already logged in this transaction: one test's rows are rolled back, not its memory
        self.env.cr.cache.pop(LOGGED_360, None)
