"""Which approved invoices `send` may send today, why each other draft waits, and the
number a draft takes when it is issued.

Pure: the caller says which files have uncommitted changes (approval is the merge, so a
draft that differs from the approval branch is not approved yet) and in which order the
drafts reached the approval branch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from ledgerops.core.amounts import invoice_total, pausing_case, pausing_exceptions
from ledgerops.core.diagnostics import Diagnostic, diag
from ledgerops.core.errors import LedgeropsError
from ledgerops.core.model import ExceptionCase, Invoice, Ledger
from ledgerops.core.numbering import invoice_path, next_number, parse_number


@dataclass(frozen=True, slots=True)
class Sendable:
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
    numbers: Mapping[str, str] = field(default_factory=dict)  # draft id -> its number (dry run: would be)
    recovered: tuple[str, ...] = ()  # what the send put right in this clone after a killed run

    def number(self, invoice: Invoice) -> str:
        """The id the client sees: a draft's number once issued (or, in a dry run, its likely one)."""
        return self.numbers.get(invoice.id, invoice.id)

    @property
    def ok(self) -> bool:
        return not self.errors and all(d.status == "accepted" for d in self.deliveries)


def plan_sending(
    ledger: Ledger,
    today: date,
    uncommitted: Collection[str] = (),
    approved: Mapping[str, int] | None = None,
) -> SendPlan:
    """Issued invoices whose email has not been accepted yet first, in number order; then
    the drafts in the order they were approved (`approved`: rank by file path; without it,
    by draft date). A draft that waits holds back no other (docs/spec.md §5.4)."""
    paused = pausing_exceptions(ledger.exceptions, today)
    send, blocked = [], []
    drafts = [invoice for invoice in ledger.invoices if invoice.status == "draft"]
    for invoice in sorted(drafts, key=lambda inv: _send_order(ledger, inv, approved)):
        reason = _waits(ledger, invoice, today, uncommitted, paused)
        if reason is None:
            client = ledger.clients[invoice.client]
            send.append(Sendable(invoice, client.email, client.cc, invoice_total(invoice)))
        else:
            blocked.append(Blocked(invoice, reason))
    return SendPlan(tuple(send), tuple(blocked))


def _send_order(
    ledger: Ledger, invoice: Invoice, approved: Mapping[str, int] | None
) -> tuple[int, int, int, date, str]:
    if invoice.numbered:
        year, number = parse_number(ledger.policy.numbering, invoice.id) or (invoice.issue_date.year, 0)
        return 0, year, number, invoice.issue_date, invoice.id
    rank = (approved or {}).get(invoice.path, len(approved or ()))
    return 1, rank, 0, invoice.issue_date, invoice.id


def issued_in_turn(ledger: Ledger, drafts: Iterable[Invoice], today: date) -> dict[str, Invoice]:
    """For a preview: each draft (by its id) as it would be issued today, in the order given,
    each taking the number after the one before (another run may take them first: they are
    taken only when issued). A draft that cannot be issued today is left out."""
    found: dict[str, Invoice] = {}
    for draft in drafts:
        try:
            found[draft.id] = issued(ledger, draft, today, [inv.id for inv in found.values()])
        except CannotIssue:
            continue
    return found


class CannotIssue(LedgeropsError):
    pass


def issued(ledger: Ledger, draft: Invoice, today: date, also_taken: Iterable[str] = ()) -> Invoice:
    """The draft as it is issued today: the next number of today's year (numbers are never
    reused), dated today, due as many days later as the approved draft was. CannotIssue
    when an invoice of the year is already dated after today: numbers follow issue dates."""
    template = ledger.policy.numbering
    year = today.year
    taken = [*ledger.broken_invoices, *also_taken]
    for invoice in ledger.invoices:  # one pass: a run issues drafts one at a time, each on the whole ledger
        parsed = parse_number(template, invoice.id)
        if parsed is None or parsed[0] != year:
            continue
        taken.append(invoice.id)
        if invoice.issue_date > today:
            raise CannotIssue(f"{invoice.id} is already dated {invoice.issue_date}, after today ({today}); "
                              "invoices are numbered in the order of their issue dates")  # fmt: skip
    number = next_number(template, year, taken)
    return replace(
        draft,
        id=number,
        drafted_as=draft.id,
        issue_date=today,
        due_date=today + (draft.due_date - draft.issue_date),
        path=invoice_path(number, year),
    )


def _waits(
    ledger: Ledger,
    invoice: Invoice,
    today: date,
    uncommitted: Collection[str],
    paused: dict[str, ExceptionCase],
) -> Diagnostic | None:
    """Why an approved-looking draft is not sent today, or None. Checked in this order; an
    issued invoice is past the checks of its date."""
    client = ledger.clients[invoice.client]
    stale_days = ledger.policy.review.stale_draft_days
    if invoice.path in uncommitted:
        return diag("send-not-approved", invoice.at("id"),
                    f"{invoice.id} has changes that are not committed")  # fmt: skip
    if invoice.hold:
        return diag("send-on-hold", invoice.at("hold"), f"{invoice.id} is on hold: {invoice.hold}")
    case = pausing_case(paused, invoice)
    if case is not None:
        return diag("send-open-exception", invoice.at("status"),
                    f"{invoice.id} is paused by {case.id} ({case.reason})")  # fmt: skip
    if client.po_required and not invoice.po_number:
        return diag("send-po-missing", invoice.at("id"),
                    f"{invoice.id}: client '{client.id}' requires a PO number")  # fmt: skip
    if today.weekday() >= 5 and not ledger.policy.reminders.send_on_weekends:
        return diag("send-weekend", invoice.at("id"),
                    f"{invoice.id} waits for Monday: no email goes to a client on a weekend "
                    "(reminders.send_on_weekends is false)")  # fmt: skip
    if invoice.numbered:
        return None
    if invoice.issue_date > today:
        return diag("send-future-issue", invoice.at("issue_date"),
                    f"{invoice.id} is dated {invoice.issue_date}, after today")  # fmt: skip
    if (today - invoice.issue_date).days > stale_days:
        return diag("send-stale-draft", invoice.at("issue_date"),
                    f"{invoice.id} is dated {invoice.issue_date}, more than {stale_days} days ago")  # fmt: skip
    return None
