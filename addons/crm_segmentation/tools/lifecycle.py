"""The lifecycle rules as a pure function: ERP facts in, stage code out."""

from dataclasses import dataclass


@dataclass
class LifecycleFacts:
    has_quote_or_lead: bool
    invoice_count: int  # posted customer invoices, ever
    window_count: int  # posted customer invoices inside the analysis window
    days_since_last: int | None  # days since the last invoice; None without invoice
    typical_gap: float | None  # mean days between invoices; None with fewer than two
    current_code: str | None  # the stage code the customer is in now


@dataclass
class LifecycleParams:
    stable_min_purchases: int = 3
    decline_factor: float = 2.0
    lost_days: int = 365


def decide_stage(facts, params):
    """Return the stage code the automatic rule puts the customer in (None: leave as is)."""
    if not facts.invoice_count:
        if facts.has_quote_or_lead:
            return "exploration"
        return facts.current_code or "prospect"
    days = facts.days_since_last or 0
    if days > params.lost_days:
        return "lost"
    if facts.current_code == "lost":
        return "won_back"
    gap = facts.typical_gap
    if gap and facts.window_count >= params.stable_min_purchases and days <= gap:
        return "stability"
    if gap and days > params.decline_factor * gap:
        return "decline"
    if facts.current_code == "won_back":
        return "won_back"
    if facts.current_code in ("stability", "decline") and gap:
        # between one and k typical gaps: neither steady nor declining, keep the phase
        return facts.current_code
    return "formation"
