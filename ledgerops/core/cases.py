"""Exception cases: whether one is open on a day, and the id of the next one.

Apart from the queue, so that totals and `check` use the rule without building its rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ledgerops.core.model import ExceptionCase

CASE_ID = "EXC-{year}-{seq:04d}"


def next_case_id(existing_ids: Iterable[str], year: int) -> str:
    prefix = f"EXC-{year}-"
    taken = [
        int(i[len(prefix) :]) for i in existing_ids if i.startswith(prefix) and i[len(prefix) :].isdigit()
    ]
    return CASE_ID.format(year=year, seq=max(taken, default=0) + 1)


def open_at(case: ExceptionCase, today: date) -> bool:
    """Opened by `today` and not resolved by then: a case resolved later was still open that
    day, so a past day's queue can be recomputed."""
    if case.opened_at > today:
        return False
    return case.status == "open" or (case.resolved_at is not None and case.resolved_at > today)
