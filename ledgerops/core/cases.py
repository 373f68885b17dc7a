"""Exception cases: whether one is open on a day, and the id of a new one.

Apart from the queue, so that totals and `check` use the rule without building its rows."""

from __future__ import annotations

from datetime import date

from ledgerops.core.model import ExceptionCase


def case_id(opened_at: date, token: str) -> str:
    """'EXC-<opening day>-<token>': sorted by opening date, and (with a random token) never
    the same on two branches or in two runs, so case files never collide in a merge."""
    return f"EXC-{opened_at:%Y%m%d}-{token}"


def open_at(case: ExceptionCase, today: date) -> bool:
    """Opened by `today` and not resolved by then: a case resolved later was still open that
    day, so a past day's queue can be recomputed."""
    if case.opened_at > today:
        return False
    return case.status == "open" or (case.resolved_at is not None and case.resolved_at > today)
