"""The exception queue: new case ids, and the open cases a person has to look at."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledgerops.core.model import ExceptionCase

ENGINE = "reminder-engine"  # the `source` of every case the engine opens
_ID = re.compile(r"EXC-(?P<year>[0-9]{4})-(?P<seq>[0-9]+)\Z")


def next_exception_id(existing: Iterable[str], year: int) -> str:
    """EXC-<year>-<seq:04d>, one after the highest number of that year."""
    seqs = [int(m["seq"]) for m in map(_ID.match, existing) if m and int(m["year"]) == year]
    return f"EXC-{year}-{max(seqs, default=0) + 1:04d}"


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
