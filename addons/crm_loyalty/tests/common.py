from contextlib import contextmanager

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase
from odoo.tools import SQL, mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class LoyaltyCommon(AccountTestInvoicingCommon):
    """A company with a chart of accounts, a program with four tiers, a member and products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        # the accounting test user also runs sales and loyalty
        cls.env.user.groups_id |= cls.env.ref("crm_loyalty.group_loyalty_manager") | cls.env.ref(
            "sales_team.group_sale_manager"
        )
        cls.reward_product = cls.env.ref("crm_loyalty.product_loyalty_reward")
        cls.program = cls.env["crm.loyalty.program"].create(
            {
                "name": "Club",
                "company_id": cls.company.id,
                "point_value": 0.01,
                "earn_rate": 1.0,
                "rounding": 1.0,
                "rounding_method": "DOWN",
                "validity_months": 12,
                "max_redeem_pct": 50.0,
                "min_redeem_points": 0.0,
                "reward_product_id": cls.reward_product.id,
                "tier_metric": "points",
                "tier_window_months": 12,
                "review_interval_months": 3,
                "tier_ids": [
                    Command.create({"name": "Bronze", "sequence": 1, "threshold": 0, "multiplier": 1.0}),
                    Command.create({"name": "Silver", "sequence": 2, "threshold": 5000, "multiplier": 1.5}),
                    Command.create({"name": "Gold", "sequence": 3, "threshold": 20000, "multiplier": 2.0}),
                    Command.create({"name": "Platinum", "sequence": 4, "threshold": 50000, "multiplier": 3.0}),
                ],
            }
        )
        cls.bronze, cls.silver, cls.gold, cls.platinum = cls.program.tier_ids.sorted("sequence")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Loyal Ltd",
                "is_company": True,
                "email": "loyal@example.com",
            }
        )
        cls.member = cls.env["crm.loyalty.membership"].create(
            {
                "partner_id": cls.customer.id,
                "program_id": cls.program.id,
            }
        )
        cls.categ_food = cls.env["product.category"].create({"name": "Food"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Chair",
                "type": "consu",
                "list_price": 100.0,
                "taxes_id": [Command.set(cls.tax_sale_a.ids)],
            }
        )
        cls.product_food = cls.env["product.product"].create(
            {
                "name": "Rice",
                "type": "consu",
                "list_price": 10.0,
                "categ_id": cls.categ_food.id,
            }
        )

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def assertRaisesText(self, exception, *texts):
        """``assertRaises`` (which rolls the failed operation back, unlike ``assertRaisesRegex``) and the
        message says ``texts``."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        for text in texts:
            self.assertIn(text, str(catcher.exception))

    @classmethod
    def _invoice(cls, partner, lines, date=None, post=True, move_type="out_invoice", **extra):
        """lines: [(product, quantity, unit price)]; taxes from the product (15% sale tax on Chair)."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": date or fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"product_id": p.id, "quantity": q, "price_unit": price}) for p, q, price in lines
                ],
                **extra,
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _refund(cls, invoice, lines, post=True):
        return cls._invoice(invoice.partner_id, lines, move_type="out_refund", post=post, reversed_entry_id=invoice.id)

    def _entries(self, member=None, **domain):
        dom = [("membership_id", "=", (member or self.member).id)]
        dom += [(k, "=", v) for k, v in domain.items()]
        return self.env["crm.loyalty.entry"].search(dom, order="id")

    def assertLedgerConsistent(self, member=None):
        """balance == SUM(ledger) == open lots - uncovered debits, read straight from the database."""
        member = member or self.member
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(points), 0),
                      COALESCE(SUM(CASE WHEN points > 0 THEN remaining ELSE 0 END), 0),
                      COALESCE(SUM(CASE WHEN points < 0 THEN unmatched ELSE 0 END), 0)
                 FROM crm_loyalty_entry WHERE membership_id = %s""",
                member.id,
            )
        )
        total, open_lots, uncovered = self.env.cr.fetchone()
        member.invalidate_recordset()
        self.assertAlmostEqual(member.balance, total, places=6, msg="stored balance != sum of ledger")
        self.assertAlmostEqual(open_lots - uncovered, total, places=6, msg="lots do not add up to the balance")
        return total


class CommittedRaceCase(TransactionCase):
    """Races between real transactions. The test cursor cannot see other transactions, so the data is
    committed through separate cursors (and removed by each test's cleanup)."""

    def _committed(self, func):
        with self.registry.cursor() as cr:
            result = func(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()  # a race needs committed data; pylint: disable=invalid-commit
            return result

    @staticmethod
    def _purge_ledger(env, memberships):
        """Remove the committed ledger rows of ``memberships`` (an SQL query of membership ids): the ledger
        is immutable through the ORM by design, so test data goes with SQL."""
        entries = SQL("SELECT id FROM crm_loyalty_entry WHERE membership_id IN (%s)", memberships)
        env.cr.execute(SQL("DELETE FROM crm_loyalty_ledger_hash WHERE entry_id IN (%s)", entries))
        env.cr.execute(SQL("DELETE FROM crm_loyalty_allocation WHERE entry_id IN (%s)", entries))
        env.cr.execute(SQL("DELETE FROM crm_loyalty_entry WHERE membership_id IN (%s)", memberships))

    def _race(self, first, second, errors=SerializationFailure):
        """``first`` commits while ``second`` runs on a snapshot taken before: the second must fail with
        ``errors`` (an exception class; nothing of it written); it is then retried on fresh data, as Odoo
        retries a request or as the next cron run does."""
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            for cr in (cr1, cr2):
                cr.execute(SQL("SELECT 1"))  # both snapshots start now
            first(env1)
            env1.flush_all()
            cr1.commit()
            with self.assertRaises(errors), mute_logger("odoo.sql_db"):
                second(env2)
                env2.flush_all()
            cr2.rollback()
            env2.invalidate_all()
            second(env2)
            env2.flush_all()
            cr2.commit()
        finally:
            cr1.close()
            cr2.close()
