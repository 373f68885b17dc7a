"""New exception cases: the queue's ids and the cases the tool opens by itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ledgerops.core.model import ExceptionCase, Ledger

CASE_ID = "EXC-{year}-{seq:04d}"


def next_case_id(existing_ids: Iterable[str], year: int) -> str:
    prefix = f"EXC-{year}-"
    taken = [
        int(i[len(prefix) :]) for i in existing_ids if i.startswith(prefix) and i[len(prefix) :].isdigit()
    ]
    return CASE_ID.format(year=year, seq=max(taken, default=0) + 1)


def new_case(
    ledger: Ledger, invoice_id: str, reason: str, today: date, source: str, note: str
) -> ExceptionCase:
    """An open case for `invoice_id`, numbered after every case of the year."""
    case_id = next_case_id((case.id for case in ledger.exceptions), today.year)
    return ExceptionCase(
        id=case_id,
        invoice=invoice_id,
        reason=reason,
        opened_at=today,
        source=source,
        note=note,
        status="open",
        path=f"exceptions/{case_id}.yaml",
    )
