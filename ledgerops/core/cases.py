"""New exception cases: the queue's ids."""

from __future__ import annotations

from collections.abc import Iterable

CASE_ID = "EXC-{year}-{seq:04d}"


def next_case_id(existing_ids: Iterable[str], year: int) -> str:
    prefix = f"EXC-{year}-"
    taken = [
        int(i[len(prefix) :]) for i in existing_ids if i.startswith(prefix) and i[len(prefix) :].isdigit()
    ]
    return CASE_ID.format(year=year, seq=max(taken, default=0) + 1)
