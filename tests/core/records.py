"""Small ledgers built in memory, for table-driven tests of the pure core (no files, no clock)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from ledgerops.core.model import (
    Client,
    ExceptionCase,
    Invoice,
    LateFee,
    Ledger,
    Line,
    Payment,
    ReminderRecord,
)
from ledgerops.core.policy import Company, Policy, Review

BERLIN = timezone(timedelta(hours=1))


def policy(**review: object) -> Policy:
    return Policy(
        Company("Jane Doe Studio", "billing@janedoe.example"),
        currency="EUR",
        currencies=("EUR", "USD", "JPY"),
        review=replace(Review(), **review),  # type: ignore[arg-type]
    )


def at(day: date) -> datetime:
    return datetime.combine(day, time(10, 15), BERLIN)


def invoice(
    number: int,
    amount: str,
    *,
    due: date,
    issue: date | None = None,
    sent: date | None = None,
    currency: str = "EUR",
    client: str = "acme",
    status: str = "sent",
    payments: Iterable[tuple[date, str]] = (),
    fees: Iterable[tuple[date, str]] = (),
    reminders: Iterable[tuple[str, date]] = (),
    voided: date | None = None,
    hold: str | None = None,
) -> Invoice:
    """One line of `amount` at 0 % tax, so the total is the amount; sent on its issue day."""
    issue = issue or due - timedelta(days=30)
    sent_day = sent or issue
    return Invoice(
        id=f"INV-2026-{number:04d}",
        client=client,
        issue_date=issue,
        due_date=due,
        currency=currency,
        lines=(Line("Work", Decimal(1), Decimal(amount)),),
        status=status,
        sent_at=None if status == "draft" else at(sent_day),
        payments=tuple(Payment(d, Decimal(a)) for d, a in payments),
        late_fees=tuple(LateFee(d, Decimal(a)) for d, a in fees),
        reminders=tuple(ReminderRecord(stage, at(d)) for stage, d in reminders),
        voided_at=voided,
        hold=hold,
    )


def case(
    number: int,
    invoice_number: int,
    reason: str,
    opened: date,
    *,
    resolved: date | None = None,
    until: date | None = None,
) -> ExceptionCase:
    return ExceptionCase(
        id=f"EXC-2026-{number:04d}",
        invoice=f"INV-2026-{invoice_number:04d}",
        reason=reason,
        opened_at=opened,
        status="resolved" if resolved else "open",
        resolved_at=resolved,
        resolution="settled" if resolved else None,
        until=until,
    )


CLIENTS = {
    "acme": Client("acme", "ACME GmbH", ("ap@acme.example",), "strategic"),
    "bolt": Client("bolt", "Bolt Ltd", ("ap@bolt.example",), "standard"),
    "calm": Client("calm", "Calm KK", ("ap@calm.example",), "standard", reminders=False),
}


def ledger(
    *invoices: Invoice, exceptions: Iterable[ExceptionCase] = (), the_policy: Policy | None = None
) -> Ledger:
    return Ledger(the_policy or policy(), CLIENTS, tuple(invoices), tuple(exceptions))
