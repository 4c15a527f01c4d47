"""The churn risk score and the holdout draw: plain Python, no ORM (unit tests need no database).

The score adds points for each warning sign, capped at 100 (the readme explains each weight):

========================  ===============================================================  =======
sign                      points                                                           at most
========================  ===============================================================  =======
silence past the rhythm   ``RHYTHM`` per usual gap beyond the first (2.3 x the gap: 20)    60
probably gone (BG/NBD)    ``ALIVE`` x (1 - P(alive)), when predicted                       20
open complaints           ``COMPLAINT`` each                                               20
negative sentiment        ``NEGATIVE`` when a recent ticket reads negative                  10
SLA breaches              ``SLA_BREACH`` each, recent tickets                              16
NPS detractor             ``DETRACTOR`` when the last recent answer is a detractor's       15
overdue invoices          ``OVERDUE`` when any, ``OVERDUE_LONG`` more past 30 days          15
========================  ===============================================================  =======
"""

import hashlib

RHYTHM = 15.0
RHYTHM_MAX = 60.0
ALIVE = 20.0
COMPLAINT = 10.0
COMPLAINT_MAX = 20.0
NEGATIVE = 10.0
SLA_BREACH = 8.0
SLA_MAX = 16.0
DETRACTOR = 15.0
OVERDUE = 10.0
OVERDUE_LONG = 5.0
OVERDUE_LONG_DAYS = 30


def usual_gap(purchase_days, first_purchase, last_purchase):
    """Mean number of days between two purchase days, None with fewer than two purchase days."""
    if not purchase_days or purchase_days < 2 or not first_purchase or not last_purchase:
        return None
    return (last_purchase - first_purchase).days / (purchase_days - 1)


def gap_ratio(last_purchase, gap, today):
    """Days since the last purchase as a multiple of the usual gap ("2.3 x their usual gap")."""
    if not gap or not last_purchase:
        return None
    return (today - last_purchase).days / gap


def risk_score(
    ratio=None,
    prob_alive=None,
    complaints=0,
    negative=0,
    sla_breaches=0,
    detractor=False,
    overdue_amount=0.0,
    overdue_days=0,
):
    """The risk score, 0-100 (integer): the sum of the signs' points, capped at 100."""
    points = 0.0
    if ratio is not None and ratio > 1:
        points += min(RHYTHM_MAX, (ratio - 1) * RHYTHM)
    if prob_alive is not None:
        points += ALIVE * (1.0 - min(max(prob_alive, 0.0), 1.0))
    points += min(COMPLAINT_MAX, COMPLAINT * (complaints or 0))
    if negative:
        points += NEGATIVE
    points += min(SLA_MAX, SLA_BREACH * (sla_breaches or 0))
    if detractor:
        points += DETRACTOR
    if overdue_amount and overdue_amount > 0:
        points += OVERDUE
        if (overdue_days or 0) > OVERDUE_LONG_DAYS:
            points += OVERDUE_LONG
    return round(min(100.0, points))


def in_holdout(partner_id, company_id, share_percent):
    """Whether this customer of this company belongs to the holdout: a draw from a hash of the two ids, the
    same at every run (deterministic), uniform over 0-99.99; in the holdout below ``share_percent``."""
    if not share_percent or share_percent <= 0:
        return False
    digest = hashlib.sha256(f"crm_retention:{company_id}:{partner_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000 < share_percent * 100
