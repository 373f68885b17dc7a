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
from ledgerops.core.numbering import parse_number


@dataclass(frozen=True, slots=True)
class Sendable:
    invoice: Invoice
    to: tuple[str, ...]
    cc: tuple[str, ...]
    total: Decimal
    year: int  # of its number sequence: a failure holds back the later numbers of that year


@dataclass(frozen=True, slots=True)
class Blocked:
    invoice: Invoice
    reason: Diagnostic  # its code says why the draft waits


@dataclass(frozen=True, slots=True)
class SendPlan:
    send: tuple[Sendable, ...]
    blocked: tuple[Blocked, ...]


@dataclass(frozen=True, slots=True)
class InvoiceOutcome:
    """What became of one invoice email."""

    invoice: Invoice
    status: str  # accepted | not_sent | unknown | failed (could not be composed or recorded)
    detail: str = ""
    retry: bool = False
    sent_at: datetime | None = None
    message_id: str | None = None
    case: str | None = None  # the delivery_unknown case opened for an unknown outcome


@dataclass(frozen=True, slots=True)
class SendReport:
    today: date
    transport: str
    dry_run: bool
    plan: SendPlan
    deliveries: tuple[InvoiceOutcome, ...] = ()
    left: tuple[tuple[str, str], ...] = ()  # (invoice, why): planned, but another run has it
    opened: tuple[ExceptionCase, ...] = ()  # delivery_unknown cases, also for claims of dead runs
    errors: tuple[str, ...] = ()  # failures beyond one invoice's email (the run stopped sending)
    commit: str | None = None  # the last of the commits this send made

    @property
    def ok(self) -> bool:
        return not self.errors and all(d.status == "accepted" for d in self.deliveries)


def plan_sending(ledger: Ledger, today: date, uncommitted: Collection[str] = ()) -> SendPlan:
    """Drafts in number order; one that waits holds back the later numbers of its year, so
    the issued invoices never skip a number (docs/spec.md §5.4)."""
    paused = pausing_exceptions(ledger.exceptions, today)
    send, blocked = [], []
    waiting: dict[int, str] = {}  # year -> the first draft of that year that waits
    drafts = [invoice for invoice in ledger.invoices if invoice.status == "draft"]
    for invoice in sorted(drafts, key=lambda inv: sequence_key(ledger, inv)):
        year = sequence_key(ledger, invoice)[0]
        reason = _waits(ledger, invoice, today, uncommitted, paused)
        if reason is None and year in waiting:
            reason = diag("send-numbering-order", invoice.at("id"),
                          f"{invoice.id} waits for {waiting[year]}: invoices are issued in number order")  # fmt: skip
        if reason is None:
            client = ledger.clients[invoice.client]
            send.append(Sendable(invoice, client.email, client.cc, invoice_total(invoice), year))
        else:
            blocked.append(Blocked(invoice, reason))
            waiting.setdefault(year, invoice.id)
    return SendPlan(tuple(send), tuple(blocked))


def sequence_key(ledger: Ledger, invoice: Invoice) -> tuple[int, int, str]:
    """(year, number, id) in the policy's numbering; check guarantees the id parses."""
    year, number = parse_number(ledger.policy.numbering, invoice.id) or (invoice.issue_date.year, 0)
    return year, number, invoice.id


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
