from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestLoyaltyCrons(LoyaltyCommon):
    def test_expiry_fifo_and_idempotent(self):
        Membership = self.env["crm.loyalty.membership"]
        with freeze_time("2026-01-10"):
            self._invoice(self.customer, [(self.product, 1, 1000)], date=date(2026, 1, 10))  # expires 2027-01-10
        with freeze_time("2026-06-10"):
            self._invoice(self.customer, [(self.product, 1, 500)], date=date(2026, 6, 10))  # expires 2027-06-10
            self.env["crm.loyalty.adjust.wizard"].create(
                {
                    "membership_id": self.member.id,
                    "points": -600,
                    "reason": "manual debit",
                }
            ).action_apply()
        old_lot, young_lot = self._entries(entry_type="earn")
        self.assertEqual((old_lot.remaining, young_lot.remaining), (400, 500))
        with freeze_time("2027-01-10"):
            self.assertEqual(Membership._cron_expire_points(), 0, "a lot expires the day after its expiry date")
        with freeze_time("2027-01-11"):
            self.assertEqual(Membership._cron_expire_points(), 1)
            self.assertEqual(Membership._cron_expire_points(), 0, "second run changes nothing")
        expire = self._entries(entry_type="expire")
        self.assertEqual(len(expire), 1)
        self.assertEqual(expire.points, -400)
        self.assertEqual(expire.debit_allocation_ids.lot_id, old_lot)
        self.assertEqual((expire.expired_lot_id, expire.date, old_lot.remaining), (old_lot, date(2027, 1, 11), 0))
        self.assertEqual(
            (expire.program_id, expire.partner_id, expire.company_id), (self.program, self.customer, old_lot.company_id)
        )
        self.assertEqual(expire.reason_display, "Expiry of points earned on 01/10/2026")
        self.assertEqual(self.member.balance, 500)
        with freeze_time("2027-06-11"):
            Membership._cron_expire_points(batch_size=1)
        self.assertEqual(self.member.balance, 0)
        self.assertEqual(len(self._entries(entry_type="expire")), 2)
        self.assertLedgerConsistent()

    def test_never_expiring_program(self):
        self.program.validity_months = 0
        self._invoice(self.customer, [(self.product, 1, 100)])
        self.assertFalse(self._entries(entry_type="earn").expiry_date)
        with freeze_time("2040-01-01"):
            self.env["crm.loyalty.membership"]._cron_expire_points()
        self.assertEqual(self.member.balance, 100)

    def test_birthday_bonus_once_a_year(self):
        self.program.birthday_bonus = 100
        self.customer.birthday = date(1990, 3, 15)
        leapling = self.env["res.partner"].create(
            {"name": "Leap Co", "is_company": True, "birthday": date(2000, 2, 29)}
        )
        leap_member = self.env["crm.loyalty.membership"].create(
            {"partner_id": leapling.id, "program_id": self.program.id}
        )
        Membership = self.env["crm.loyalty.membership"]
        with freeze_time("2026-03-14"):
            self.assertEqual(Membership._cron_birthday_bonus(), 0)
        with freeze_time("2026-03-15"):
            self.assertEqual(Membership._cron_birthday_bonus(), 1)
            self.assertEqual(Membership._cron_birthday_bonus(), 0)
        with freeze_time("2026-02-28"):
            self.assertEqual(Membership._cron_birthday_bonus(), 1)
        with freeze_time("2027-03-15"):
            self.assertEqual(Membership._cron_birthday_bonus(), 1)
        bonus = self._entries(bonus_kind="birthday")
        self.assertEqual(bonus.mapped("points"), [100, 100])
        self.assertEqual(leap_member.balance, 100)
        self.assertLedgerConsistent()
