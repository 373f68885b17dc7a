"""The exception queue: the open cases a person has to look at, oldest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledgerops.core.model import ExceptionCase

ENGINE = "reminder-engine"  # the `source` of every case the engine opens


@dataclass(frozen=True, slots=True)
class QueueEntry:
    case: ExceptionCase
    age_days: int


def open_queue(exceptions: Iterable[ExceptionCase], today: date) -> tuple[QueueEntry, ...]:
    """Open cases opened on or before today, oldest first."""
    entries = [
        QueueEntry(case, (today - case.opened_at).days)
        for case in exceptions
        if case.status == "open" and case.opened_at <= today
    ]
    return tuple(sorted(entries, key=lambda e: (-e.age_days, e.case.id)))
