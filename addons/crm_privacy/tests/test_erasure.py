from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm_loyalty.tests.common import LoyaltyCommon

CUSTOMER = "Zhao Mingyue Trading"
CONTACT = "Qian Xiaolan"
CUSTOMER_EMAIL = "zhao.mingyue@example.com"
CONTACT_EMAIL = "qian.xiaolan@example.com"
PHONE = "+86 139 7654 3210"
PHONE_DIGITS = "13976543210"
DESCRIPTION = "The teapot arrived cracked-spout-4711"
NPS_COMMENT = "Lovely oolong but the courier-dragon-0815 was slow"
CSAT_COMMENT = "Agent solved it, thanks from qilin-2024"
LEDGER_NOTE = "Goodwill for the cracked-spout-4711 of Qian Xiaolan"
LIFECYCLE_NOTE = "Moved by hand after a call of Qian Xiaolan"
PERSONAL = [
    CUSTOMER,
    CONTACT,
    CUSTOMER_EMAIL,
    CONTACT_EMAIL,
    PHONE,
    PHONE_DIGITS,
    "cracked-spout-4711",
    "courier-dragon",
]
PERSONAL += ["qilin-2024", "friend.of.qian@example.com"]


class ErasureCommon(LoyaltyCommon):
    """A customer and a contact with a membership, points earned on a posted paid invoice, a manual
    adjustment with a note, a ticket with messages and a CSAT comment, an NPS comment, an RFM score and a
    lifecycle move typed by hand, their export logged with a reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # the accounting test user also runs the support teams
        env.user.groups_id |= env.ref("crm_feedback.group_feedback_manager")
        cls.customer.write({"name": CUSTOMER, "email": CUSTOMER_EMAIL, "phone": PHONE, "street": "8 Teahouse Lane"})
        cls.contact = env["res.partner"].create(
            {"name": CONTACT, "parent_id": cls.customer.id, "email": CONTACT_EMAIL, "mobile": PHONE}
        )
        cls.officer = new_test_user(
            env, login="erasure_officer", groups="crm_privacy.group_privacy_officer", company_id=cls.company.id
        )
        cls.salesman = new_test_user(
            env, login="erasure_sales", groups="sales_team.group_sale_salesman", company_id=cls.company.id
        )
        cls.team = env["crm.feedback.team"].create({"name": "Care", "company_id": cls.company.id})

    def _history(self, invoice_date):
        """Everything the customer left in the suite; the invoice on ``invoice_date``, paid."""
        env = self.env
        invoice = self._invoice(self.customer, [(self.product, 3, 100.0)], date=invoice_date)
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"payment_date": invoice_date}
        )._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        earned = env["crm.loyalty.entry"].search([("move_id", "=", invoice.id), ("entry_type", "=", "earn")])
        self.assertGreater(earned.points, 0, "points earned on the invoice")
        env["crm.loyalty.entry"].create(
            {"membership_id": self.member.id, "entry_type": "adjust", "points": 25, "reason": LEDGER_NOTE}
        )
        ticket = env["crm.feedback.ticket"].create(
            {
                "subject": f"Cracked teapot for {CONTACT}",
                "description": f"<p>{DESCRIPTION}, call me on {PHONE}</p>",
                "partner_id": self.contact.id,
                "team_id": self.team.id,
                "company_id": self.company.id,
                "submitted_ip": "203.0.113.77",
                "email_cc": f"{CONTACT} <{CONTACT_EMAIL}>, friend.of.qian@example.com",
            }
        )
        ticket.message_post(body=f"Dear {CONTACT}, we call you on {PHONE}", message_type="comment")
        ticket.message_post(
            body=f"Thanks, {DESCRIPTION}",
            author_id=self.contact.id,
            email_from=f"{CONTACT} <{CONTACT_EMAIL}>",
            message_type="email",
        )
        ticket.stage_id = env.ref("crm_feedback.stage_solved")
        ticket.rating_apply(2, token=ticket.rating_ids.access_token, feedback=CSAT_COMMENT)
        nps = env["crm.feedback.nps"].create({"partner_id": self.contact.id, "score": 6, "comment": NPS_COMMENT})
        # scores and stage history are written by the refresh jobs, not by users
        env["crm.rfm.score"].sudo().create(
            {"partner_id": self.customer.id, "company_id": self.company.id, "rfm_code": "455"}
        )
        stage = env["crm.lifecycle.stage"].search([], limit=1)
        env["crm.lifecycle.history"].sudo().create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "to_stage_id": stage.id,
                "reason": LIFECYCLE_NOTE,
            }
        )
        # a model of the suite the erasure does not name: its texts quoting the customer are found all the same
        env["crm.marketing.consent"].create(
            {"partner_id": self.contact.id, "channel": "email", "granted": True, "note": f"Fair stand, {CONTACT}"}
        )
        env["crm.privacy.access.log"]._log("export_personal_data", self.customer, reason=f"{CUSTOMER} asked")
        env["crm.loyalty.ledger.hash"]._secure_companies(self.company.ids)
        return invoice, ticket, nps

    def _request(self):
        return (
            self.env["crm.privacy.erasure.request"]
            .with_user(self.salesman)
            .create({"partner_id": self.contact.id, "reason": f"{CUSTOMER} asked by mail from {CUSTOMER_EMAIL}"})
        )

    def _found(self, needles):
        """{(table, column): [needles]} of every text column of the database holding one of ``needles``."""
        self.env.flush_all()
        columns = self.env.execute_query(
            SQL(
                """SELECT c.table_name, c.column_name FROM information_schema.columns c
                     JOIN information_schema.tables t
                       ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                      AND c.data_type IN ('character varying', 'text', 'jsonb', 'character')"""
            )
        )
        patterns = [f"%{needle}%" for needle in needles]
        found = {}
        for table, column in columns:
            hits = self.env.execute_query(
                SQL(
                    "SELECT DISTINCT p FROM %s, unnest(%s::text[]) p WHERE %s::text ILIKE p",
                    SQL.identifier(table),
                    patterns,
                    SQL.identifier(column),
                )
            )
            if hits:
                found[(table, column)] = sorted(hit[0].strip("%") for hit in hits)
        return found

    def _balances(self, invoice):
        self.env.flush_all()
        partners = self.customer | self.contact
        [(receivable, debit, credit, count)] = self.env.execute_query(
            SQL(
                """SELECT SUM(l.balance) FILTER (WHERE a.account_type = 'asset_receivable'),
                          SUM(l.debit), SUM(l.credit), COUNT(*)
                     FROM account_move_line l JOIN account_account a ON a.id = l.account_id
                    WHERE l.partner_id IN %s""",
                tuple(partners.ids),
            )
        )
        self.member.invalidate_recordset()
        return {
            "receivable": receivable,
            "debit": debit,
            "credit": credit,
            "lines": count,
            "points": self.member.balance,
            "entries": len(self.member.entry_ids),
            "invoice_total": invoice.amount_total,
            "chain": self.env["crm.loyalty.entry"]._check_chain_integrity(self.company)["status"],
        }


@tagged("post_install", "-at_install")
class TestErasure(ErasureCommon):
    def test_full_erasure_leaves_no_personal_value(self):
        """Books older than the retention: everything personal goes, in every text column of the database;
        the books, the points and their hash chain are unchanged."""
        self.company.privacy_accounting_retention_years = 1
        invoice, ticket, nps = self._history(fields.Date.today() - relativedelta(years=2))
        # the contact signs in to the portal with their e-mail address
        portal = new_test_user(
            self.env,
            login=CONTACT_EMAIL,
            groups="base.group_portal",
            partner_id=self.contact.id,
            name=CONTACT,
            email=CONTACT_EMAIL,
        )
        self.assertEqual(self.contact.user_ids, portal)
        self.assertTrue(self._found(PERSONAL), "the search finds the personal values before the erasure")
        before = self._balances(invoice)
        self.assertEqual(before["chain"], "intact")
        request = self._request()
        self.assertEqual(request.partner_id, self.customer, "the request is about the customer")
        self.assertEqual((request.state, request.requested_by_id), ("received", self.salesman))

        request.with_user(self.officer).action_approve()
        self.assertEqual((request.state, request.approved_by_id), ("approved", self.officer))
        request.with_user(self.officer).action_execute()

        self.assertEqual(request.state, "done")
        self.assertEqual(request.scope, "full")
        self.assertFalse(request.kept_until)
        self.assertEqual(self.customer.name, request.pseudonym)
        self.assertEqual(request.pseudonym, f"Erased customer #{self.customer.id}")
        self.assertEqual(request.change_counts["res.partner"], 2)
        self.assertEqual(request.change_counts["crm.feedback.ticket"], 1)
        self.assertEqual(request.change_counts["crm.loyalty.entry"], 1)
        self.assertEqual(self._found(PERSONAL), {}, "no personal value left in any text column")
        self.assertEqual(self._balances(invoice), before)
        # counts and scores stay, the words are gone
        self.assertEqual((nps.score, nps.comment), (6, "[erased]"))
        self.assertEqual(ticket.rating_ids.rating, 2)
        self.assertEqual(invoice.invoice_partner_display_name, request.pseudonym)
        self.assertFalse(portal.active)
        self.assertEqual(request.change_counts["res.users"], 1)
        self.assertFalse(ticket.email_cc)
        # the new login of the archived user is no security update for the customer: no mail queued
        self.assertFalse(self.env["mail.mail"].search([("subject", "ilike", "Login Changed")]))

    def test_earlier_names_and_name_words_are_erased(self):
        """An earlier name of the contact (in the tracked values and the record name of their messages), their
        given or family name alone in the texts of their records and messages, and a wizard left open with
        their name: none of it stays."""
        self.company.privacy_accounting_retention_years = 1
        contact = self.contact.with_context(tracking_disable=False, mail_notrack=False)
        contact.name = "Qian Meiling"
        self.env.flush_all()
        self.env.cr.precommit.run()
        contact.message_post(body="Met at the tea fair", message_type="comment")
        contact.name = CONTACT
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertIn(("mail_tracking_value", "old_value_char"), self._found(["Qian Meiling"]), "tracked")
        _invoice, ticket, _nps = self._history(fields.Date.today() - relativedelta(years=2))
        ticket.message_post(body="We will replace it, Xiaolan. Sorry!", message_type="comment")
        self.customer.message_post(body="Called Ms Qian on Monday, she is fine with it", message_type="comment")
        wizard = self.env["crm.loyalty.adjust.wizard"].create(
            {"membership_id": self.member.id, "points": 5, "reason": "Goodwill for Xiaolan, she waited"}
        )
        request = self._request()
        request.with_user(self.officer).action_approve()
        request.with_user(self.officer).action_execute()
        self.assertEqual(request.state, "done")
        self.assertFalse(wizard.exists(), "the transient records of the suite about the customer are deleted")
        self.assertEqual(self._found(["Qian Meiling", "Meiling", "Xiaolan", "Ms Qian"]), {})
        pseudonym = f"{request.pseudonym} ({self.contact.id})"
        bodies = " ".join(ticket.message_ids.mapped("body"))
        self.assertIn(f"We will replace it, {pseudonym}. Sorry!", bodies, "the rest of the sentence stays")
        # words of a company's name are not a person's name: the customer's own name is replaced as a whole
        self.assertIn("on Monday, she is fine with it", " ".join(self.customer.message_ids.mapped("body")))

    def test_partial_erasure_within_retention(self):
        """A posted entry of the last ten years: the identity the books need stays on the partner and the
        invoice, until the end of its retention, and nowhere else; everything else is erased."""
        today = fields.Date.today()
        invoice, _ticket, _nps = self._history(today - relativedelta(days=3))
        before = self._balances(invoice)
        request = self._request()
        request.with_user(self.officer).action_approve()
        request.with_user(self.officer).action_execute()
        self.assertEqual((request.state, request.scope), ("done", "crm"))
        self.assertEqual(request.kept_until, invoice.date + relativedelta(years=10))
        self.assertIn(fields.Date.to_string(request.kept_until), request.kept_note)
        self.assertEqual(self.customer.name, CUSTOMER)
        self.assertEqual(self.customer.street, "8 Teahouse Lane")
        self.assertFalse(self.customer.email)
        self.assertEqual(self.contact.name, f"{request.pseudonym} ({self.contact.id})")
        expected = {
            ("res_partner", "name"): [CUSTOMER],
            ("res_partner", "complete_name"): [CUSTOMER],
            ("res_partner", "commercial_company_name"): [CUSTOMER],
            ("account_move", "invoice_partner_display_name"): [CUSTOMER],
        }
        self.assertEqual(self._found(PERSONAL), expected, "only the identity kept for the books remains")
        self.assertEqual(self._balances(invoice), before)

    def test_refused_on_open_invoice(self):
        invoice = self._invoice(self.customer, [(self.product, 1, 100.0)])
        request = self._request()
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "refused")
        self.assertIn("Legal hold", request.refusal_reason)
        self.assertIn(invoice.name, request.refusal_reason)
        self.assertEqual(self.customer.name, CUSTOMER, "nothing erased")

    def test_refused_when_invoice_opens_after_approval(self):
        request = self._request()
        request.with_user(self.officer).action_approve()
        self._invoice(self.customer, [(self.product, 1, 100.0)])
        request.with_user(self.officer).action_execute()
        self.assertEqual(request.state, "refused")
        self.assertEqual(self.customer.name, CUSTOMER)

    def test_only_privacy_officers_approve_and_execute(self):
        request = self._request()
        as_sales = request.with_user(self.salesman)
        # the requester corrects their request while it is received (a contact stands for its customer)
        as_sales.write({"reason": "asked again by phone", "partner_id": self.contact.id})
        self.assertEqual(request.partner_id, self.customer)
        with self.assertRaises(AccessError):
            as_sales.action_approve()
        with self.assertRaises(AccessError):
            as_sales.write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.env["crm.privacy.erasure.request"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "state": "approved"}
            )
        request.with_user(self.officer).action_approve()
        with self.assertRaises(AccessError):
            as_sales.action_execute()
        with self.assertRaises(AccessError):
            as_sales._execute()
        with self.assertRaises(AccessError):
            as_sales.write({"reason": "changed after approval"})
        with self.assertRaises(AccessError):
            self.member.entry_ids.with_user(self.salesman)._privacy_erase_reason("x")
        with self.assertRaises(UserError):
            request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(self.customer.name, CUSTOMER)
        # an internal user outside customer relations files nothing
        clerk = new_test_user(self.env, login="erasure_clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["crm.privacy.erasure.request"].with_user(clerk).create({"partner_id": self.customer.id})

    def test_salesperson_files_a_request_from_the_form(self):
        action = self.env.ref("crm_privacy.crm_privacy_erasure_request_action_new")
        context = dict(safe_eval(action.context, {"active_id": self.customer.id}))
        with Form(self.env["crm.privacy.erasure.request"].with_user(self.salesman).with_context(**context)) as form:
            form.reason = "Asked at the counter"
        request = form.record
        self.assertEqual((request.partner_id, request.state), (self.customer, "received"))
        self.assertEqual(request.requested_by_id, self.salesman)

    def test_other_company_cannot_see_requests(self):
        request = self._request()
        other = self.env["res.company"].create({"name": "Elsewhere"})
        officer = new_test_user(
            self.env,
            login="erasure_officer_elsewhere",
            groups="crm_privacy.group_privacy_officer",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.env["crm.privacy.erasure.request"].with_user(officer).search([("id", "=", request.id)]))
