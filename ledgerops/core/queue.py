"""The exception queue: the open cases a person has to look at, oldest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledgerops.core.cases import open_at
from ledgerops.core.model import ExceptionCase

ENGINE = "reminder-engine"  # the `source` of every case the engine opens


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """An open case and how many days it has been open."""

    case: ExceptionCase
    age_days: int


def open_queue(exceptions: Iterable[ExceptionCase], today: date) -> tuple[QueueEntry, ...]:
    """The cases open on `today`, oldest first."""
    entries = [QueueEntry(case, (today - case.opened_at).days) for case in exceptions if open_at(case, today)]
    return tuple(sorted(entries, key=lambda e: (-e.age_days, e.case.id)))
