from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

ANGRY = "<p>This is terrible. The worst, awful service ever, I am furious and disgusted.</p>"


@tagged("post_install", "-at_install")
class TestServiceRecovery(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.user.groups_id |= env.ref("crm_loyalty.group_loyalty_manager") | env.ref(
            "crm_feedback.group_feedback_manager"
        )
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "goodwill_points": 100,
                "goodwill_cap_points": 150,
                "goodwill_cap_days": 90,
                "goodwill_sentiment_threshold": -0.5,
            }
        )
        cls.program = env["crm.loyalty.program"].create(
            {"name": "Recovery Club", "company_id": cls.company.id, "point_value": 0.01}
        )
        cls.member_partner = env["res.partner"].create(
            {"name": "Member Co", "is_company": True, "email": "member@example.com"}
        )
        cls.outsider = env["res.partner"].create({"name": "Not a Member", "is_company": True})
        cls.member = env["crm.loyalty.membership"].create(
            {"partner_id": cls.member_partner.id, "program_id": cls.program.id}
        )
        cls.loyalty_manager = new_test_user(
            env, "gw_manager", groups="crm_loyalty.group_loyalty_manager", company_id=cls.company.id
        )
        cls.agent = new_test_user(env, "gw_agent", groups="crm_feedback.group_feedback_user", company_id=cls.company.id)

    def _ticket(self, partner, description=ANGRY):
        return (
            self.env["crm.feedback.ticket"]
            .with_user(self.agent)
            .create(
                {
                    "subject": "Late delivery",
                    "description": description,
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                }
            )
        )

    def _nps(self, partner, score):
        return self.env["crm.feedback.nps"].create(
            {"partner_id": partner.id, "score": score, "company_id": self.company.id}
        )

    def test_proposals_are_capped_and_need_a_member(self):
        Goodwill = self.env["crm.loyalty.goodwill"]
        ticket = self._ticket(self.member_partner)
        self.assertLessEqual(ticket.sentiment_score, -0.5)
        first = Goodwill.search([("ticket_id", "=", ticket.id)])
        self.assertRecordValues(
            first,
            [{"trigger": "negative_sentiment", "points": 100.0, "state": "proposed", "membership_id": self.member.id}],
        )
        detractor = self._nps(self.member_partner, 3)
        second = Goodwill.search([("nps_id", "=", detractor.id)])
        self.assertEqual(second.points, 50.0, "capped at 150 per customer and period")
        self._nps(self.member_partner, 2)
        self._nps(self.member_partner, 9)  # a promoter is no failure
        self._nps(self.outsider, 1)  # no membership, nothing to give
        self._ticket(self.member_partner, "<p>Thank you, great service, very happy!</p>")
        self.assertEqual(Goodwill.search([]), first | second)
        # re-scoring the same ticket never proposes twice
        ticket._apply_sentiment()
        self.assertEqual(Goodwill.search_count([("ticket_id", "=", ticket.id)]), 1)
        # proposals older than the company's cap period (90 days) no longer count against the cap
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_loyalty_goodwill SET create_date = create_date - interval '100 days' WHERE id IN %s",
            [tuple((first | second).ids)],
        )
        Goodwill.invalidate_model(["create_date"])
        later = self._nps(self.member_partner, 1)
        self.assertEqual(Goodwill.search([("nps_id", "=", later.id)]).points, 100.0)

    def test_approval_posts_a_goodwill_bonus(self):
        goodwill = self.env["crm.loyalty.goodwill"].search([("ticket_id", "=", self._ticket(self.member_partner).id)])
        with self.assertRaises(AccessError):
            goodwill.with_user(self.agent).action_approve()
        self.assertEqual(self.member.balance, 0.0)
        goodwill.with_user(self.loyalty_manager).action_approve()
        self.assertEqual(goodwill.state, "approved")
        self.assertRecordValues(
            goodwill.entry_id,
            [
                {
                    "entry_type": "bonus",
                    "bonus_kind": "goodwill",
                    "points": 100.0,
                    "approved_by_id": self.loyalty_manager.id,
                    "membership_id": self.member.id,
                }
            ],
        )
        self.assertIn("Strongly negative sentiment", goodwill.entry_id.reason)
        self.member.invalidate_recordset(["balance"])
        self.assertEqual(self.member.balance, 100.0)
        with self.assertRaises(UserError):
            goodwill.with_user(self.loyalty_manager).action_reject()
        rejected = self.env["crm.loyalty.goodwill"].search([("nps_id", "=", self._nps(self.member_partner, 0).id)])
        rejected.with_user(self.loyalty_manager).action_reject()
        self.assertFalse(rejected.entry_id)
        self.assertEqual(self.member.balance, 100.0)

    def test_low_csat_and_sla_breach_propose(self):
        self.company.goodwill_cap_points = 1000
        ticket = self._ticket(self.member_partner, "<p>The parcel arrived late.</p>")
        token = ticket._rating_get_access_token()
        ticket.rating_apply(2, token=token, feedback="Slow")
        self.assertEqual(ticket.goodwill_ids.mapped("trigger"), ["low_csat"])
        calendar = self.env["resource.calendar"].create(
            {
                "name": "24/7",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {"name": str(d), "dayofweek": str(d), "hour_from": 0, "hour_to": 24, "day_period": "morning"}
                    )
                    for d in range(7)
                ],
            }
        )
        team = self.env["crm.feedback.team"].create(
            {
                "name": "Recovery Team",
                "company_id": self.company.id,
                "resource_calendar_id": calendar.id,
                "sla_ids": [Command.create({"name": "Fast", "response_hours": 1, "resolution_hours": 2})],
            }
        )
        late = self._ticket(self.member_partner, "<p>Where is my order?</p>")
        late.team_id = team
        late.sudo().write({"sla_response_deadline": fields.Datetime.now() - timedelta(hours=1)})
        self.env["crm.feedback.ticket"]._cron_check_sla()
        self.assertEqual(late.goodwill_ids.mapped("trigger"), ["sla_breach"])
        self.env["crm.feedback.ticket"]._cron_check_sla()
        self.assertEqual(len(late.goodwill_ids), 1, "the breach cron is idempotent")

    def test_recovery_report_compares_repurchase(self):
        recovered_ticket = self._ticket(self.member_partner)
        recovered_ticket.goodwill_ids.with_user(self.loyalty_manager).action_approve()
        self._ticket(self.outsider)  # a failure without recovery
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.member_partner,
            amounts=[300],
            invoice_date=fields.Date.today() + timedelta(days=10),
            post=True,
        )
        self.assertEqual(invoice.state, "posted")
        Report = self.env["crm.service.recovery.report"]
        rows = Report.search([("partner_id", "in", (self.member_partner | self.outsider).ids)])
        self.assertRecordValues(
            rows.sorted(lambda r: r.partner_id.id),
            [
                {"partner_id": self.member_partner.id, "recovered": True, "bought_again": True},
                {"partner_id": self.outsider.id, "recovered": False, "bought_again": False},
            ],
        )
        groups = dict(Report._read_group([("id", "in", rows.ids)], ["recovered"], ["rebuy_rate:avg"]))
        self.assertEqual(groups, {True: 100.0, False: 0.0})

    def test_failure_dated_when_the_ticket_came_in(self):
        """A ticket's failure is dated by its reception (date_open, the application's clock), not by the
        database's create_date: a ticket received 30 days ago followed by a purchase 20 days ago is a
        recovered customer who bought again."""
        received = fields.Datetime.now() - timedelta(days=30)
        ticket = self._ticket(self.outsider)
        ticket.write({"date_open": received})
        self.init_invoice(
            "out_invoice",
            partner=self.outsider,
            amounts=[300],
            invoice_date=fields.Date.today() - timedelta(days=20),
            post=True,
        )
        row = self.env["crm.service.recovery.report"].search([("ticket_id", "=", ticket.id)])
        self.assertRecordValues(row, [{"event_date": received.date(), "bought_again": True}])

    def test_recovery_report_ids_are_stable(self):
        """A failure keeps its id whatever the order of the read and whatever other failures appear."""
        Report = self.env["crm.service.recovery.report"]
        ticket = self._ticket(self.outsider)
        first = Report.search([("ticket_id", "=", ticket.id)])
        self.assertEqual(len(first), 1)
        # an older failure of another customer, read in the other order
        self._nps(self.member_partner, 2).date = fields.Date.today() - timedelta(days=400)
        self.env.flush_all()
        for order in ("event_date desc, id desc", "event_date asc, id asc", "partner_id desc"):
            rows = Report.search([], order=order)
            self.assertEqual(rows.filtered(lambda r: r.ticket_id == ticket).id, first.id, order)
        self.assertEqual(len(set(rows.ids)), len(rows), "one id per failure")

    def test_recovery_rows_say_what_they_compare(self):
        """The report is read by "Goodwill Given" / "No Goodwill", never by a bare "No"."""
        self._ticket(self.outsider)
        Report = self.env["crm.service.recovery.report"]
        labels = dict(Report._fields["recovery"]._description_selection(self.env))
        groups = Report._read_group([("partner_id", "=", self.outsider.id)], ["recovery"], ["__count"])
        self.assertEqual([(labels[key], count) for key, count in groups], [("No Goodwill", 1)])
        for view in ("pivot", "graph"):
            arch = Report.get_view(view_type=view)["arch"]
            self.assertIn('name="recovery"', arch, view)
            self.assertNotIn('name="recovered"', arch, view)

    def test_unverified_public_ticket_raises_no_goodwill_until_confirmed(self):
        """A public-form ticket typed with a member's address speaks for nobody until the address is
        confirmed: no goodwill, no contact; once confirmed it is the member's and counts."""
        Goodwill = self.env["crm.loyalty.goodwill"]
        ticket = self.env["crm.feedback.ticket"].create(
            {
                "subject": "Forged complaint",
                "description": ANGRY,
                "email_from": "member@example.com",
                "channel": "web",
                "verified": False,
                "company_id": self.company.id,
            }
        )
        self.assertLessEqual(ticket.sentiment_score, -0.5)
        self.assertFalse(ticket.partner_id)
        self.assertFalse(Goodwill.search([("ticket_id", "=", ticket.id)]))
        ticket._apply_sentiment()  # any later re-scoring too
        self.assertFalse(Goodwill.search([("ticket_id", "=", ticket.id)]))
        ticket.with_user(self.agent).action_verify()
        self.assertEqual(ticket.partner_id, self.member_partner)
        self.assertEqual(Goodwill.search([("ticket_id", "=", ticket.id)]).trigger, "negative_sentiment")

    def test_reason_reads_in_the_readers_language(self):
        """The proposal's reason is rendered from its trigger and ticket for each reader (a sentence stored in
        the language of the job that proposed it stayed English for Chinese users)."""
        ticket = self._ticket(self.member_partner)
        goodwill = self.env["crm.loyalty.goodwill"].search([("ticket_id", "=", ticket.id)])
        self.assertTrue(goodwill)
        self.env["res.lang"]._activate_lang("zh_CN")
        label_en = dict(goodwill._fields["trigger"]._description_selection(goodwill.with_context(lang="en_US").env))
        label_zh = dict(goodwill._fields["trigger"]._description_selection(goodwill.with_context(lang="zh_CN").env))
        english = goodwill.with_context(lang="en_US").name
        self.assertEqual(english, f"{label_en[goodwill.trigger]} on {ticket.display_name}")
        self.assertIn(label_zh[goodwill.trigger], goodwill.with_context(lang="zh_CN").name)
        self.assertEqual(self.env["crm.loyalty.goodwill"].search([("name", "ilike", ticket.name)]), goodwill)
