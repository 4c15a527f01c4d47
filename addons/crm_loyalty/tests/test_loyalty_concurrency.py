from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import CommittedRaceCase


@tagged("post_install", "-at_install")
class TestLoyaltyConcurrency(CommittedRaceCase):
    """Two real transactions redeem for the same member: the membership row lock serialises them.

    Data is committed through separate cursors (the test cursor cannot see other transactions)
    and removed again in cleanup.
    """

    def setUp(self):
        super().setUp()

        def make(env):
            program = env["crm.loyalty.program"].create(
                {
                    "name": "Race Club",
                    "point_value": 0.01,
                    "max_redeem_pct": 100,
                    "reward_product_id": env.ref("crm_loyalty.product_loyalty_reward").id,
                }
            )
            partner = env["res.partner"].create({"name": "Race Co", "is_company": True})
            member = env["crm.loyalty.membership"].create({"partner_id": partner.id, "program_id": program.id})
            env["crm.loyalty.entry"].create(
                {
                    "membership_id": member.id,
                    "entry_type": "adjust",
                    "points": 1000,
                    "reason": "seed",
                }
            )
            product = env["product.product"].create({"name": "Race Product", "type": "service", "list_price": 100})
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 10, "price_unit": 100, "tax_id": False}
                            ),
                            Command.create(
                                {
                                    "product_id": program.reward_product_id.id,
                                    "price_unit": -7.0,
                                    "tax_id": False,
                                    "loyalty_redeem_points": 700,
                                    "loyalty_membership_id": member.id,
                                }
                            ),
                        ],
                    }
                    for _i in range(2)
                ]
            )
            return program.id, partner.id, member.id, product.id, orders.ids

        self.program_id, self.partner_id, self.member_id, self.product_id, self.order_ids = self._committed(make)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        def drop(env):
            self._purge_ledger(env, SQL("%s", self.member_id))
            orders = env["sale.order"].browse(self.order_ids)
            orders._action_cancel()
            orders.unlink()
            env["crm.loyalty.membership"].browse(self.member_id).unlink()
            program = env["crm.loyalty.program"].browse(self.program_id)
            program.sequence_id.unlink()
            program.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

        self._committed(drop)

    def test_two_redemptions_race(self):
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            # both transactions start and see 1,000 points
            self.assertEqual(env1["crm.loyalty.membership"].browse(self.member_id).balance, 1000)
            self.assertEqual(env2["crm.loyalty.membership"].browse(self.member_id).balance, 1000)
            env1["sale.order"].browse(self.order_ids[0]).action_confirm()
            cr1.commit()
            # the second one, on its older snapshot, must not spend the same points
            with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
                env2["sale.order"].browse(self.order_ids[1]).action_confirm()
            cr2.rollback()
            # Odoo retries a serialisation failure: the retry sees the real balance and refuses clearly
            env2.invalidate_all()
            with self.assertRaises(UserError):
                env2["sale.order"].browse(self.order_ids[1]).action_confirm()
            cr2.rollback()
        finally:
            cr1.close()
            cr2.close()

        def check(env):
            member = env["crm.loyalty.membership"].browse(self.member_id)
            env.cr.execute(
                SQL(
                    "SELECT SUM(points), COUNT(*) FILTER (WHERE entry_type = 'redeem') "
                    "FROM crm_loyalty_entry WHERE membership_id = %s",
                    self.member_id,
                )
            )
            total, redeems = env.cr.fetchone()
            return member.balance, total, redeems, env["sale.order"].browse(self.order_ids).mapped("state")

        balance, total, redeems, states = self._committed(check)
        self.assertEqual((balance, total, redeems), (300, 300, 1))
        self.assertEqual(states, ["sale", "draft"])

    # ------------------------------------------------------------------ redemption vs expiry cron
    def _add_expired_lot(self, points=500):
        def add(env):
            lot = env["crm.loyalty.entry"].create(
                {
                    "membership_id": self.member_id,
                    "entry_type": "adjust",
                    "points": points,
                    "reason": "expiring lot",
                    "date": fields.Date.today() - timedelta(days=400),
                    "expiry_date": fields.Date.today() - timedelta(days=1),
                }
            )
            return lot.id

        return self._committed(add)

    def _ledger_state(self, env):
        member = env["crm.loyalty.membership"].browse(self.member_id)
        env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(points), 0),
                          COUNT(*) FILTER (WHERE entry_type = 'redeem'),
                          COUNT(*) FILTER (WHERE entry_type = 'expire'),
                          COALESCE(SUM(points) FILTER (WHERE entry_type = 'expire'), 0)
                     FROM crm_loyalty_entry WHERE membership_id = %s""",
                self.member_id,
            )
        )
        total, redeems, expires, expired = env.cr.fetchone()
        # no lot is ever consumed beyond its points
        env.cr.execute(
            SQL(
                """SELECT COUNT(*) FROM crm_loyalty_entry e
                    WHERE e.membership_id = %s AND e.points > 0
                      AND e.points < (SELECT COALESCE(SUM(a.points), 0) FROM crm_loyalty_allocation a
                                       WHERE a.lot_id = e.id) - 0.000001""",
                self.member_id,
            )
        )
        overdrawn_lots = env.cr.fetchone()[0]
        return {
            "balance": member.balance,
            "ledger": total,
            "redeems": redeems,
            "expires": expires,
            "expired": expired,
            "overdrawn_lots": overdrawn_lots,
        }

    def _redeem_first_order(self, env):
        env["sale.order"].browse(self.order_ids[0]).action_confirm()

    def _expire(self, env):
        env["crm.loyalty.membership"]._cron_expire_points()

    def test_redemption_then_stale_expiry_cron(self):
        """The redemption consumed the expiring lot first (FIFO by expiry): the cron, retried, has nothing
        left to expire on it."""
        self._add_expired_lot()
        self._race(self._redeem_first_order, self._expire)
        state = self._committed(self._ledger_state)
        self.assertEqual(
            state,
            {"balance": 800, "ledger": 800, "redeems": 1, "expires": 0, "expired": 0, "overdrawn_lots": 0},
        )

    def test_expiry_cron_then_stale_redemption(self):
        """The cron expired the lot first: the redemption, retried, pays from the remaining points only."""
        self._add_expired_lot()
        self._race(self._expire, self._redeem_first_order)
        state = self._committed(self._ledger_state)
        self.assertEqual(
            state,
            {"balance": 300, "ledger": 300, "redeems": 1, "expires": 1, "expired": -500, "overdrawn_lots": 0},
        )

    def test_expiry_cron_twice_at_once(self):
        """Two workers run the expiry cron together: the lot is expired once."""
        self._add_expired_lot()
        self._race(self._expire, self._expire)
        state = self._committed(self._ledger_state)
        self.assertEqual(
            state,
            {"balance": 1000, "ledger": 1000, "redeems": 0, "expires": 1, "expired": -500, "overdrawn_lots": 0},
        )

    # ------------------------------------------------------------------ credit notes racing on one invoice
    def _invoice_and_credit_notes(self, count=2):
        def make(env):
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.product_id, "quantity": 1, "price_unit": 500, "tax_ids": False}
                        )
                    ],
                }
            )
            invoice.action_post()
            credit_notes = env["account.move"]
            for _i in range(count):
                credit_notes |= invoice._reverse_moves()
            return invoice.id, credit_notes.ids

        invoice_id, credit_note_ids = self._committed(make)
        self.addCleanup(self._drop_moves, [invoice_id, *credit_note_ids])
        return invoice_id, credit_note_ids

    def _drop_moves(self, move_ids):
        def drop(env):
            # the invoice also enrolled the customer in the programs with automatic enrolment
            self._purge_ledger(env, SQL("SELECT id FROM crm_loyalty_membership WHERE partner_id = %s", self.partner_id))
            env.cr.execute(
                SQL(
                    "DELETE FROM crm_loyalty_membership WHERE partner_id = %s AND id != %s",
                    self.partner_id,
                    self.member_id,
                )
            )
            lines = SQL("SELECT id FROM account_move_line WHERE move_id = ANY(%s)", move_ids)
            env.cr.execute(
                SQL(
                    "DELETE FROM account_partial_reconcile WHERE debit_move_id IN (%s) OR credit_move_id IN (%s)",
                    lines,
                    lines,
                )
            )
            env.cr.execute(
                SQL("UPDATE account_move_line SET full_reconcile_id = NULL WHERE move_id = ANY(%s)", move_ids)
            )
            env.cr.execute(SQL("DELETE FROM account_move WHERE id = ANY(%s)", move_ids))

        self._committed(drop)

    def _earn_state(self, env, invoice_id):
        env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(points) FILTER (WHERE entry_type = 'earn'), 0),
                          COALESCE(SUM(points) FILTER (WHERE entry_type = 'reverse'), 0),
                          COUNT(*) FILTER (WHERE entry_type = 'reverse')
                     FROM crm_loyalty_entry
                    WHERE membership_id = %s AND (move_id = %s OR reversed_entry_id IN (
                          SELECT id FROM crm_loyalty_entry WHERE move_id = %s))""",
                self.member_id,
                invoice_id,
                invoice_id,
            )
        )
        earned, reversed_, reversals = env.cr.fetchone()
        return earned, reversed_, reversals, self._ledger_state(env)

    def test_two_credit_notes_of_one_invoice_at_once(self):
        """Two full credit notes of the same invoice posted together: the points come back once."""
        invoice_id, (first_cn, second_cn) = self._invoice_and_credit_notes()
        self._race(
            lambda env: env["account.move"].browse(first_cn).action_post(),
            lambda env: env["account.move"].browse(second_cn).action_post(),
        )
        earned, reversed_, reversals, state = self._committed(lambda env: self._earn_state(env, invoice_id))
        self.assertGreater(earned, 0)
        self.assertEqual((reversed_, reversals), (-earned, 1))
        self.assertEqual((state["balance"], state["ledger"]), (1000, 1000))

    def test_reset_to_draft_and_credit_note_at_once(self):
        """The invoice is reset to draft while its credit note is posted: the points come back once."""
        invoice_id, (credit_note,) = self._invoice_and_credit_notes(count=1)
        self._race(
            lambda env: env["account.move"].browse(invoice_id).button_draft(),
            lambda env: env["account.move"].browse(credit_note).action_post(),
        )
        earned, reversed_, _reversals, state = self._committed(lambda env: self._earn_state(env, invoice_id))
        self.assertGreater(earned, 0)
        self.assertEqual(reversed_, -earned)
        self.assertEqual((state["balance"], state["ledger"]), (1000, 1000))
        self.assertGreaterEqual(state["balance"], 0)
