"""Ledgers built in memory for the schedule tests: no files, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from ledgerops.core.model import Client, ExceptionCase, Invoice, Ledger, Line, Payment, ReminderRecord
from ledgerops.core.policy import Company, LateFeeRule, Policy, Reminders

BERLIN = timezone(timedelta(hours=1))
POLICY = Policy(
    Company("Jane Doe Studio", "billing@janedoe.example"),
    currencies=("EUR", "JPY"),
    late_fee=LateFeeRule(enabled=True, kind="percent", value=Decimal("1.5"), grace_days=7),
)
CLIENT = Client("acme", "ACME GmbH", ("ap@acme.example",), "standard", cc=("pm@acme.example",))


def at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), BERLIN)


def invoice(
    due: date = date(2026, 12, 2),
    sent: date | None = date(2026, 11, 2),
    stages: tuple[tuple[str, date], ...] = (),
    paid: tuple[tuple[date, str], ...] = (),
    **changes: object,
) -> Invoice:
    base = Invoice(
        "INV-2026-0001",
        "acme",
        issue_date=sent or due - timedelta(days=30),
        due_date=due,
        currency="EUR",
        lines=(Line("Work", Decimal(1), Decimal("1000.00"), Decimal(19)),),
        status="sent" if sent else "draft",
        sent_at=at(sent) if sent else None,
        reminders=tuple(ReminderRecord(stage, at(day)) for stage, day in stages),
        payments=tuple(Payment(day, Decimal(amount)) for day, amount in paid),
    )
    return replace(base, **changes)


def ledger(
    *invoices: Invoice,
    policy: Policy = POLICY,
    client: Client = CLIENT,
    exceptions: tuple[ExceptionCase, ...] = (),
) -> Ledger:
    return Ledger(policy, {client.id: client}, invoices or (invoice(),), exceptions)


def with_reminders(policy: Policy = POLICY, **changes: object) -> Policy:
    return replace(policy, reminders=replace(Reminders(), **changes))
