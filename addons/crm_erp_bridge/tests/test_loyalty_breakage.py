from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.translate import TranslationModuleReader

from odoo.addons.crm_loyalty.tests.common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyBreakage(LoyaltyCommon):
    """The expected redemption rate estimated from the program's closed cohorts, through real ledger entries:
    earned by posted invoices, taken back by a credit note, redeemed on quotations, expired by the expiry run.

    The planted history (months before today; points expire after 12 months):
    A (-18): 1,000 earned, 1,000 redeemed;                                        closed, 100%
    B (-15): 1,000 earned, 800 redeemed, 200 expired;                             closed, 80%
    D (-14): 500 earned, 250 taken back by a credit note, 250 expired;            closed, 0%
    C (-1):  500 earned, 100 redeemed, 400 open (expire in 11 months);            open
    Closed cohorts: 1,800 redeemed of 2,250 settled = 0.8 (with C it would be 1,900 / 2,350).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.bk_program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Breakage Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "earn_rate": 1.0,
                "rounding": 1.0,
                "validity_months": 12,
                "max_redeem_pct": 50.0,
                "reward_product_id": cls.reward_product.id,
            }
        )
        cls.bk_customer = cls.env["res.partner"].create({"name": "Cohort Ltd", "is_company": True})
        cls.bk_member = cls.env["crm.loyalty.membership"].create(
            {"partner_id": cls.bk_customer.id, "program_id": cls.bk_program.id}
        )
        cls.accountant = new_test_user(
            cls.env,
            login="breakage_accountant",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.loyalty_manager = new_test_user(
            cls.env,
            login="breakage_loyalty_manager",
            groups="crm_loyalty.group_loyalty_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.months = {
            key: cls.today - relativedelta(months=ago) for key, ago in (("A", 18), ("B", 15), ("D", 14), ("C", 1))
        }

    # ------------------------------------------------------------------ helpers
    def _earn(self, day, amount):
        return self._invoice(self.bk_customer, [(self.product_food, 1, amount)], date=day)

    def _redeem_on_quotation(self, points):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.bk_customer.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create({"product_id": self.product_food.id, "product_uom_qty": 1, "price_unit": 1000})
                ],
            }
        )
        action = order.action_open_loyalty_redeem()
        wizard = Form(self.env["crm.loyalty.redeem.wizard"].with_context(**action["context"]))
        wizard.membership_id = self.bk_member
        wizard.points = points
        wizard.save().action_apply()
        order.action_confirm()
        return order

    def _expire(self):
        self.env["crm.loyalty.membership"]._cron_expire_points()

    def _plant_history(self, expire=True):
        self._earn(self.months["A"], 1000)
        self._earn(self.months["B"], 1000)
        earn_d = self._earn(self.months["D"], 500)
        self._refund(earn_d, [(self.product_food, 1, 250)])
        self._earn(self.months["C"], 500)
        self._redeem_on_quotation(1800)  # FIFO by expiry: A's 1,000, then 800 of B
        if expire:
            self._expire()  # B's 200 and D's 250 (C expires in 11 months)
            self._redeem_on_quotation(100)  # from C, the only open lot left

    def _table(self, program=None):
        return [
            (
                row["month"],
                row["earned"],
                row["redeemed"],
                row["expired"],
                row["open"],
                row["redemption_rate"] and round(row["redemption_rate"], 4),
                row["closed"],
            )
            for row in (program or self.bk_program)._redemption_cohorts()
        ]

    def _month(self, key):
        return self.months[key].replace(day=1)

    # ------------------------------------------------------------------ the cohorts
    def test_cohort_table_by_hand(self):
        self._plant_history()
        self.assertEqual(
            self._table(),
            [
                (self._month("A"), 1000, 1000, 0, 0, 1.0, True),
                (self._month("B"), 1000, 800, 200, 0, 0.8, True),
                (self._month("D"), 250, 0, 250, 0, 0.0, True),
                (self._month("C"), 500, 100, 0, 400, None, False),
            ],
        )
        self.assertLedgerConsistent(self.bk_member)

    def test_estimate_from_closed_cohorts_only(self):
        self._plant_history()
        proposal = self.bk_program._redemption_rate_proposal()[self.bk_program.id]
        self.assertEqual(proposal["rate"], 0.8, "1,800 redeemed of 2,250 settled; the open cohort C left out")
        self.assertEqual(proposal["cohort_count"], 3)
        self.assertEqual(proposal["points"], 2250)
        self.assertEqual(proposal["months"], [self._month("A"), self._month("B"), self._month("D")])

    def test_points_past_expiry_close_their_cohort(self):
        """Before the expiry run (and without the last redemption), the points past their expiry date count as
        expired: the same cohorts closed, the same rate."""
        self._plant_history(expire=False)
        rows = self.bk_program._redemption_cohorts()
        self.assertEqual([row["closed"] for row in rows], [True, True, True, False])
        self.assertEqual([row["lapsed"] for row in rows], [0, 200, 250, 0])
        self.assertEqual(self.bk_program._redemption_rate_proposal()[self.bk_program.id]["rate"], 0.8)

    def test_cancelled_redemption_nets_out(self):
        """Points given back by a cancelled order undo the redemption in the cohort it consumed: redeemed 0,
        not 400, and the points given back are still open in that cohort."""
        self._earn(self.months["A"], 1000)
        order = self._redeem_on_quotation(400)
        order._action_cancel()
        self._expire()
        # the 400 points given back carry no expiry date (crm_loyalty): the cohort stays open
        self.assertEqual(self._table(), [(self._month("A"), 1000, 0, 600, 400, None, False)])

    def test_not_enough_history(self):
        self._earn(self.months["C"], 500)
        self.assertEqual(self.bk_program._redemption_rate_proposal()[self.bk_program.id]["rate"], None)
        wizard = Form(
            self.env["crm.loyalty.breakage.wizard"]
            .with_user(self.accountant)
            .with_context(default_program_id=self.bk_program.id)
        )
        self.assertFalse(wizard.enough_history)
        self.assertEqual(wizard.new_rate, 1.0, "the current rate stays")
        wizard.save().action_apply()
        self.assertEqual(self.bk_program.expected_redemption_rate, 1.0)
        self.assertEqual(self.bk_program.breakage_estimate_ids.mapped("kind"), ["initial"], "no change recorded")
        # an accountant of another company sees neither the proposal nor can make one for this program
        other = self.env["res.company"].create({"name": "Other Breakage Co"})
        outsider = new_test_user(
            self.env,
            login="breakage_outsider",
            groups="account.group_account_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Wizard = self.env["crm.loyalty.breakage.wizard"].with_user(outsider)
        self.assertFalse(Wizard.search([]))
        with self.assertRaises(AccessError):
            Wizard.create({"program_id": self.bk_program.id})

    # ------------------------------------------------------------------ applying it
    def test_accountant_applies_the_estimate(self):
        self._plant_history()
        action = self.bk_program.with_user(self.accountant).action_estimate_breakage()
        wizard = Form(
            self.env["crm.loyalty.breakage.wizard"].with_user(self.accountant).with_context(**action["context"])
        )
        self.assertEqual(wizard.proposed_rate, 0.8)
        self.assertEqual((wizard.cohort_count, wizard.cohort_points), (3, 2250))
        self.assertEqual(len(wizard.cohort_ids), 4, "the workings: every cohort, open ones included")
        self.assertEqual(wizard.new_rate, 0.8)
        wizard.save().action_apply()
        self.assertEqual(self.bk_program.expected_redemption_rate, 0.8)
        estimate = self.bk_program.breakage_estimate_ids.filtered(lambda e: e.kind != "initial")
        self.assertRecordValues(
            estimate,
            [
                {
                    "kind": "estimate",
                    "old_rate": 1.0,
                    "new_rate": 0.8,
                    "proposed_rate": 0.8,
                    "reason": False,
                    "user_id": self.accountant.id,
                    "cohort_count": 3,
                    "cohort_points": 2250,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(
            estimate.cohort_months, ", ".join(self._month(key).strftime("%Y-%m") for key in ("A", "B", "D"))
        )
        note = self.bk_program.message_ids.filtered(lambda m: "Expected redemption rate changed" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("0.8000", note.body)
        self.assertEqual(note.author_id, self.accountant.partner_id)

    def test_override_needs_a_reason(self):
        self._plant_history()
        program = self.bk_program.with_user(self.accountant)
        with self.assertRaisesText(UserError, "is an override and needs a reason", "0.8000"):
            program._apply_redemption_rate(0.9)
        with self.assertRaisesText(UserError, "needs a reason"):
            program._apply_redemption_rate(0.9, reason="   ")
        wizard = Form(
            self.env["crm.loyalty.breakage.wizard"]
            .with_user(self.accountant)
            .with_context(default_program_id=program.id)
        )
        wizard.new_rate = 0.9
        self.assertTrue(wizard.is_override)
        wizard.reason = "New reward catalogue: members redeem more"
        wizard.save().action_apply()
        self.assertEqual(self.bk_program.expected_redemption_rate, 0.9)
        self.assertRecordValues(
            self.bk_program.breakage_estimate_ids.filtered(lambda e: e.kind != "initial"),
            [
                {
                    "kind": "override",
                    "old_rate": 1.0,
                    "new_rate": 0.9,
                    "proposed_rate": 0.8,
                    "reason": "New reward catalogue: members redeem more",
                }
            ],
        )

    def test_refusals_are_translatable(self):
        """The messages of the refusals are exported for the translators (``_()`` with named placeholders)."""
        terms = {term[4] for term in TranslationModuleReader(self.env.cr, ["crm_erp_bridge"])}
        for message in (
            (
                "Program %(program)s: a redemption rate other than the one estimated from the closed cohorts "
                "(%(proposal)s) is an override and needs a reason."
            ),
            "not enough history",
            "The breakage estimate history cannot be changed: it is an audit trail.",
            "An override of the estimated redemption rate needs a reason.",
        ):
            self.assertIn(message, terms)

    def test_rule_holds_on_direct_write(self):
        """Whoever writes the rate (RPC, import, the form): an override without a reason is refused."""
        self._plant_history()
        manager_program = self.bk_program.with_user(self.loyalty_manager)
        with self.assertRaisesText(UserError, "needs a reason"):
            manager_program.write({"expected_redemption_rate": 0.5})
        manager_program.with_context(breakage_reason="Closing the program next year").write(
            {"expected_redemption_rate": 0.5}
        )
        manager_program.write({"expected_redemption_rate": 0.8})  # the estimate itself needs no reason
        self.assertEqual(self.bk_program.breakage_estimate_ids.mapped("kind"), ["estimate", "override", "initial"])
        with self.assertRaises(AccessError):
            self.bk_program.with_user(
                new_test_user(self.env, login="breakage_invoicing", groups="account.group_account_invoice")
            )._apply_redemption_rate(0.8)

    def test_history_is_append_only(self):
        self._plant_history()
        self.bk_program.with_user(self.accountant)._apply_redemption_rate(0.8)
        estimate = self.bk_program.breakage_estimate_ids[0].with_user(self.accountant)
        with self.assertRaisesText(UserError, "audit trail"):
            estimate.write({"reason": "rewritten"})
        with self.assertRaises(AccessError):
            estimate.unlink()
        self.assertFalse(estimate.reason)
        self.assertEqual(len(self.bk_program.breakage_estimate_ids), 2, "the rate at creation and the estimate")

    def test_history_of_another_company_is_hidden(self):
        self._plant_history()
        self.bk_program._apply_redemption_rate(0.8)
        other = self.env["res.company"].create({"name": "Other Breakage Co"})
        outsider = new_test_user(
            self.env,
            login="breakage_outsider",
            groups="account.group_account_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Estimate = self.env["crm.loyalty.breakage.estimate"].with_user(outsider)
        self.assertFalse(Estimate.search([("program_id", "=", self.bk_program.id)]))
        self.assertFalse(self.env["crm.loyalty.cohort.report"].with_user(outsider).search([]))

    # ------------------------------------------------------------------ the review cron
    def test_cron_tells_the_manager_without_changing_the_rate(self):
        self._plant_history()
        Program = self.env["crm.loyalty.program"]
        notified = Program._cron_review_breakage_estimate()
        self.assertIn(self.bk_program, notified, "0.8 estimated, 1.0 expected: moved by more than 0.02")
        self.assertEqual(self.bk_program.expected_redemption_rate, 1.0, "the cron never changes the rate")
        activity = self.bk_program.activity_ids.filtered(lambda a: a.summary == "Review the breakage estimate")
        self.assertEqual(len(activity), 1)
        self.assertNotIn(self.bk_program, Program._cron_review_breakage_estimate(), "one open reminder at a time")
        activity.action_done()
        self.bk_program._apply_redemption_rate(0.8)
        self.assertNotIn(self.bk_program, Program._cron_review_breakage_estimate(), "the estimate has not moved")

    # ------------------------------------------------------------------ outside check of issue 20
    def test_wizard_workings_on_a_plain_create(self):
        """Over RPC the wizard is created without the form's onchange: it reads the same workings."""
        self._plant_history()
        wizard = (
            self.env["crm.loyalty.breakage.wizard"]
            .with_user(self.accountant)
            .create({"program_id": self.bk_program.id})
        )
        self.assertRecordValues(
            wizard,
            [{"enough_history": True, "proposed_rate": 0.8, "cohort_count": 3, "cohort_points": 2250, "new_rate": 0.8}],
        )
        wizard.action_apply()
        self.assertEqual(self.bk_program.expected_redemption_rate, 0.8)

    def test_no_redemption_in_the_closed_cohorts(self):
        """Every closed cohort fully expired: no rate of 0 is proposed, the wizard says why."""
        self._earn(self.months["A"], 1000)
        self._expire()
        wizard = (
            self.env["crm.loyalty.breakage.wizard"]
            .with_user(self.accountant)
            .create({"program_id": self.bk_program.id})
        )
        self.assertTrue(wizard.enough_history)
        self.assertTrue(wizard.no_redemption)
        self.assertEqual(wizard.new_rate, 1.0, "the current rate stays; 0 is not proposed")
        form = Form(
            self.env["crm.loyalty.breakage.wizard"]
            .with_user(self.accountant)
            .with_context(default_program_id=self.bk_program.id)
        )
        self.assertTrue(form.no_redemption)
        self.assertEqual(form.new_rate, 1.0)
        form.new_rate = 0.5
        self.assertTrue(form.is_override, "any rate is an override: there is no estimate")
        form.reason = "Members redeem late"
        form.save().action_apply()
        self.assertEqual(self.bk_program.breakage_estimate_ids[0].kind, "override")

    def test_open_cohort_shows_no_rate(self):
        """An open cohort has no redemption rate yet (not 100%): on the screen and in the workings."""
        self._plant_history()
        Report = self.env["crm.loyalty.cohort.report"]
        Report.invalidate_model()
        rows = Report.search([("program_id", "=", self.bk_program.id)], order="month")
        self.assertEqual(rows.mapped("closed"), [True, True, True, False])
        self.assertEqual(rows.mapped("redemption_rate"), [1.0, 0.8, 0.0, 0.0])
        self.assertFalse(rows[-1].redemption_rate)
        self.assertIsNone(self.bk_program._redemption_cohorts()[-1]["redemption_rate"])

    def test_rate_at_creation_is_in_the_history(self):
        program = (
            self.env["crm.loyalty.program"]
            .with_user(self.loyalty_manager)
            .create({"name": "New Club", "company_id": self.company.id, "expected_redemption_rate": 0.9})
        )
        self.assertRecordValues(
            program.breakage_estimate_ids,
            [{"kind": "initial", "old_rate": 0.0, "new_rate": 0.9, "user_id": self.loyalty_manager.id}],
        )
