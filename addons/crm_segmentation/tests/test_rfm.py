import math
import random
from datetime import date, datetime, timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SegmentationCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestRfm(SegmentationCommon):
    """Exact RFM values and scores on a hand-computed data set."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.setup_other_currency("EUR")  # 2 EUR = 1 company currency unit
        cls.a, cls.b, cls.c, cls.d, cls.e, cls.f = (cls._customer(n) for n in "ABCDEF")
        for day in ("2026-06-20", "2026-05-01", "2026-01-10"):
            cls._invoice(cls.a, day, 1000)
        cls._invoice(cls.b, "2026-06-20", 500)
        cls._invoice(cls.b, "2026-06-25", 200, move_type="out_refund")
        cls._invoice(cls.c, "2025-01-15", 5000)
        cls._invoice(cls.d, "2026-03-01", 1000, currency=eur)
        cls._invoice(cls.e, "2024-01-01", 100)  # outside the 24-month window
        cls._invoice(cls.e, "2025-06-30", 100)
        cls.Score = cls.env["crm.rfm.score"]
        cls.Score._recompute(cls.company, today=TODAY)

    def _score(self, partner):
        return self.Score.search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])

    def test_values_scores_and_segments(self):
        expected = {
            # partner: (last purchase, frequency, monetary, code, segment)
            self.a: (date(2026, 6, 20), 3, 3000, "454", "Champions"),
            self.b: (date(2026, 6, 20), 1, 300, "412", "Potential Loyalist"),
            self.c: (date(2025, 1, 15), 1, 5000, "115", "At Risk"),
            self.d: (date(2026, 3, 1), 1, 500, "313", "About to Sleep"),
            self.e: (date(2025, 6, 30), 1, 100, "211", "Hibernating"),
        }
        for partner, (last, frequency, monetary, code, segment) in expected.items():
            score = self._score(partner)
            self.assertEqual(
                (score.last_purchase_date, score.frequency, score.monetary, score.rfm_code, score.segment_id.name),
                (last, frequency, monetary, code, segment),
                partner.name,
            )
        self.assertFalse(self._score(self.f), "a customer without purchases gets no score")
        self.assertEqual(self.a.rfm_code, "454")
        self.assertEqual(self.a.rfm_segment_id.name, "Champions")

    def test_partner_figures_follow_the_company(self):
        """The RFM figures on the customer are the current company's, also for a second company read in the
        same transaction (they were the first company's values)."""
        other = self.setup_other_company()["company"]
        customer = self._customer("Two Companies")
        Score = self.env["crm.rfm.score"].sudo()
        Score.create({"partner_id": customer.id, "company_id": self.company.id, "rfm_code": "555"})
        Score.create({"partner_id": customer.id, "company_id": other.id, "rfm_code": "111"})
        self.env.user.company_ids |= other
        first = customer.with_context(allowed_company_ids=[self.company.id, other.id])
        second = customer.with_context(allowed_company_ids=[other.id, self.company.id])
        self.assertEqual((first.rfm_code, second.rfm_code), ("555", "111"))

    def test_recency_counts_from_today(self):
        today = fields.Date.context_today(self.Score)
        self.assertEqual(self._score(self.c).recency, (today - date(2025, 1, 15)).days)
        # recent = few days since the last purchase: A and B (20 June 2026) before C (15 January 2025)
        days = (today - date(2026, 3, 1)).days
        recent = self.Score.search([("company_id", "=", self.company.id), ("recency", "<", days)])
        self.assertEqual(recent.partner_id, self.a | self.b)
        with self.assertRaises(UserError):
            self.Score.search([("recency", "<", "soon")])

    def test_nightly_run_writes_only_what_changed(self):
        # mark every row, then buy: only the customers whose scores move are rewritten
        self.env.cr.execute(
            "UPDATE crm_rfm_score SET computed_at = '2000-01-01' WHERE company_id = %s", [self.company.id]
        )
        self.Score.invalidate_model()
        self._invoice(self.b, "2026-06-28", 5000)
        self.Score._recompute(self.company, today=TODAY)
        b, e = self._score(self.b), self._score(self.e)
        self.assertEqual((b.frequency, b.monetary, b.rfm_code), (2, 5300, "545"))
        self.assertNotEqual(b.computed_at, datetime(2000, 1, 1))
        self.assertEqual(e.computed_at, datetime(2000, 1, 1), "E's scores did not move: its row is left alone")
        # the month's snapshot follows the customers that changed
        june = self.env["crm.rfm.snapshot"].search([("partner_id", "=", self.b.id), ("month", "=", date(2026, 6, 1))])
        self.assertEqual((june.rfm_code, june.segment_id), ("545", b.segment_id))

    def test_ties_share_a_score(self):
        self.assertEqual(self._score(self.a).r_score, self._score(self.b).r_score)
        self.assertEqual({self._score(p).f_score for p in (self.b, self.c, self.d, self.e)}, {1})

    def test_value_classes_and_pareto(self):
        classes = {p.name: self._score(p).value_class for p in (self.a, self.b, self.c, self.d, self.e)}
        self.assertEqual(classes, {"C": "high", "A": "medium", "D": "medium", "B": "low", "E": "low"})
        self.assertAlmostEqual(self.Score._pareto_share(self.company), 5000 / 8900, places=6)
        self.assertEqual(self._score(self.c).value_decile, 1)

    def test_recompute_is_idempotent_and_drops_stale(self):
        ids = self.Score.search([("company_id", "=", self.company.id)]).ids
        self.Score._recompute(self.company, today=TODAY)
        self.assertEqual(self.Score.search([("company_id", "=", self.company.id)]).ids, ids)
        self.Score._recompute(self.company, today=date(2028, 1, 1))
        self.assertFalse(self._score(self.c), "out of the window: no score")

    def test_snapshot_transitions(self):
        Snapshot = self.env["crm.rfm.snapshot"]
        june = Snapshot.search([("partner_id", "=", self.a.id), ("month", "=", date(2026, 6, 1))])
        self.assertEqual(june.segment_id.name, "Champions")
        self.assertFalse(june.previous_segment_id)
        self.Score._recompute(self.company, today=date(2026, 12, 20))
        december = Snapshot.search([("partner_id", "=", self.a.id), ("month", "=", date(2026, 12, 1))])
        self.assertTrue(december)
        self.Score._recompute(self.company, today=date(2027, 1, 5))
        january = Snapshot.search([("partner_id", "=", self.a.id), ("month", "=", date(2027, 1, 1))])
        self.assertEqual(january.previous_segment_id, december.segment_id)

    def test_unscored_customers_leave_the_month_snapshot(self):
        Snapshot = self.env["crm.rfm.snapshot"]
        june = date(2026, 6, 1)
        self.assertTrue(Snapshot.search([("partner_id", "=", self.e.id), ("month", "=", june)]))
        # E's invoices go back to draft: E has no purchase in the window any more, later the same month
        self.env["account.move"].search([("partner_id", "=", self.e.id)]).button_draft()
        self.Score._recompute(self.company, today=TODAY)
        self.assertFalse(self._score(self.e))
        self.assertFalse(
            Snapshot.search([("partner_id", "=", self.e.id), ("month", "=", june)]),
            "a customer no longer scored has no segment this month",
        )
        # the transition matrix of June counts the four customers still scored
        matrix = Snapshot._read_group([("company_id", "=", self.company.id), ("month", "=", june)], [], ["__count"])
        self.assertEqual(matrix[0][0], 4)

    def test_confirmed_orders_count_when_the_company_says_so(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.f.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 2, "price_unit": 100, "tax_id": False}
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = datetime(2026, 6, 10, 12, 0)
        self.Score._recompute(self.company, today=TODAY)
        self.assertFalse(self._score(self.f), "orders do not count by default")
        self.company.rfm_count_sale_orders = True
        self.Score._recompute(self.company, today=TODAY)
        f = self._score(self.f)
        self.assertEqual((f.last_purchase_date, f.frequency, f.monetary), (date(2026, 6, 10), 1, 200))
        self.assertEqual(f.value_amount, 0, "value classes stay on invoiced figures")
        invoice = order._create_invoices()
        invoice.invoice_date = date(2026, 6, 12)
        invoice.action_post()
        self.Score._recompute(self.company, today=TODAY)
        f = self._score(self.f)
        self.assertEqual(
            (f.last_purchase_date, f.frequency, f.monetary), (date(2026, 6, 12), 1, 200), "counted once, invoiced"
        )

    def test_recompute_schedule_setting(self):
        self.env["res.config.settings"].create(
            {"rfm_cron_interval_number": 6, "rfm_cron_interval_type": "hours"}
        ).execute()
        cron = self.env.ref("crm_segmentation.ir_cron_rfm_recompute")
        self.assertEqual((cron.interval_number, cron.interval_type), (6, "hours"))
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"rfm_cron_interval_number": 0}).execute()

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self.company.rfm_window_months = -3
        with self.assertRaises(ValidationError):
            self.env["crm.rfm.segment"].create({"name": "Overlap", "r_min": 5, "r_max": 5, "fm_min": 5, "fm_max": 5})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["crm.rfm.segment"].create({"name": "Bad", "r_min": 0, "r_max": 6, "fm_min": 1, "fm_max": 1})


