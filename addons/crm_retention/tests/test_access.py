from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
class TestRetentionAccess(RetentionCommon):
    """Salespeople read their own customers' risks (and unassigned ones), sales managers and "all documents"
    salespeople every customer's, nobody another company's; nobody writes risks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_salesman = new_test_user(cls.env, login="churn_sales_2", groups="sales_team.group_sale_salesman")
        cls.all_docs = new_test_user(
            cls.env, login="churn_sales_all", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Retention B"})
        cls.manager = new_test_user(
            cls.env,
            login="churn_manager",
            groups="sales_team.group_sale_manager",
            company_ids=[(6, 0, (cls.company | cls.company_b).ids)],
            company_id=cls.company.id,
        )

    def test_own_customers_and_companies(self):
        mine = self._customer("Mine Ltd", [90, 60, 30], user=self.salesman)
        theirs = self._customer("Theirs Ltd", [90, 60, 30], user=self.other_salesman)
        nobodys = self._customer("Nobody Ltd", [90, 60, 30])
        elsewhere = self._customer("Elsewhere Ltd", [90, 60, 30], user=self.salesman, company=self.company_b)
        self._compute(self.company | self.company_b)
        Risk = self.env["crm.churn.risk"]
        everyone = mine | theirs | nobodys | elsewhere
        domain = [("partner_id", "in", everyone.ids)]
        seen = Risk.with_user(self.salesman).with_context(allowed_company_ids=self.company.ids).search(domain)
        self.assertEqual(seen.partner_id, mine | nobodys)
        seen = Risk.with_user(self.all_docs).with_context(allowed_company_ids=self.company.ids).search(domain)
        self.assertEqual(seen.partner_id, mine | theirs | nobodys)
        seen = Risk.with_user(self.manager).with_context(allowed_company_ids=self.company.ids).search(domain)
        self.assertEqual(seen.partner_id, mine | theirs | nobodys)
        both = (self.company | self.company_b).ids
        seen = Risk.with_user(self.manager).with_context(allowed_company_ids=both).search(domain)
        self.assertEqual(seen.partner_id, everyone)
        risk_theirs = self._risk(theirs)
        with self.assertRaises(AccessError):
            risk_theirs.with_user(self.salesman).action_winback_activity()
        with self.assertRaises(AccessError):
            self._risk(mine).with_user(self.salesman).write({"score": 0})
        with self.assertRaises(AccessError):
            self._risk(mine).with_user(self.manager).write({"holdout": False})

    def test_recompute_button_for_managers_only(self):
        self._customer("Button Ltd", [90, 60, 30])
        with self.assertRaisesRegex(UserError, "Only sales managers"):
            self.Risk.with_user(self.salesman).action_recompute()
        self.Risk.with_user(self.manager).with_context(allowed_company_ids=self.company.ids).action_recompute()
        self.assertEqual(self.Risk.search_count([("partner_id.name", "=", "Button Ltd")]), 1)

    def test_recompute_button_recomputes_today(self):
        """The daily job ran this morning; a complaint comes in: the managers' button computes today's risk
        again with it (the daily job itself skips the customers computed today)."""
        customer = self._customer("Morning Ltd", [60, 40, 20, 10])
        self._compute()
        self.assertEqual(self._risk(customer).open_complaints, 0)
        self._ticket(customer, "complaint")
        self._compute()  # the job again: nothing new today
        self.assertEqual(self._risk(customer).open_complaints, 0)
        self.Risk.with_user(self.manager).with_context(allowed_company_ids=self.company.ids).action_recompute()
        self.Risk.invalidate_model()
        risk = self._risk(customer)
        self.assertEqual(risk.open_complaints, 1)
        self.assertIn("1 open complaint", risk.reasons)
