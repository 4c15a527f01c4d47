from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltySecurity(LoyaltyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = [(6, 0, cls.company.ids)]
        cls.loyalty_user = new_test_user(
            cls.env,
            login="loyalty_user",
            groups="crm_loyalty.group_loyalty_user",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.loyalty_manager = new_test_user(
            cls.env,
            login="loyalty_manager",
            groups="crm_loyalty.group_loyalty_manager",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.plain_user = new_test_user(
            cls.env, login="plain_user", groups="base.group_user", company_id=cls.company.id, company_ids=companies
        )
        cls.other_company = cls.setup_other_company()["company"]
        cls.other_program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Other Club",
                "company_id": cls.other_company.id,
            }
        )
        cls._invoice(cls.customer, [(cls.product, 1, 100)])

    def test_user_reads_and_enrols_but_cannot_configure(self):
        program = self.program.with_user(self.loyalty_user)
        self.assertEqual(program.name, "Club")
        with self.assertRaises(AccessError):
            program.write({"point_value": 1.0})
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.program"].with_user(self.loyalty_user).create({"name": "Rogue"})
        partner = self.env["res.partner"].create({"name": "Enrol Co", "is_company": True})
        member = (
            self.env["crm.loyalty.membership"]
            .with_user(self.loyalty_user)
            .create(
                {
                    "partner_id": partner.id,
                    "program_id": self.program.id,
                }
            )
        )
        self.assertTrue(member.name.startswith("M"))
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.adjust.wizard"].with_user(self.loyalty_user).create(
                {"membership_id": member.id, "points": 10, "reason": "x"}
            )
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.entry"].with_user(self.loyalty_user).create(
                {"membership_id": member.id, "entry_type": "adjust", "points": 10, "reason": "x"}
            )

    def test_manager_configures_and_adjusts(self):
        program = self.program.with_user(self.loyalty_manager)
        program.write({"point_value": 0.02})
        self.env["crm.loyalty.adjust.wizard"].with_user(self.loyalty_manager).create(
            {"membership_id": self.member.id, "points": 10, "reason": "welcome"}
        ).action_apply()
        self.assertEqual(self.member.balance, 110)
        entry = self._entries(entry_type="adjust")
        self.assertEqual(entry.approved_by_id, self.loyalty_manager)
        with self.assertRaises(UserError):
            entry.with_user(self.loyalty_manager).write({"points": 1})
        with self.assertRaises(AccessError):
            entry.with_user(self.loyalty_manager).unlink()

    def test_users_without_loyalty_group_see_nothing(self):
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.membership"].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.entry"].with_user(self.plain_user).search([])

    def test_multi_company_isolation(self):
        programs = self.env["crm.loyalty.program"].with_user(self.loyalty_manager).search([])
        self.assertIn(self.program, programs)
        self.assertNotIn(self.other_program, programs)
        with self.assertRaises(AccessError):
            self.other_program.with_user(self.loyalty_manager).read(["name"])
        entries = self.env["crm.loyalty.entry"].with_user(self.loyalty_user).search([])
        self.assertTrue(entries)
        self.assertEqual(entries.company_id, self.company)

    def test_invoice_posting_by_accountant_earns_points(self):
        accountant = new_test_user(
            self.env,
            login="acc",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        invoice = self._invoice(self.customer, [(self.product, 1, 200)], post=False)
        invoice.with_user(accountant).action_post()
        self.assertEqual(self.member.balance, 300)
