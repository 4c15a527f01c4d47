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


def allocate_fifo(lots, needs):
    """Match open debits against open lots, oldest expiry first.

    :param lots: list of ``(lot_key, remaining)`` already in consumption order
        (earliest expiry first, then oldest); ``remaining`` > 0.
    :param needs: list of ``(need_key, amount, preferred_lot_key_or_None)``;
        ``amount`` > 0 is how many points the debit still has to consume.  A preferred lot
        (the lot a reversal undoes) is consumed first.
    :return: list of ``(lot_key, need_key, points)`` with points > 0.
    """
    remaining = dict(lots)
    order = [key for key, _amount in lots]
    result = []
    for need_key, amount, preferred in needs:
        candidates = order
        if preferred is not None and preferred in remaining:
            candidates = [preferred] + [k for k in order if k != preferred]
        for lot_key in candidates:
            if amount <= 1e-9:
                break
            available = remaining[lot_key]
            if available <= 1e-9:
                continue
            take = min(available, amount)
            remaining[lot_key] = available - take
            amount -= take
            result.append((lot_key, need_key, take))
    return result


def proportional_points(points, part, whole):
    """Points to reverse for ``part`` of an amount ``whole`` that earned ``points``."""
    if not whole:
        return 0.0
    ratio = min(abs(part) / abs(whole), 1.0)
    return points * ratio
