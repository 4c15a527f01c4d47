import itertools
import math
import random
from dataclasses import dataclass, fields
from datetime import date, timedelta

from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools import SQL

from ..tools.lifecycle import LifecycleFacts, LifecycleParams, decide_stage, decide_stage_sql

CODES = {"prospect", "exploration", "formation", "stability", "decline", "lost", "won_back"}


def facts(**kw):
    base = {
        "has_quote_or_lead": False,
        "invoice_count": 0,
        "window_count": 0,
        "days_since_last": None,
        "typical_gap": None,
        "current_code": None,
    }
    base.update(kw)
    return LifecycleFacts(**base)


@dataclass
class Customer:
    """What the database knows of one generated customer on a given day (the res.partner columns and the
    last move to Lost of its history)."""

    code: str | None = None
    stage_day: int | None = None  # day of the last move (lifecycle_stage_date)
    lost_day: int | None = None  # day of the last move to Lost (crm.lifecycle.history)
    locked_until: int | None = None  # lifecycle_manual_until


def history_facts(purchases, day, customer, window_days, quote_day, is_customer):
    """The facts ``res.partner._lifecycle_facts`` reads, computed from a generated purchase history: the
    rhythm (window count, typical gap) on the purchases since the last move to Lost."""
    past = [d for d in purchases if d <= day]
    restart = customer.lost_day if customer.lost_day is not None else -math.inf
    since = [d for d in past if d >= restart]
    gap = (since[-1] - since[0]) / (len(since) - 1) if len(since) > 1 else None
    return LifecycleFacts(
        has_quote_or_lead=quote_day is not None and quote_day <= day,
        invoice_count=len(past),
        window_count=len([d for d in since if d > day - window_days]),
        days_since_last=day - past[-1] if past else None,
        typical_gap=gap,
        current_code=customer.code,
        is_customer=is_customer,
        days_since_lost=day - customer.lost_day if customer.lost_day is not None else None,
        days_in_stage=day - customer.stage_day if customer.stage_day is not None else None,
    )


def generate_purchases(rng, horizon):
    """Bursts of purchases at a customer's own rhythm separated by silences, some longer than a year."""
    purchases, day = [], rng.randrange(0, 400)
    while day < horizon and rng.random() < 0.9:
        rhythm = rng.choice([7, 20, 30, 60, 120])
        for _i in range(rng.randrange(1, 12)):
            purchases.append(day)
            day += max(1, int(rng.gauss(rhythm, rhythm / 4)))
        day += rng.choice([30, 200, 400, 500, 700])
    return sorted({d for d in purchases if d < horizon})


