from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyEarn(LoyaltyCommon):
    def test_earn_on_posted_invoice(self):
        invoice = self._invoice(self.customer, [(self.product, 10, 123.45)])
        earn = self._entries(entry_type="earn")
        self.assertEqual(len(earn), 1)
        self.assertEqual(earn.points, 1234)  # 1234.5 rounded down
        self.assertEqual(earn.move_id, invoice)
        self.assertAlmostEqual(earn.amount_base, 1234.5)
        self.assertEqual(earn.expiry_date, invoice.invoice_date.replace(year=invoice.invoice_date.year + 1))
        self.assertEqual(self.member.balance, 1234)
        self.assertLedgerConsistent()

    def test_draft_invoice_earns_nothing_and_contact_earns_for_company(self):
        self._invoice(self.customer, [(self.product, 1, 100)], post=False)
        self.assertFalse(self._entries())
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        self._invoice(contact, [(self.product, 1, 100)])
        self.assertEqual(self.member.balance, 100)

    def test_rate_rounding_and_multipliers(self):
        self.program.write(
            {
                "earn_rate": 0.1,
                "rounding_method": "HALF-UP",
                "rule_ids": [
                    Command.create({"product_id": self.product.id, "multiplier": 2.0}),
                    Command.create({"categ_id": self.categ_food.id, "multiplier": 0.0}),
                ],
            }
        )
        # chair 1000 x2 x0.1 = 200; rice excluded; 15 x0.1 = 1.5 on a plain line -> 201.5 -> 202
        other = self.env["product.product"].create({"name": "Lamp", "list_price": 15})
        self._invoice(self.customer, [(self.product, 10, 100), (self.product_food, 50, 10), (other, 1, 15)])
        self.assertEqual(self._entries(entry_type="earn").points, 202)
        self.assertAlmostEqual(self._entries(entry_type="earn").amount_base, 1515)

    def test_tier_multiplier_applies(self):
        self.member.tier_id = self.silver
        self._invoice(self.customer, [(self.product, 1, 1000)])
        self.assertEqual(self.member.balance, 1500)

    def test_batch_posting_one_entry_per_invoice(self):
        invoices = self.env["account.move"]
        for i in range(1, 6):
            invoices |= self._invoice(self.customer, [(self.product, 1, 100 * i)], post=False)
        invoices.action_post()
        earns = self._entries(entry_type="earn")
        self.assertEqual(len(earns), 5)
        self.assertEqual(sorted(earns.mapped("points")), [100, 200, 300, 400, 500])
        # posting logic is idempotent: calling the hook again adds nothing
        invoices._crm_loyalty_earn()
        self.assertEqual(len(self._entries(entry_type="earn")), 5)
        self.assertLedgerConsistent()

    def test_partial_credit_note_reverses_proportionally(self):
        invoice = self._invoice(self.customer, [(self.product, 10, 100)])
        self._refund(invoice, [(self.product, 3, 100)])
        reverse = self._entries(entry_type="reverse")
        self.assertEqual(reverse.points, -300)
        self.assertEqual(reverse.reversed_entry_id, self._entries(entry_type="earn"))
        self.assertEqual(self.member.balance, 700)
        self.assertEqual(self.member.lifetime_points, 700)
        self.assertLedgerConsistent()

    def test_full_credit_note_through_reversal_wizard(self):
        invoice = self._invoice(self.customer, [(self.product, 4, 250)])
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "damaged", "journal_id": invoice.journal_id.id})
        )
        wizard.refund_moves()
        refund = invoice.reversal_move_ids
        refund.action_post()
        self.assertEqual(self.member.balance, 0)
        self.assertEqual(self._entries(entry_type="reverse").move_id, refund)
        self.assertLedgerConsistent()

    def test_reset_to_draft_and_cancel_reverse(self):
        invoice = self._invoice(self.customer, [(self.product, 1, 800)])
        invoice.button_draft()
        self.assertEqual(self.member.balance, 0)
        invoice.action_post()
        self.assertEqual(self.member.balance, 800)
        self.assertEqual(len(self._entries(entry_type="earn")), 2)
        invoice.button_cancel()
        self.assertEqual(self.member.balance, 0)
        self.assertEqual(len(self._entries(entry_type="reverse")), 2)
        self.assertLedgerConsistent()

    def test_credit_note_after_redemption_leaves_deficit_covered_by_next_earn(self):
        invoice = self._invoice(self.customer, [(self.product, 1, 1000)])
        self.env["crm.loyalty.adjust.wizard"].create(
            {
                "membership_id": self.member.id,
                "points": -900,
                "reason": "gift",
            }
        ).action_apply()
        self._refund(invoice, [(self.product, 1, 1000)])
        self.assertEqual(self.member.balance, -900)
        self.assertLedgerConsistent()
        self._invoice(self.customer, [(self.product, 1, 1500)])
        self.assertEqual(self.member.balance, 600)
        self.assertLedgerConsistent()

    def test_auto_enrol_and_first_purchase_bonus_once(self):
        self.program.write({"auto_enroll": True, "first_purchase_bonus": 50})
        newcomer = self.env["res.partner"].create({"name": "New Co", "is_company": True})
        self._invoice(newcomer, [(self.product, 1, 100)])
        member = newcomer.loyalty_membership_ids
        self.assertEqual(member.program_id, self.program)
        self.assertEqual(member.balance, 150)
        self._invoice(newcomer, [(self.product, 1, 100)])
        self.assertEqual(member.balance, 250)
        self.assertEqual(len(self._entries(member, bonus_kind="first_purchase")), 1)
        self.assertLedgerConsistent(member)

    def test_referral_bonus_to_referrer(self):
        self.program.referral_bonus = 300
        referee = self.env["res.partner"].create(
            {
                "name": "Friend Co",
                "is_company": True,
                "loyalty_referrer_id": self.customer.id,
            }
        )
        ref_member = self.env["crm.loyalty.membership"].create(
            {"partner_id": referee.id, "program_id": self.program.id}
        )
        self._invoice(referee, [(self.product, 1, 100)])
        self._invoice(referee, [(self.product, 1, 100)])
        bonus = self._entries(bonus_kind="referral")
        self.assertEqual(len(bonus), 1)
        self.assertEqual(bonus.points, 300)
        self.assertIn("Friend Co", bonus.reason_display)
        self.assertFalse(bonus.reason, "rendered in the reader's language, not stored")
        self.assertEqual(ref_member.balance, 200)
        with self.assertRaises(ValidationError):
            self.customer.loyalty_referrer_id = self.customer

    def test_tier_upgrade_immediate_with_message_and_email(self):
        template = self.env.ref("crm_loyalty.mail_template_tier_change")
        self.program.tier_mail_template_id = template
        self.customer.crm_consent_email = True
        self.member.tier_id = self.bronze
        mails_before = self.env["mail.mail"].search_count([])
        self._invoice(self.customer, [(self.product, 1, 6000)])
        self.assertEqual(self.member.tier_id, self.silver)
        self.assertEqual(self.member.tier_since, fields.Date.today())
        self.assertIn("Silver", self.customer.message_ids[0].body)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 1)
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertIn("Silver", mail.subject)
        self.assertEqual(mail.state, "outgoing")

    def test_tier_mail_needs_email_consent(self):
        self.program.tier_mail_template_id = self.env.ref("crm_loyalty.mail_template_tier_change")
        self.member.tier_id = self.bronze
        mails_before = self.env["mail.mail"].search_count([])
        self._invoice(self.customer, [(self.product, 1, 6000)])
        self.assertEqual(self.member.tier_id, self.silver)
        self.assertIn("Silver", self.customer.message_ids[0].body, "the note is not marketing: posted")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before, "no mail without consent")

    def test_downgrade_only_at_review(self):
        self._invoice(self.customer, [(self.product, 1, 6000)], date=fields.Date.today())
        self.assertEqual(self.member.tier_id, self.silver)
        invoice = self.env["account.move"].search([("partner_id", "=", self.customer.id)])
        # a credit note drops the metric, but tiers only go down at the review
        self._refund(invoice, [(self.product, 1, 6000)])
        self.assertEqual(self.member.tier_id, self.silver)
        self.program.next_review_date = fields.Date.today()
        self.env["crm.loyalty.membership"]._cron_review_tiers()
        self.assertEqual(self.member.tier_id, self.bronze)
        self.assertGreater(self.program.next_review_date, fields.Date.today())

    def test_tier_on_net_revenue_reads_the_customer_figures(self):
        """The "Net revenue" tier metric is the customer's net revenue of the window as the customer figures
        define it (the 360 view's number): invoices before the window left out, a contact's invoices counted,
        credit notes deducted."""
        self.program.tier_metric = "amount"
        today = fields.Date.today()
        self._invoice(self.customer, [(self.product, 1, 30000)], date=today - relativedelta(months=13))
        self.assertEqual(self.member.tier_id, self.bronze, "an invoice before the window does not count")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        invoice = self._invoice(contact, [(self.product, 1, 6000)], date=today)
        self.assertEqual(self.member.tier_id, self.silver, "6,000 invoiced by a contact of the customer")
        self._refund(invoice, [(self.product, 1, 2000)])
        self.program.next_review_date = today
        self.env["crm.loyalty.membership"]._cron_review_tiers()
        self.assertEqual(self.member.tier_id, self.bronze, "4,000 of net revenue after the credit note")
        # the customer's figure, not the points ledger: sales before the enrolment count too
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        self._invoice(newcomer, [(self.product, 1, 7000)], date=today)
        member = self.env["crm.loyalty.membership"].create({"partner_id": newcomer.id, "program_id": self.program.id})
        self.program.next_review_date = today
        self.env["crm.loyalty.membership"]._cron_review_tiers()
        self.assertEqual(member.tier_id, self.silver)

    def test_tier_thresholds_must_increase(self):
        with self.assertRaises(ValidationError):
            self.gold.threshold = 1000

    def test_ledger_is_immutable(self):
        self._invoice(self.customer, [(self.product, 1, 100)])
        entry = self._entries()
        with self.assertRaises(UserError):
            entry.write({"points": 1000})
        with self.assertRaises(UserError):
            entry.unlink()
        with self.assertRaises(UserError):
            self.member.unlink()
        self.assertEqual(self.member.balance, 100)

    def test_bad_entries_refused(self):
        Entry = self.env["crm.loyalty.entry"]
        for vals in (
            {"entry_type": "earn", "points": -5},
            {"entry_type": "earn", "points": "ten"},
            {"entry_type": "redeem", "points": 5},
            {"entry_type": "adjust", "points": 5},
        ):
            with self.assertRaises(ValidationError):
                Entry.create(dict(vals, membership_id=self.member.id))
        self.assertFalse(self._entries())

    def test_archived_program_refuses_enrolment(self):
        self.program.active = False
        other = self.env["res.partner"].create({"name": "Late Co", "is_company": True})
        with self.assertRaises(UserError):
            self.env["crm.loyalty.membership"].create({"partner_id": other.id, "program_id": self.program.id})

    def test_membership_form_and_adjustment(self):
        other = self.env["res.partner"].create({"name": "Form Co", "is_company": True})
        with Form(self.env["crm.loyalty.membership"]) as form:
            form.partner_id = other
            form.program_id = self.program
        member = form.record
        self.assertTrue(member.name.startswith("M"))
        self.assertEqual(member.tier_id, self.bronze)
        wizard = self.env["crm.loyalty.adjust.wizard"].create(
            {"membership_id": member.id, "points": 40, "reason": "goodwill"}
        )
        wizard.action_apply()
        entry = self._entries(member)
        self.assertEqual((entry.entry_type, entry.points, entry.approved_by_id), ("adjust", 40, self.env.user))
        with self.assertRaises(UserError):
            self.env["crm.loyalty.adjust.wizard"].create(
                {"membership_id": member.id, "points": -41, "reason": "too much"}
            ).action_apply()
        with self.assertRaises(ValidationError):
            self.env["crm.loyalty.adjust.wizard"].create(
                {"membership_id": member.id, "points": 0, "reason": "nothing"}
            ).action_apply()
        self.assertEqual(member.balance, 40)
        # a manager of another company sees neither the member nor its adjustments
        outsider_company = self.env["res.company"].create({"name": "Other Loyalty Co"})
        outsider = new_test_user(
            self.env,
            login="adjust_outsider",
            groups="crm_loyalty.group_loyalty_manager",
            company_id=outsider_company.id,
            company_ids=[(6, 0, outsider_company.ids)],
        )
        self.assertFalse(self.env["crm.loyalty.adjust.wizard"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.adjust.wizard"].with_user(outsider).create(
                {"membership_id": member.id, "points": 5, "reason": "not mine"}
            )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["crm.loyalty.membership"].create({"partner_id": other.id, "program_id": self.program.id})

    def test_every_debit_obeys_the_balance(self):
        """A Loyalty Manager writing entries directly (RPC, import) cannot spend points the member lacks;
        only the reversal of earned points may leave the documented deficit."""
        manager = new_test_user(
            self.env,
            login="ledger_manager",
            groups="crm_loyalty.group_loyalty_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        invoice = self._invoice(self.customer, [(self.product, 1, 100)])
        earn = self._entries(entry_type="earn")
        Entry = self.env["crm.loyalty.entry"].with_user(manager)
        redeem = Entry.create(
            {"membership_id": self.member.id, "entry_type": "redeem", "points": -60, "reason": "within the balance"}
        )
        self.assertEqual(self.member.balance, 40)
        for vals in (
            {"entry_type": "redeem", "points": -1000, "reason": "rpc"},
            {"entry_type": "expire", "points": -41},
            {"entry_type": "adjust", "points": -41, "reason": "rpc"},
            {"entry_type": "reverse", "points": -1000, "reason": "no entry reversed"},
            # the reversal of a debit gives points back, it never takes more
            {"entry_type": "reverse", "points": -1000, "reason": "wrong sign", "reversed_entry_id": redeem.id},
        ):
            with self.assertRaisesText(UserError, "has 40 points;", "cannot be spent"):
                Entry.create(dict(vals, membership_id=self.member.id))
        self.assertEqual(self.member.balance, 40)
        # credits in the same batch count
        Entry.create(
            [
                {"membership_id": self.member.id, "entry_type": "adjust", "points": 100, "reason": "gift"},
                {"membership_id": self.member.id, "entry_type": "redeem", "points": -140, "reason": "rpc"},
            ]
        )
        self.assertEqual(self.member.balance, 0)
        # the credit note takes back what the invoice earned: the documented deficit
        self._refund(invoice, [(self.product, 1, 100)])
        self.assertEqual(self.member.balance, -100)
        self.assertEqual(self._entries(entry_type="reverse").reversed_entry_id, earn)
        self.assertLedgerConsistent()

    def test_invoice_shows_its_ledger_entries(self):
        referrer = self.env["res.partner"].create({"name": "Referrer Co", "is_company": True})
        referrer_member = self.env["crm.loyalty.membership"].create(
            {"partner_id": referrer.id, "program_id": self.program.id}
        )
        self.program.write({"first_purchase_bonus": 50, "referral_bonus": 30})
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer Co", "is_company": True, "loyalty_referrer_id": referrer.id}
        )
        member = self.env["crm.loyalty.membership"].create({"partner_id": newcomer.id, "program_id": self.program.id})
        invoice = self._invoice(newcomer, [(self.product, 10, 100)])
        # 1,000 earned + 50 first-purchase bonus for the customer; the referrer's 30 are listed, not counted
        self.assertEqual(invoice.loyalty_entry_count, 3)
        self.assertEqual(invoice.loyalty_points, 1050)
        action = invoice.action_view_loyalty_entries()
        self.assertEqual(
            self.env["crm.loyalty.entry"].search(action["domain"]),
            self._entries(member) | self._entries(referrer_member),
        )
        refund = self._refund(invoice, [(self.product, 3, 100)])
        self.assertEqual((refund.loyalty_entry_count, refund.loyalty_points), (1, -300))
        invoice.invalidate_recordset()
        self.assertEqual(invoice.loyalty_points, 1050, "the credit note's reversal shows on the credit note")
        untouched = self._invoice(newcomer, [(self.product, 1, 100)], post=False)
        self.assertEqual((untouched.loyalty_entry_count, untouched.loyalty_points), (0, 0))
