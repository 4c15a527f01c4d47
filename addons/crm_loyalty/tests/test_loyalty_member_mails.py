import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import format_date


@tagged("post_install", "-at_install")
class TestLoyaltyMemberMails(TransactionCase):
    """The expiry reminder and the monthly statement: mails queued (mail.mail), dates relative to today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.context_today(env["res.partner"])
        cls.company = env.company
        cls.program = env["crm.loyalty.program"].create(
            {
                "name": "Mail Club",
                "validity_months": 12,
                "tier_ids": [Command.create({"name": "Mail Bronze", "threshold": 0})],
            }
        )
        Partner = env["res.partner"]
        cls.anna = Partner.create({"name": "Anna", "email": "anna@example.com", "lang": "en_US"})
        cls.ben = Partner.create({"name": "Ben", "email": "ben@example.com", "lang": "en_US"})
        cls.nomail = Partner.create({"name": "No Mail"})
        Membership = env["crm.loyalty.membership"]
        cls.member_anna, cls.member_ben, cls.member_nomail = Membership.create(
            [
                {"partner_id": p.id, "program_id": cls.program.id, "enroll_date": cls.today - relativedelta(months=3)}
                for p in (cls.anna, cls.ben, cls.nomail)
            ]
        )

    def _entry(self, member, points, day, expiry=False, entry_type="earn", **extra):
        return self.env["crm.loyalty.entry"].create(
            {
                "membership_id": member.id,
                "entry_type": entry_type,
                "points": points,
                "date": day,
                "expiry_date": expiry,
                **extra,
            }
        )

    def _mails(self, member, subject_part):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "crm.loyalty.membership"),
                ("res_id", "=", member.id),
                ("subject", "ilike", subject_part),
            ],
            order="id",
        )

    def _reminders(self, member):
        return self._mails(member, "points expire on")

    def _statements(self, member):
        return self._mails(member, "statement:")

    # ------------------------------------------------------------------ expiry reminder
    def test_reminder_once_per_member_and_expiry_date(self):
        Membership = self.env["crm.loyalty.membership"]
        today = self.today
        day5, day8 = today + timedelta(days=5), today + timedelta(days=8)
        self._entry(self.member_anna, 100, today - timedelta(days=300), day5)
        self._entry(self.member_anna, 50, today - timedelta(days=200), day5)  # same date: one mail, 150 points
        self._entry(self.member_anna, 30, today - timedelta(days=100), day8)
        self._entry(self.member_anna, 70, today - timedelta(days=10), today + timedelta(days=40))  # too far
        self._entry(self.member_ben, 20, today - timedelta(days=360), today - timedelta(days=1))  # already past
        self._entry(self.member_ben, 40, today - timedelta(days=300), day8)
        self._entry(self.member_nomail, 40, today - timedelta(days=300), day5)  # no address: no mail

        self.company.loyalty_expiry_reminder_days = 0
        self.assertEqual(Membership._cron_expiry_reminder(), 0, "0 days: the reminder is off")
        self.assertFalse(self._reminders(self.member_anna))

        self.company.loyalty_expiry_reminder_days = 10
        self.assertEqual(Membership._cron_expiry_reminder(), 3)
        anna_mails = self._reminders(self.member_anna)
        self.assertEqual(len(anna_mails), 2, "one mail per expiry date")
        self.assertIn(format_date(self.env, day5), anna_mails[0].subject)
        self.assertIn("150", anna_mails[0].body_html)
        self.assertIn(format_date(self.env, day8), anna_mails[1].subject)
        self.assertIn("30", anna_mails[1].body_html)
        self.assertEqual(anna_mails.recipient_ids, self.anna)
        self.assertEqual(set(anna_mails.mapped("state")), {"outgoing"}, "queued, sent by the mail queue")
        ben_mails = self._reminders(self.member_ben)
        self.assertEqual(len(ben_mails), 1)
        self.assertIn(format_date(self.env, day8), ben_mails.subject)
        self.assertFalse(self._reminders(self.member_nomail))
        self.assertEqual(self.member_anna.expiry_reminder_date, day8)

        self.assertEqual(Membership._cron_expiry_reminder(), 0, "never twice")
        self.assertEqual(len(self._reminders(self.member_anna)), 2)

        # a lot expiring later than the last reminder is reminded on its own
        self._entry(self.member_anna, 5, today, today + timedelta(days=9))
        self.assertEqual(Membership._cron_expiry_reminder(), 1)
        self.assertEqual(len(self._reminders(self.member_anna)), 3)

    def test_reminder_skips_spent_lots_and_runs_in_batches(self):
        Membership = self.env["crm.loyalty.membership"]
        today = self.today
        day5 = today + timedelta(days=5)
        self._entry(self.member_anna, 100, today - timedelta(days=300), day5)
        self._entry(self.member_anna, -100, today - timedelta(days=1), entry_type="redeem")  # lot spent
        self._entry(self.member_ben, 40, today - timedelta(days=300), day5)
        self._entry(self.member_nomail, 40, today - timedelta(days=300), day5)
        self.nomail.email = "late@example.com"
        self.company.loyalty_expiry_reminder_days = 7
        self.assertEqual(Membership._cron_expiry_reminder(batch_size=1), 1, "one member per batch")
        self.assertEqual(Membership._cron_expiry_reminder(batch_size=1), 1)
        self.assertEqual(Membership._cron_expiry_reminder(batch_size=1), 0)
        self.assertFalse(self._reminders(self.member_anna), "nothing left to expire: no reminder")
        self.assertEqual(len(self._reminders(self.member_ben)), 1)
        self.assertEqual(len(self._reminders(self.member_nomail)), 1)

    # ------------------------------------------------------------------ monthly statement
    def test_statement_to_opted_in_members_once_per_month(self):
        Membership = self.env["crm.loyalty.membership"]
        today = self.today
        start = today.replace(day=1) - relativedelta(months=1)
        before = start - timedelta(days=20)
        lot = self._entry(self.member_anna, 1000, before, today + timedelta(days=15))  # before the month
        self._entry(self.member_anna, 400, start + timedelta(days=2), today + timedelta(days=200))
        self._entry(self.member_anna, 25, start + timedelta(days=3), False, entry_type="bonus", bonus_kind="other")
        self._entry(self.member_anna, -300, start + timedelta(days=10), entry_type="redeem")
        self._entry(self.member_anna, -60, start + timedelta(days=20), entry_type="expire", expired_lot_id=lot.id)
        self._entry(self.member_anna, 3, today, False, entry_type="bonus", bonus_kind="other")  # this month
        self._entry(self.member_ben, 10, start + timedelta(days=2))
        self.anna.loyalty_statement_optin = True
        self.nomail.loyalty_statement_optin = True  # no address: nothing to send

        self.assertEqual(Membership._cron_monthly_statement(), 1, "opted-in members only")
        mails = self._statements(self.member_anna)
        self.assertEqual(len(mails), 1)
        self.assertIn(format_date(self.env, start, date_format="MMMM y"), mails.subject)
        body = re.sub(r"\s+", " ", mails.body_html)

        def row(label):
            found = re.search(rf"{label}</td>\s*<td[^>]*>(?:<strong>)?([^<]*)<", body)
            return found and found.group(1)

        self.assertEqual(row("Points earned"), "425", "earned in the month: 400 + 25")
        self.assertEqual(row("Points redeemed"), "300")
        self.assertEqual(row("Points expired"), "60")
        self.assertEqual(row("Balance today</strong>"), "1,068", "balance today: 1000 + 400 + 25 - 300 - 60 + 3")
        self.assertIn(
            f"640 points on {format_date(self.env, today + timedelta(days=15))}",
            body,
            "the lot expiring soon, less what the redemption and the expiry took from it (FIFO)",
        )
        self.assertEqual(mails.recipient_ids, self.anna)
        self.assertFalse(self._statements(self.member_ben))
        self.assertEqual(self.member_anna.statement_date, start)

        self.assertEqual(Membership._cron_monthly_statement(), 0, "one statement per month")
        self.assertEqual(len(self._statements(self.member_anna)), 1)

        # staff switch it on for Ben from the membership
        self.member_ben.statement_optin = True
        self.assertTrue(self.ben.loyalty_statement_optin)
        self.assertEqual(Membership._cron_monthly_statement(), 1)
        self.assertEqual(len(self._statements(self.member_ben)), 1)
