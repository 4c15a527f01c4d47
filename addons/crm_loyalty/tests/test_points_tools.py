from odoo.tests import BaseCase, tagged

from ..tools.points import allocate_fifo, points_digits, proportional_points, round_points


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
