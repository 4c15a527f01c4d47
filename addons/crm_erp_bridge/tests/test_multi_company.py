from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(AccountTestInvoicingCommon):
    """A user of company A never sees company B's programs, members, ledger, tickets, NPS answers,
    segments, goodwill or profitability, whatever group they hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_a = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        env.user.groups_id |= env.ref("crm_loyalty.group_loyalty_manager") | env.ref(
            "crm_feedback.group_feedback_manager"
        )
        env.user.company_ids |= cls.company_b
        b_env = env(context=dict(env.context, allowed_company_ids=[cls.company_b.id]))
        customer_b = b_env["res.partner"].create({"name": "B Customer", "is_company": True})
        cls.program_b = b_env["crm.loyalty.program"].create(
            {"name": "B Club", "company_id": cls.company_b.id, "point_value": 0.01}
        )
        cls.member_b = b_env["crm.loyalty.membership"].create(
            {"partner_id": customer_b.id, "program_id": cls.program_b.id}
        )
        cls.entry_b = cls.member_b._post_bonus("other", 500, "Welcome")
        cls.ticket_b = b_env["crm.feedback.ticket"].create(
            {
                "subject": "B issue",
                "description": "<p>B</p>",
                "partner_id": customer_b.id,
                "company_id": cls.company_b.id,
            }
        )
        cls.nps_b = b_env["crm.feedback.nps"].create(
            {"partner_id": customer_b.id, "score": 3, "company_id": cls.company_b.id}
        )
        cls.segment_b = b_env["crm.rule.segment"].create({"name": "B segment", "company_id": cls.company_b.id})
        cls.goodwill_b = b_env["crm.loyalty.goodwill"].search([("nps_id", "=", cls.nps_b.id)])
        b_env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer_b.id,
                "invoice_date": "2026-01-10",
                "invoice_line_ids": [
                    Command.create({"name": "B sale", "quantity": 1, "price_unit": 100, "tax_ids": False})
                ],
            }
        ).action_post()
        cls.user_a = new_test_user(
            env,
            login="mc_user_a",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
            groups="crm_loyalty.group_loyalty_manager,crm_feedback.group_feedback_manager,"
            "sales_team.group_sale_manager,account.group_account_manager",
        )

    def test_company_a_user_sees_nothing_of_company_b(self):
        self.assertTrue(self.goodwill_b, "the detractor answer proposed goodwill in company B")
        records = [
            self.program_b,
            self.member_b,
            self.entry_b,
            self.ticket_b,
            self.nps_b,
            self.segment_b,
            self.goodwill_b,
        ]
        for record in records:
            model_as_a = self.env(user=self.user_a, context={"allowed_company_ids": self.company_a.ids})[record._name]
            self.assertFalse(model_as_a.search([("id", "in", record.ids)]), record._name)
            with self.assertRaises(AccessError, msg=record._name):
                model_as_a.browse(record.ids).read(["display_name"])
        profitability = self.env(user=self.user_a, context={"allowed_company_ids": self.company_a.ids})[
            "crm.customer.profitability"
        ]
        self.assertFalse(profitability.search([("company_id", "=", self.company_b.id)]))
        self.assertTrue(
            self.env["crm.customer.profitability"].search([("company_id", "=", self.company_b.id)]),
            "company B does have profitability rows",
        )
