"""Points arithmetic that needs no ORM: rounding, FIFO allocation, proportional reversal.

Kept apart from the models so it can be unit-tested without a database and reused by the bridge.
"""

from odoo.tools.float_utils import float_round

ROUNDING_METHODS = ("HALF-UP", "UP", "DOWN")


def round_points(value, rounding=1.0, method="HALF-UP"):
    """Round a points amount to the program's granularity with the program's method."""
    if method not in ROUNDING_METHODS:
        raise ValueError(f"unknown rounding method {method!r}")
    if rounding <= 0:
        raise ValueError("rounding must be positive")
    return float_round(value, precision_rounding=rounding, rounding_method=method)


def points_digits(rounding=1.0, value=None, max_digits=6):
    """Decimal places that show points at the program's granularity (1 -> 0, 0.5 -> 1, 0.01 -> 2).

    ``value``: an amount off that grid (a hand-written adjustment of 12.5 points in a program counting
    whole points) gets the decimals it needs, so that a message never shows a rounded figure.
    """
    if rounding <= 0:
        raise ValueError("rounding must be positive")

    def needed(number):
        digits = 0
        while digits < max_digits and abs(round(number, digits) - number) > 1e-9:
            digits += 1
        return digits

    return max(needed(rounding), needed(value) if value is not None else 0)


EPSILON = 1e-9


def allocate_fifo(lots, needs):
    """Match open debits against open lots, oldest expiry first.

    The one FIFO of the ledger: every posting (through the ORM) and the nightly expiry (in bulk) match their
    debits here. Linear in ``len(lots) + len(needs)`` plus the allocations made (exhausted lots at the head
    are skipped once, not once per need), so a whole batch of thousands of lots is matched at once.

    :param lots: list of ``(lot_key, remaining)`` already in consumption order
        (earliest expiry first, then oldest); ``remaining`` > 0.
    :param needs: list of ``(need_key, amount, preferred_lot_key_or_None)``;
        ``amount`` > 0 is how many points the debit still has to consume.  A preferred lot
        (the lot a reversal undoes, the lot an expiry empties) is consumed first.
    :return: list of ``(lot_key, need_key, points)`` with points > 0.
    """
    remaining = dict(lots)
    order = [key for key, _amount in lots]
    first_open = 0  # every lot before it in ``order`` is exhausted
    result = []

    def take(lot_key, need_key, amount):
        available = remaining[lot_key]
        if available <= EPSILON:
            return amount
        points = min(available, amount)
        remaining[lot_key] = available - points
        result.append((lot_key, need_key, points))
        return amount - points

    for need_key, amount, preferred in needs:
        if amount > EPSILON and preferred is not None and preferred in remaining:
            amount = take(preferred, need_key, amount)
        index = first_open
        while amount > EPSILON and index < len(order):
            amount = take(order[index], need_key, amount)
            index += 1
        while first_open < len(order) and remaining[order[first_open]] <= EPSILON:
            first_open += 1
    return result


def allocate_fifo_grouped(lots, needs):
    """``allocate_fifo`` for many members at once: lots only serve the needs of their own group (member).

    :param lots: list of ``(group, lot_key, remaining)``, in consumption order within each group.
    :param needs: list of ``(group, need_key, amount, preferred_lot_key_or_None)``, in order within each group.
    :return: list of ``(lot_key, need_key, points)`` with points > 0, group after group in the order of ``needs``.
    """
    lots_by_group, needs_by_group = {}, {}
    for group, lot_key, amount in lots:
        lots_by_group.setdefault(group, []).append((lot_key, amount))
    for group, need_key, amount, preferred in needs:
        needs_by_group.setdefault(group, []).append((need_key, amount, preferred))
    return [
        allocation
        for group, group_needs in needs_by_group.items()
        for allocation in allocate_fifo(lots_by_group.get(group, []), group_needs)
    ]


def proportional_points(points, part, whole):
    """Points to reverse for ``part`` of an amount ``whole`` that earned ``points``."""
    if not whole:
        return 0.0
    ratio = min(abs(part) / abs(whole), 1.0)
    return points * ratio