@tagged("post_install", "-at_install")
class TestLifecycleRules(BaseCase):
    """The lifecycle rules (no database), on examples and against their written definitions."""

    params = LifecycleParams(stable_min_purchases=3, decline_factor=2.0, lost_days=365, won_back_days=90)

    def stage(self, **kw):
        return decide_stage(facts(**kw), self.params)

    def test_examples(self):
        self.assertIsNone(self.stage(), "a contact who is no customer is left alone")
        self.assertEqual(self.stage(is_customer=True), "prospect", "a customer contact without documents")
        self.assertEqual(self.stage(is_customer=True, current_code="formation"), "formation")
        self.assertEqual(self.stage(has_quote_or_lead=True), "exploration")
        self.assertEqual(self.stage(has_quote_or_lead=True, is_customer=True), "exploration")
        self.assertEqual(self.stage(invoice_count=1, window_count=1, days_since_last=5), "formation")
        self.assertEqual(self.stage(invoice_count=3, window_count=3, days_since_last=20, typical_gap=30), "stability")
        self.assertEqual(self.stage(invoice_count=2, window_count=2, days_since_last=20, typical_gap=30), "formation")
        self.assertEqual(self.stage(invoice_count=3, window_count=3, days_since_last=61, typical_gap=30), "decline")
        self.assertEqual(
            self.stage(invoice_count=3, window_count=3, days_since_last=45, typical_gap=30, current_code="stability"),
            "stability",
        )
        self.assertEqual(self.stage(invoice_count=3, window_count=0, days_since_last=400, typical_gap=30), "lost")

    def test_won_back_needs_a_purchase_after_the_move_to_lost(self):
        lost = {"invoice_count": 4, "window_count": 1, "typical_gap": 100, "current_code": "lost"}
        # bought 3 days ago, moved to Lost 10 days ago: won back
        self.assertEqual(self.stage(**lost, days_since_last=3, days_since_lost=10), "won_back")
        # bought 300 days ago, moved to Lost 10 days ago: "Lost after" raised to 400 days, nothing was bought
        self.assertEqual(self.stage(**lost, days_since_last=300, days_since_lost=10), "lost")
        # the end of a manual period on Lost wins nobody back either
        self.assertEqual(self.stage(**lost, days_since_last=120, days_since_lost=90, days_in_stage=90), "lost")
        # a Lost customer without known move date is won back only by a purchase since the stage date
        self.assertEqual(self.stage(**lost, days_since_last=3, days_in_stage=10), "won_back")
        self.assertEqual(self.stage(**lost, days_since_last=30, days_in_stage=10), "lost")

    def test_won_back_lasts_and_the_silence_is_not_a_rhythm(self):
        # six monthly purchases, 500 days of silence, one purchase: won back yesterday. The whole history has
        # a typical gap of (150 + 500) / 6 days, so the next night would call this rhythm "stability"
        back = {"invoice_count": 7, "days_since_lost": 5, "current_code": "won_back"}
        # the rhythm is read since the move to Lost: one purchase, no gap
        self.assertEqual(self.stage(**back, window_count=1, days_since_last=1, days_in_stage=1), "won_back")
        self.assertEqual(self.stage(**back, window_count=1, days_since_last=89, days_in_stage=89), "won_back")
        self.assertEqual(
            self.stage(**back, window_count=1, days_since_last=90, days_in_stage=90),
            "formation",
            "after the Won Back period the relationship is judged on the purchases since the return",
        )
        self.assertEqual(
            self.stage(**back, window_count=4, typical_gap=25, days_since_last=10, days_in_stage=95), "stability"
        )
        # lost again during the period
        self.assertEqual(self.stage(**back, window_count=1, days_since_last=366, days_in_stage=30), "lost")

    def test_rules_hold_on_generated_histories(self):
        """Nightly runs over generated customers (bursts, long silences, settings changed on the way, moves by
        hand with their lock): every automatic move follows the written rule, and every stage is reached."""
        rng = random.Random(2026)
        horizon = 1600
        reached = set()
        moves = 0
        for _n in range(250):
            params = LifecycleParams(
                stable_min_purchases=rng.choice([2, 3, 5]),
                decline_factor=rng.choice([1.5, 2.0, 3.0]),
                lost_days=rng.choice([90, 180, 365]),
                won_back_days=rng.choice([1, 30, 90, 180]),
            )
            window_days = rng.choice([365, 730])
            purchases = generate_purchases(rng, horizon)
            quote_day = rng.choice([None, rng.randrange(0, horizon)])
            if purchases and quote_day is not None:
                quote_day = min(quote_day, purchases[0])
            is_customer = rng.random() < 0.5
            customer = Customer()
            day = 0
            while day < horizon:
                if rng.random() < 0.05:
                    # the settings change (e.g. "Lost after" raised): nobody is won back by it
                    params.lost_days = rng.choice([90, 180, 365, 730])
                if rng.random() < 0.01:
                    # a move by hand, respected for a while
                    code = rng.choice(sorted(CODES))
                    if code == "lost":
                        customer.lost_day = day
                    customer.code, customer.stage_day = code, day
                    customer.locked_until = day + rng.choice([0, 30, 90])
                if customer.locked_until is None or customer.locked_until <= day:
                    f = history_facts(purchases, day, customer, window_days, quote_day, is_customer)
                    target = decide_stage(f, params)
                    context = f"{f}, {params}: {target}"
                    self._check_definition(f, params, target, purchases, customer, day, context)
                    if target and target != customer.code:
                        moves += 1
                        customer.code, customer.stage_day = target, day
                        if target == "lost":
                            customer.lost_day = day
                        again = decide_stage(
                            history_facts(purchases, day, customer, window_days, quote_day, is_customer), params
                        )
                        self.assertEqual(again, target, f"a second run of the same night moves again: {context}")
                    reached.add(customer.code)
                day += rng.choice([1, 1, 1, 3, 7])
        self.assertEqual(reached - {None}, CODES, "every stage is reachable")
        self.assertGreater(moves, 1000)

    def _check_definition(self, f, params, target, purchases, customer, day, context):
        self.assertIn(target, CODES | {None}, context)
        current = f.current_code
        days = f.days_since_last
        if not f.invoice_count:
            # no posted invoice: exploration on a quotation or opportunity, prospect for a customer contact
            expected = "exploration" if f.has_quote_or_lead else current or ("prospect" if f.is_customer else None)
            self.assertEqual(target, expected, context)
            return
        self.assertNotIn(target, ("prospect", "exploration"), f"invoiced customers are past exploration: {context}")
        if days > params.lost_days:
            self.assertEqual(target, "lost", context)
            return
        bought_since_lost = customer.lost_day is not None and any(customer.lost_day <= d <= day for d in purchases)
        if current == "lost":
            # Lost ends only with a purchase on or after the move to Lost, into Won Back
            self.assertEqual(target, "won_back" if bought_since_lost else "lost", context)
            return
        self.assertNotEqual(target, "lost", f"lost only after the silence: {context}")
        if target == "won_back":
            self.assertEqual(current, "won_back", f"Won Back only from Lost: {context}")
        if current == "won_back" and f.days_in_stage < params.won_back_days:
            self.assertEqual(target, "won_back", f"Won Back lasts {params.won_back_days} days: {context}")
        if current == "won_back" and target == "won_back":
            self.assertLess(f.days_in_stage, params.won_back_days, f"Won Back ends after its period: {context}")
        gap = f.typical_gap
        if target == "stability" and current != "stability":
            self.assertTrue(gap and f.window_count >= params.stable_min_purchases and days <= gap, context)
        if target == "stability":
            self.assertTrue(gap and days <= params.decline_factor * gap, context)
        if target == "decline" and current != "decline":
            self.assertTrue(gap and days > params.decline_factor * gap, context)
        if target in ("stability", "decline") and customer.lost_day is not None:
            # the rhythm is read on the purchases since the customer was lost, never across the silence
            since = [d for d in purchases if customer.lost_day <= d <= day]
            self.assertAlmostEqual(gap, (since[-1] - since[0]) / (len(since) - 1), msg=context)
        if target == "formation":
            self.assertFalse(
                gap and f.window_count >= params.stable_min_purchases and days <= gap, f"steady: {context}"
            )


