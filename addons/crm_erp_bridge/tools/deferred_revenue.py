"""Deferred revenue of a loyalty program (IFRS 15 / CAS 14), without the ORM.

The program's points are one pool. Its state: L, the open contract liability; N, the points earned (earns
and points granted, net of their reversals); R, the points redeemed (net of cancelled redemptions); X, the
points expired (or taken off by a negative adjustment); O = N - R - X, the open points; r, the expected
redemption rate. The points still expected to be redeemed are E = max(0, min(O, r x N - R)).

Movements, one day after the other, each amount rounded as it is booked. Within a day, the day's
allocations, redemptions and expiries come first, then its change of the expected redemption rate, then its
change of the point value: a change never re-allocates a sale, nor re-prices a redemption or an expiry, of
the day it is made (the allocation of a sale is fixed with the estimates in force before the change).

- allocation (an earn: its share of the sale by relative standalone selling price; points granted without
  a sale: their standalone selling price; a reversal: the same share of its original): L += amount;
- redemption of p points: revenue recognised L x p / E (all of L when p >= E): L -= it;
- expiry of x points: E falls from E0 to E1, the liability of the expected points that expired is released,
  L x (E0 - E1) / E0 (all of L when no point is expected any more);
- change of the expected redemption rate: cumulative catch-up, L becomes what it would be had the new rate
  applied from the start (the allocations as booked, the redemptions, expiries and revaluations replayed);
- change of the point value: L x (new / old - 1).

Amounts are signed as credits to the contract liability.
"""

CATEGORIES = ("deferred", "granted", "estimate", "revalued", "recognised", "released")


class DeferredPool:
    def __init__(self, rate, rounding):
        self.rate = rate
        self.round = rounding
        self.liability = self.earned = self.redeemed = self.expired = 0.0
        self.totals = dict.fromkeys(CATEGORIES, 0.0)

    @property
    def open_points(self):
        return self.earned - self.redeemed - self.expired

    @property
    def expected(self):
        return max(0.0, min(self.open_points, self.rate * self.earned - self.redeemed))

    def _book(self, category, amount):
        amount = self.round(amount)
        self.liability = self.round(self.liability + amount)
        self.totals[category] = self.round(self.totals[category] + amount)
        return amount

    def allocate(self, category, amount, points):
        self.earned += points
        return self._book(category, amount)

    def redeem(self, points):
        expected = self.expected
        if points > 0 and points >= expected:
            amount = self.liability
        elif expected > 0:
            amount = self.liability * points / expected
        else:
            amount = 0.0
        self.redeemed += points
        return self._book("recognised", -amount)

    def expire(self, points):
        before = self.expected
        self.expired += points
        after = self.expected
        if after <= 0:
            amount = self.liability
        elif before > 0:
            amount = self.liability * (before - after) / before
        else:
            amount = 0.0
        return self._book("released", -amount)

    def revalue(self, ratio):
        return self._book("revalued", self.liability * (ratio - 1.0))

    def change_rate(self, rate, history):
        """Cumulative catch-up: replay ``history`` (the days before and the movements of the day of the
        change) with ``rate`` from the start."""
        target = replay(history, rate, self.round, skip_estimates=True).liability
        self.rate = rate
        return self._book("estimate", target - self.liability)


def in_force(changes, day, rate, value, end_of_day=False):
    """The expected redemption rate and the point value in force on ``day``, read from the recorded changes
    ``changes`` [(date, rate before, rate after, value before, value after)] in date order (both methods):
    before the changes made that day (what a sale of the day is allocated with), or after them with
    ``end_of_day`` (the liability at the end of the day). ``rate`` and ``value``: the program's figures,
    in force when no change is recorded."""
    if changes:
        rate, value = changes[0][1], changes[0][3]
    for change_date, _rate_before, rate_after, _value_before, value_after in changes:
        if change_date > day or (change_date == day and not end_of_day):
            break
        rate, value = rate_after, value_after
    return rate, value


def replay(days, rate, rounding, skip_estimates=False):
    """Run the pool through ``days``: a list of (date, day) in date order, ``day`` a dict with the optional
    keys ``rate`` (the new expected redemption rate, after that day's movements), ``ratio`` (new / old
    point value, after the new rate),
    ``deferred`` and ``granted`` ((amount, points)), ``redeemed`` and ``expired`` (points). ``rate`` is
    the rate before the first change. Returns the pool (``liability``, ``totals`` per category)."""
    pool = DeferredPool(rate, rounding)
    for index, (date, day) in enumerate(days):
        for category in ("deferred", "granted"):
            if day.get(category):
                pool.allocate(category, *day[category])
        if day.get("redeemed"):
            pool.redeem(day["redeemed"])
        if day.get("expired"):
            pool.expire(day["expired"])
        if day.get("rate") is not None and not skip_estimates and day["rate"] != pool.rate:
            # the movements of the day of the change, without its changes (booked after them)
            movements = {key: value for key, value in day.items() if key not in ("rate", "ratio")}
            pool.change_rate(day["rate"], [*days[:index], (date, movements)])
        if day.get("ratio") is not None:
            pool.revalue(day["ratio"])
    return pool
