"""Which approved invoices `send` may send today, and why each other draft waits.

Pure: the caller says which files have uncommitted changes (approval is the merge, so a
draft that differs from the approval branch is not approved yet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ledgerops.core.amounts import invoice_total, pausing_exceptions
from ledgerops.core.diagnostics import Diagnostic, diag
from ledgerops.core.model import ExceptionCase, Invoice, Ledger


@dataclass(frozen=True, slots=True)
class Outgoing:
    invoice: Invoice
    to: tuple[str, ...]
    cc: tuple[str, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Blocked:
    invoice: Invoice
    reason: Diagnostic  # its code says why the draft waits


@dataclass(frozen=True, slots=True)
class SendPlan:
    send: tuple[Outgoing, ...]
    blocked: tuple[Blocked, ...]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one invoice email."""

    invoice: Invoice
    status: str  # accepted | not_sent | unknown | failed (could not be composed)
    detail: str = ""
    retry: bool = False
    sent_at: datetime | None = None
    message_id: str | None = None
    case: str | None = None  # the delivery_unknown exception opened for an unknown outcome


@dataclass(frozen=True, slots=True)
class SendReport:
    today: date
    transport: str
    dry_run: bool
    plan: SendPlan
    deliveries: tuple[Delivery, ...] = ()
    commit: str | None = None
    commit_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.commit_error is None and all(d.status == "accepted" for d in self.deliveries)


def plan_sending(ledger: Ledger, today: date, uncommitted: Collection[str] = ()) -> SendPlan:
    paused = pausing_exceptions(ledger.exceptions, today)
    send, blocked = [], []
    for invoice in sorted(ledger.invoices, key=lambda inv: inv.id):
        if invoice.status == "draft":
            reason = _waits(ledger, invoice, today, uncommitted, paused)
            if reason is None:
                client = ledger.clients[invoice.client]
                send.append(Outgoing(invoice, client.email, client.cc, invoice_total(invoice)))
            else:
                blocked.append(Blocked(invoice, reason))
    return SendPlan(tuple(send), tuple(blocked))


def _waits(
    ledger: Ledger,
    invoice: Invoice,
    today: date,
    uncommitted: Collection[str],
    paused: dict[str, ExceptionCase],
) -> Diagnostic | None:
    """Why an approved-looking draft is not sent today, or None. Checked in this order."""
    client = ledger.clients[invoice.client]
    stale_days = ledger.policy.review.stale_draft_days
    if invoice.path in uncommitted:
        return diag("send-not-approved", invoice.at("id"),
                    f"{invoice.id} has changes that are not committed")  # fmt: skip
    if invoice.hold:
        return diag("send-on-hold", invoice.at("hold"), f"{invoice.id} is on hold: {invoice.hold}")
    if invoice.id in paused:
        case = paused[invoice.id]
        return diag("send-open-exception", invoice.at("status"),
                    f"{invoice.id} is paused by {case.id} ({case.reason})")  # fmt: skip
    if client.po_required and not invoice.po_number:
        return diag("send-po-missing", invoice.at("id"),
                    f"{invoice.id}: client '{client.id}' requires a PO number")  # fmt: skip
    if invoice.issue_date > today:
        return diag("send-future-issue", invoice.at("issue_date"),
                    f"{invoice.id} is dated {invoice.issue_date}, after today")  # fmt: skip
    if (today - invoice.issue_date).days > stale_days:
        return diag("send-stale-draft", invoice.at("issue_date"),
                    f"{invoice.id} is dated {invoice.issue_date}, more than {stale_days} days ago")  # fmt: skip
    return None
