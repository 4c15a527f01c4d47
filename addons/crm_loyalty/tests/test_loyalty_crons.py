from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

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

    def _lot(self, member, points, day, expiry, entry_type="earn", **extra):
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

    def _debit(self, member, points, day, entry_type="adjust", **extra):
        vals = {"reason": "test debit"} if entry_type == "adjust" else {}
        return self._lot(member, points, day, False, entry_type=entry_type, **vals, **extra)

    def _allocations(self, member):
        """{(lot, debit): points} of a member, read from the database."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT a.lot_id, a.entry_id, a.points FROM crm_loyalty_allocation a
                     JOIN crm_loyalty_entry e ON e.id = a.entry_id
                    WHERE e.membership_id = %s""",
                member.id,
            )
        )
        return {(lot, debit): points for lot, debit, points in rows}

    def test_expiry_mixed_lots_debits_and_deficits(self):
        """Expiry over lots partly consumed by redemptions and adjustments, a deficit left by a reversal and
        covered by the next earn, a lot that never expires, in batches that cut across members: the expire
        entries, each lot's remainder, the allocations and the balances are exactly the FIFO outcome."""
        Entry = self.env["crm.loyalty.entry"]
        member_a = self.member
        member_b, member_c = self.env["crm.loyalty.membership"].create(
            [
                {
                    "partner_id": self.env["res.partner"].create({"name": name, "is_company": True}).id,
                    "program_id": self.program.id,
                }
                for name in ("Second Co", "Third Co")
            ]
        )
        d = date
        # A: two lots expired by the run, one alive; a redemption consumed the oldest and part of the second
        a1 = self._lot(member_a, 1000, d(2026, 1, 1), d(2027, 1, 1))
        a2 = self._lot(member_a, 300, d(2026, 2, 1), d(2027, 2, 1), entry_type="bonus", bonus_kind="other")
        a3 = self._lot(member_a, 500, d(2026, 6, 1), d(2027, 6, 1))
        a_redeem = self._debit(member_a, -1100, d(2026, 7, 1), entry_type="redeem")
        # B: everything spent, then the earn reversed (a deficit), covered by the next lots
        b1 = self._lot(member_b, 400, d(2026, 1, 15), d(2027, 1, 15))
        b_adjust = self._debit(member_b, -400, d(2026, 1, 20))
        b2 = self._lot(member_b, 200, d(2026, 2, 15), d(2027, 2, 15))
        b_reverse = self._debit(member_b, -400, d(2026, 3, 1), entry_type="reverse", reversed_entry_id=b1.id)
        b3 = self._lot(member_b, 300, d(2026, 12, 1), d(2027, 12, 1))
        b4 = self._lot(member_b, 150, d(2026, 1, 20), d(2027, 1, 20))
        # C: a lot half spent and a lot that never expires
        c1 = self._lot(member_c, 100, d(2026, 1, 5), d(2027, 1, 5))
        c2 = self._lot(member_c, 100, d(2026, 1, 6), False)
        c_adjust = self._debit(member_c, -50, d(2026, 2, 1))
        self.assertEqual(
            [lot.remaining for lot in (a1, a2, a3, b1, b2, b3, b4, c1, c2)], [0, 200, 500, 0, 0, 100, 150, 50, 100]
        )
        self.assertEqual(b_reverse.unmatched, 0, "the deficit was covered by the next earn")
        members = member_a | member_b | member_c
        with freeze_time("2027-03-01"):
            # the database may hold other members' lots (demo data): only these members' expiries are counted
            self.env["crm.loyalty.membership"]._cron_expire_points(batch_size=2)
            self.assertEqual(
                Entry.search_count([("membership_id", "in", members.ids), ("entry_type", "=", "expire")]), 3
            )
            self.assertEqual(self.env["crm.loyalty.membership"]._cron_expire_points(batch_size=2), 0)
        # read through the ORM without invalidating: the cron left no stale cache behind
        self.assertEqual(
            [lot.remaining for lot in (a1, a2, a3, b1, b2, b3, b4, c1, c2)], [0, 0, 500, 0, 0, 100, 0, 0, 100]
        )
        self.assertEqual((member_a.balance, member_b.balance, member_c.balance), (500, 100, 100))
        self.assertEqual((member_a.lifetime_points, member_b.lifetime_points), (1800, 1050))
        expired = Entry.search([("membership_id", "in", members.ids), ("entry_type", "=", "expire")], order="id")
        self.assertEqual(
            [(e.membership_id, e.expired_lot_id, e.points, e.date, e.remaining, e.unmatched) for e in expired],
            [
                (member_a, a2, -200, d(2027, 3, 1), 0, 0),
                (member_b, b4, -150, d(2027, 3, 1), 0, 0),
                (member_c, c1, -50, d(2027, 3, 1), 0, 0),
            ],
        )
        self.assertFalse(any(expired.mapped("counts_lifetime")))
        self.assertEqual(a2.lot_allocation_ids.entry_id, a_redeem | expired[0])
        self.assertEqual(expired.debit_allocation_ids.mapped("points"), [200, 150, 50])
        ea, eb, ec = expired.ids
        self.assertEqual(
            self._allocations(member_a), {(a1.id, a_redeem.id): 1000, (a2.id, a_redeem.id): 100, (a2.id, ea): 200}
        )
        self.assertEqual(
            self._allocations(member_b),
            {(b1.id, b_adjust.id): 400, (b2.id, b_reverse.id): 200, (b3.id, b_reverse.id): 200, (b4.id, eb): 150},
        )
        self.assertEqual(self._allocations(member_c), {(c1.id, c_adjust.id): 50, (c1.id, ec): 50})
        for member in member_a | member_b | member_c:
            self.assertLedgerConsistent(member)

    def test_tier_review_tracks_the_tier_in_the_chatter(self):
        """The nightly review lowers a tier through the ORM: the membership's chatter gets the tracking value
        (the job runs as the cron runner does, with no test context that disables tracking)."""
        self._invoice(self.customer, [(self.product, 1, 6000)])
        self.assertEqual(self.member.tier_id, self.silver)
        invoice = self.env["account.move"].search([("partner_id", "=", self.customer.id)])
        self._refund(invoice, [(self.product, 1, 6000)])
        self.program.next_review_date = date.today()
        # the member was enrolled in an earlier transaction (the test context's create discards tracking of a
        # new record until the commit)
        self.env.cr.precommit.run()
        cron_sudo = self.env.ref("crm_loyalty.ir_cron_loyalty_tier_review").sudo()  # sudo: run it as the runner does
        cron_sudo.method_direct_trigger()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        self.member.invalidate_recordset()
        self.assertEqual(self.member.tier_id, self.bronze)
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "crm.loyalty.membership"),
                    ("mail_message_id.res_id", "=", self.member.id),
                    ("field_id.name", "=", "tier_id"),
                ]
            )
        )
        self.assertEqual(
            [(t.old_value_integer, t.new_value_integer) for t in tracking][-1:], [(self.silver.id, self.bronze.id)]
        )

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
