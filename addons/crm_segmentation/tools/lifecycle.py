"""The lifecycle rules as a pure function: ERP facts in, stage code out.

The rules, in this order (the first that applies decides):

1. No posted invoice: a quotation or an opportunity makes the customer Exploration; otherwise the
   customer keeps their stage, and a customer contact without one (marked as a customer, or with a
   lead) is a Prospect. Other contacts are left alone.
2. No purchase for more than ``lost_days``: Lost.
3. Lost ends only with a purchase dated on or after the move to Lost, into Won Back: a changed
   setting or the end of a manual period wins nobody back.
4. Won Back lasts ``won_back_days`` from the move (unless the customer is lost again by rule 2).
5. The customer's rhythm, read on the purchases since their last move to Lost (the whole history when
   never lost: the silence that lost them is not part of their rhythm): at least
   ``stable_min_purchases`` invoices in the window and the last purchase within the typical gap is
   Stability; the last purchase older than ``decline_factor`` typical gaps is Decline; in between,
   Stability and Decline are kept; otherwise Formation.

``decide_stage`` is the reference definition, read by people and by the unit tests; the nightly run
applies the same rules set-based, as the SQL expression of ``decide_stage_sql``. A test compares the two
on a grid of facts covering every branch, so that they cannot drift apart: change both together.
"""

from dataclasses import dataclass

from odoo.tools import SQL


@dataclass
class LifecycleFacts:
    has_quote_or_lead: bool  # an open quotation / sale order or opportunity
    invoice_count: int  # posted customer invoices, ever
    window_count: int  # posted customer invoices inside the analysis window, since the last move to Lost
    days_since_last: int | None  # days since the last invoice; None without invoice
    typical_gap: float | None  # mean days between purchase days since the last move to Lost; None with fewer than 2
    current_code: str | None  # the stage code the customer is in now
    is_customer: bool = False  # marked as a customer or linked to a lead: a prospect without documents
    days_since_lost: int | None = None  # days since the last move to Lost; None if never lost
    days_in_stage: int | None = None  # days since the move to the current stage


@dataclass
class LifecycleParams:
    stable_min_purchases: int = 3
    decline_factor: float = 2.0
    lost_days: int = 365
    won_back_days: int = 90


def decide_stage(facts, params):
    """Return the stage code the automatic rule puts the customer in (None: leave as is)."""
    return decide_stage_rule(facts, params)[0]


def decide_stage_rule(facts, params):
    """``(stage code, rule)``: the stage as ``decide_stage`` and the key of the rule that decided it (one of
    ``RULES``), for the explanation of the stage given to staff and to the customer."""
    current = facts.current_code
    if not facts.invoice_count:
        if facts.has_quote_or_lead:
            return "exploration", "quote"
        if current:
            return current, "no_invoice_keep"
        return ("prospect", "prospect") if facts.is_customer else (None, "none")
    days = facts.days_since_last or 0
    if days > params.lost_days:
        return "lost", "lost"
    if current == "lost":
        lost_for = facts.days_since_lost if facts.days_since_lost is not None else facts.days_in_stage
        return ("won_back", "won_back") if lost_for is not None and days <= lost_for else ("lost", "still_lost")
    if current == "won_back" and facts.days_in_stage is not None and facts.days_in_stage < params.won_back_days:
        return "won_back", "won_back_period"
    gap = facts.typical_gap
    if gap and facts.window_count >= params.stable_min_purchases and days <= gap:
        return "stability", "stability"
    if gap and days > params.decline_factor * gap:
        return "decline", "decline"
    if current in ("stability", "decline") and gap:
        # between one and k typical gaps: neither steady nor declining, keep the phase
        return current, "keep_phase"
    return "formation", "formation"


RULES = (
    "quote",
    "no_invoice_keep",
    "prospect",
    "none",
    "lost",
    "won_back",
    "still_lost",
    "won_back_period",
    "stability",
    "decline",
    "keep_phase",
    "formation",
)


def decide_stage_sql(params, today):
    """``decide_stage`` as one SQL expression (the stage code, NULL: leave as is) over columns named after
    the fields of ``LifecycleFacts`` (``invoice_count`` and ``window_count`` never NULL), and
    ``manual_until``: a customer moved by hand stays where they are until that day (``today`` excluded).

    Each WHEN is the rule of the same number in this module's docstring; NULL stands for None and, as the
    Python truthiness reads them, a NULL or zero gap counts as no gap."""
    return SQL(
        """CASE
            WHEN manual_until > %(today)s THEN NULL                                              -- lock
            WHEN invoice_count = 0 THEN                                                          -- 1
                CASE WHEN has_quote_or_lead THEN 'exploration'
                     ELSE COALESCE(current_code, CASE WHEN is_customer THEN 'prospect' END) END
            WHEN COALESCE(days_since_last, 0) > %(lost_days)s THEN 'lost'                        -- 2
            WHEN current_code = 'lost' THEN                                                      -- 3
                CASE WHEN COALESCE(days_since_last, 0) <= COALESCE(days_since_lost, days_in_stage)
                     THEN 'won_back' ELSE 'lost' END
            WHEN current_code = 'won_back' AND days_in_stage < %(won_back_days)s THEN 'won_back'  -- 4
            WHEN typical_gap <> 0 AND window_count >= %(min_purchases)s                          -- 5
                 AND COALESCE(days_since_last, 0) <= typical_gap THEN 'stability'
            WHEN typical_gap <> 0
                 AND COALESCE(days_since_last, 0) > %(decline_factor)s * typical_gap THEN 'decline'
            WHEN typical_gap <> 0 AND current_code IN ('stability', 'decline') THEN current_code
            ELSE 'formation'
        END""",
        today=SQL("%s::date", today),
        lost_days=int(params.lost_days),
        won_back_days=int(params.won_back_days),
        min_purchases=int(params.stable_min_purchases),
        decline_factor=SQL("%s::float8", float(params.decline_factor)),
    )