@tagged("post_install", "-at_install")
class TestRfmRankDefinition(SegmentationCommon):
    """The scores of the one-statement recompute equal the rank definition, on many customers with ties."""

    def test_scores_equal_the_rank_definition(self):
        rng = random.Random(7)
        partners = self.env["res.partner"].create([{"name": f"R{i}", "is_company": True} for i in range(157)])
        rows = []
        for partner in partners:
            # few distinct values: many ties in every dimension, negative contributions included
            for day in rng.sample(range(1, 200), rng.choice([1, 1, 2, 3])):
                amount = rng.choice([50, 100, 100, 250, 400])
                rows.append((partner.id, self.company.id, TODAY - timedelta(days=day), 1, amount,
                             amount - rng.choice([0, 60, 120, 500])))  # fmt: skip
        self.env.cr.executemany(
            "INSERT INTO crm_sales_fact (partner_id, company_id, date, invoice_count, net_revenue, contribution)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )
        facts = {}
        for pid, _company, day, count, amount, contribution in rows:
            last, frequency, monetary, value = facts.get(pid, (day, 0, 0, 0))
            facts[pid] = (max(last, day), frequency + count, monetary + amount, value + contribution)
        self.env["crm.rfm.score"]._recompute(self.company, today=TODAY)

        n = len(facts)

        def score(pid, index):
            below = sum(1 for other in facts.values() if other[index] < facts[pid][index])
            return min(5, 1 + (5 * below) // n)

        order = sorted(facts, key=lambda pid: (-facts[pid][3], pid))
        scores = self.env["crm.rfm.score"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(scores), n)
        for s in scores:
            pid = s.partner_id.id
            pos = order.index(pid) + 1
            expected_class = (
                "none" if facts[pid][3] <= 0
                else "high" if pos <= math.ceil(0.2 * n)
                else "medium" if pos <= math.ceil(0.5 * n)
                else "low"
            )  # fmt: skip
            self.assertEqual(
                (s.r_score, s.f_score, s.m_score, s.value_decile, s.value_class),
                (score(pid, 0), score(pid, 1), score(pid, 2), min(10, 1 + (10 * (pos - 1)) // n), expected_class),
                s.partner_id.name,
            )
