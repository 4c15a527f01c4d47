import random

from odoo.tests import BaseCase, tagged

from odoo.addons.crm_customer_facts.tools.sql import pg_array

from ..tools.points import allocate_fifo, allocate_fifo_grouped, points_digits, proportional_points, round_points


def naive_fifo(lots, needs):
    """The plain reading of the rule (each need walks every lot from the start), to check the kernel against."""
    remaining = dict(lots)
    result = []
    for need_key, amount, preferred in needs:
        candidates = [key for key, _amount in lots]
        if preferred in remaining:
            candidates = [preferred] + [key for key in candidates if key != preferred]
        for lot_key in candidates:
            if amount <= 1e-9:
                break
            if remaining[lot_key] <= 1e-9:
                continue
            points = min(remaining[lot_key], amount)
            remaining[lot_key] -= points
            amount -= points
            result.append((lot_key, need_key, points))
    return result


@tagged("post_install", "-at_install")
class TestPointsTools(BaseCase):
    """Pure arithmetic: no database."""

    def test_round_points(self):
        self.assertEqual(round_points(123.456, 1.0, "DOWN"), 123)
        self.assertEqual(round_points(123.5, 1.0, "HALF-UP"), 124)
        self.assertEqual(round_points(123.01, 1.0, "UP"), 124)
        self.assertEqual(round_points(1.234, 0.1, "HALF-UP"), 1.2)
        with self.assertRaises(ValueError):
            round_points(1, 1.0, "SIDEWAYS")
        with self.assertRaises(ValueError):
            round_points(1, 0, "UP")

    def test_allocate_fifo_order_and_preference(self):
        lots = [("a", 100.0), ("b", 50.0), ("c", 10.0)]
        self.assertEqual(allocate_fifo(lots, [("x", 120.0, None)]), [("a", "x", 100.0), ("b", "x", 20.0)])
        # a reversal consumes its own lot first
        self.assertEqual(allocate_fifo(lots, [("r", 30.0, "b")]), [("b", "r", 30.0)])
        # more needed than available: what exists is consumed, the rest stays open
        alloc = allocate_fifo(lots, [("x", 500.0, None)])
        self.assertEqual(sum(p for _l, _n, p in alloc), 160.0)
        # several debits share the lots in order
        alloc = allocate_fifo([("a", 10.0)], [("x", 6.0, None), ("y", 6.0, None)])
        self.assertEqual(alloc, [("a", "x", 6.0), ("a", "y", 4.0)])

    def test_allocate_fifo_matches_the_plain_rule(self):
        """Random ledgers: lots, redemptions, reversals and expiries of their own lot, deficits (more needed
        than available): the kernel allocates exactly as the plain rule does."""
        rng = random.Random(19)
        for _round in range(200):
            lots = [(f"l{i}", float(rng.randint(1, 500))) for i in range(rng.randint(0, 30))]
            keys = [key for key, _amount in lots] + ["gone"]
            needs = [
                (f"n{j}", float(rng.randint(0, 400)), rng.choice(keys) if rng.random() < 0.4 else None)
                for j in range(rng.randint(0, 30))
            ]
            self.assertEqual(allocate_fifo(lots, needs), naive_fifo(lots, needs))

    def test_allocate_fifo_expiry_empties_its_own_lot(self):
        """An expiry names its lot and takes exactly what is left: nothing of another lot, even an older one."""
        lots = [("old", 100.0), ("expiring", 40.0), ("young", 10.0)]
        self.assertEqual(allocate_fifo(lots, [("exp", 40.0, "expiring")]), [("expiring", "exp", 40.0)])

    def test_allocate_fifo_grouped_keeps_members_apart(self):
        lots = [("a", "a1", 10.0), ("b", "b1", 5.0), ("a", "a2", 10.0)]
        needs = [("b", "xb", 8.0, None), ("a", "xa", 15.0, None), ("c", "xc", 3.0, None)]
        self.assertEqual(allocate_fifo_grouped(lots, needs), [("b1", "xb", 5.0), ("a1", "xa", 10.0), ("a2", "xa", 5.0)])
        self.assertEqual(allocate_fifo_grouped([], []), [])

    def test_allocate_fifo_is_linear(self):
        """A batch of the nightly expiry (many lots, needs without preference after them) stays linear: the
        exhausted head is skipped once (a quadratic walk would take minutes here)."""
        lots = [(i, 1.0) for i in range(50_000)]
        needs = [(i, 1.0, None) for i in range(50_000)]
        self.assertEqual(len(allocate_fifo(lots, needs)), 50_000)

    def test_pg_array(self):
        """Array literals for the bulk writes: numbers exactly as Python holds them, missing ids as NULL."""
        self.assertEqual(pg_array([1, 2, None, False]), "{1,2,NULL,NULL}")
        self.assertEqual(pg_array([0.1 + 0.2, -400.0, 0]), "{0.30000000000000004,-400.0,0}")
        self.assertEqual(pg_array(iter([])), "{}")

    def test_proportional_points(self):
        self.assertEqual(proportional_points(1000, 250, 1000), 250)
        self.assertEqual(proportional_points(1000, -2000, 1000), 1000)
        self.assertEqual(proportional_points(1000, 5, 0), 0)

    def test_points_digits(self):
        """Decimals that show points at the program's granularity, more only for an off-grid amount."""
        self.assertEqual(points_digits(1.0), 0)
        self.assertEqual(points_digits(10.0), 0)
        self.assertEqual(points_digits(0.5), 1)
        self.assertEqual(points_digits(0.01), 2)
        self.assertEqual(points_digits(1.0, 550.0), 0)
        self.assertEqual(points_digits(1.0, 12.5), 1)
        self.assertEqual(points_digits(0.5, 0.125), 3)
        with self.assertRaises(ValueError):
            points_digits(0)
