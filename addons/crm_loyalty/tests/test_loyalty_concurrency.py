from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger


@tagged("post_install", "-at_install")
class TestLoyaltyConcurrency(TransactionCase):
    """Two real transactions redeem for the same member: the membership row lock serialises them.

    Data is committed through separate cursors (the test cursor cannot see other transactions)
    and removed again in cleanup.
    """

    def _committed(self, func):
        with self.registry.cursor() as cr:
            result = func(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()
            return result

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
            # the ledger is immutable through the ORM by design: remove the test rows with SQL
            env.cr.execute(
                SQL(
                    "DELETE FROM crm_loyalty_allocation WHERE entry_id IN "
                    "(SELECT id FROM crm_loyalty_entry WHERE membership_id = %s)",
                    self.member_id,
                )
            )
            env.cr.execute(SQL("DELETE FROM crm_loyalty_entry WHERE membership_id = %s", self.member_id))
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