@tagged("post_install", "-at_install")
class TestLifecycleRulesSql(TransactionCase):
    """The SQL rules of the nightly run give the stage of the reference kernel ``decide_stage`` on every
    combination of a grid of facts that walks each branch: prospect, exploration, formation, stability,
    decline (and the phase kept between them), lost, won back (and its period), the manual lock."""

    # (SQL type, values): the thresholds of the parameters below and each side of them
    GRID = {
        "has_quote_or_lead": ("bool", [False, True]),
        "invoice_count": ("int", [0, 1, 4]),
        "window_count": ("int", [0, 2, 3]),
        "days_since_last": ("int", [None, 0, 10, 30, 46, 366]),
        "typical_gap": ("float8", [None, 0.0, 20.0, 30.5]),
        "current_code": ("varchar", [None, *sorted(CODES)]),
        "is_customer": ("bool", [None, False, True]),
        "days_since_lost": ("int", [None, 5, 60]),
        "days_in_stage": ("int", [None, 10, 89, 90]),
    }
    params = LifecycleParams(stable_min_purchases=3, decline_factor=1.5, lost_days=365, won_back_days=90)

    def test_sql_rules_match_decide_stage(self):
        self.assertEqual(list(self.GRID), [f.name for f in fields(LifecycleFacts)], "every fact in the grid")
        today = date(2026, 6, 15)
        locks = [None, today - timedelta(days=1), today, today + timedelta(days=1)]
        grid = SQL(" CROSS JOIN ").join(
            SQL("unnest(%s::%s[]) AS %s", values, SQL(sql_type), SQL.identifier(name))
            for name, (sql_type, values) in self.GRID.items()
        )
        rows = self.env.execute_query(
            SQL(
                "SELECT %s, manual_until, (%s) FROM %s CROSS JOIN unnest(%s::date[]) AS manual_until",
                SQL(", ").join(SQL.identifier(name) for name in self.GRID),
                decide_stage_sql(self.params, today),
                grid,
                locks,
            )
        )
        self.assertEqual(len(rows), math.prod(len(values) for _type, values in self.GRID.values()) * len(locks))
        combinations = set(itertools.product(*(values for _type, values in self.GRID.values())))
        expected = {facts_: decide_stage(LifecycleFacts(*facts_), self.params) for facts_ in combinations}
        self.assertEqual(set(expected.values()), CODES | {None}, "the grid reaches every stage")
        drift = []
        for *facts_, manual_until, sql_code in rows:
            # a customer moved by hand stays until the day after manual_until
            wanted = None if manual_until and manual_until > today else expected[tuple(facts_)]
            if sql_code != wanted:
                drift.append((facts_, manual_until, sql_code, wanted))
        self.assertFalse(drift[:5], f"{len(drift)} of {len(rows)} facts differ: (facts, lock, SQL, decide_stage)")
