"""The records of a ledger as frozen values that remember where each field was written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ledgerops.core.located import Located
from ledgerops.core.policy import Policy


@dataclass(frozen=True, slots=True)
class Milestone:
    """A deliverable of a client's project, with the amount a draft bills for it."""

    description: str
    amount: Decimal | None = None
    tax_rate: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class Project:
    """A client's project: its name and milestones, used to pre-fill drafts."""

    name: str = ""
    milestones: Mapping[str, Milestone] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Client(Located):
    """clients/<id>.yaml (docs/spec.md §2.1)."""

    id: str
    name: str
    email: tuple[str, ...]
    segment: str
    cc: tuple[str, ...] = ()
    currency: str | None = None
    locale: str | None = None
    terms_days: int | None = None
    terms_exception: str | None = None
    po_required: bool = False
    reminders: bool = True
    address: str | None = None
    tax_id: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    tax_treatment: str | None = None  # the reason of its 0 % lines (core/taxes.py)
    iban: str | None = None  # the account the client pays from (payments import)
    einvoice: str | None = None  # one of policy.EINVOICE_FORMATS; default the policy's
    peppol_id: str | None = None  # "scheme:id" (BT-49 with its EAS scheme); default from tax_id
    projects: Mapping[str, Project] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Line:
    """One invoice line; its net is quantity × unit_price, rounded per currency."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = Decimal("0")
    tax_reason: str | None = None  # why a 0 % line is untaxed; default: the client's tax_treatment


@dataclass(frozen=True, slots=True)
class ServicePeriod:
    """When the billed service was performed, from the first to the last day."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received on an invoice."""

    date: date
    amount: Decimal
    method: str | None = None
    ref: str | None = None
    import_id: str | None = None  # the bank line it came from (payments import)


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    """A reminder email the mail server accepted (written by the tool only)."""

    stage: str
    sent_at: datetime
    message_id: str | None = None
    via: str | None = None  # smtp | outbox; None in records written before it was recorded
    to: str | None = None  # the recipients, To and Cc


@dataclass(frozen=True, slots=True)
class Claim:
    """An email about to leave, written and committed before it is sent (docs/spec.md §6.7).

    The run that wrote it replaces it by a reminder (or `sent_at`) once the mail server
    answered; a claim left behind means the outcome is unknown.
    """

    stage: str  # a reminder stage, or "invoice" for the invoice email
    claimed_at: datetime
    run: str  # "<host>:<pid>" of the run that claimed it
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class LateFee:
    """A late fee charged on an invoice (written by the tool only)."""

    date: date
    amount: Decimal
    rule: str = "late_fee"


@dataclass(frozen=True, slots=True)
class Credited:
    """What a credit note on the ledger takes off its invoice: set when the ledger is loaded
    (app/load.py), never written in the invoice's file."""

    note: str  # the credit note's id (a draft's or its number)
    date: date  # the credit note's issue date (a draft: the day it was written)
    amount: Decimal  # incl. tax, positive


@dataclass(frozen=True, slots=True)
class Invoice(Located):
    """invoices/drafts/<draft id>.yaml, then invoices/<year>/<number>.yaml once issued
    (docs/spec.md §2.2); its state is derived, never stored."""

    id: str
    client: str
    issue_date: date
    due_date: date
    currency: str
    lines: tuple[Line, ...]
    status: str = "draft"
    project: str | None = None
    milestone: str | None = None
    po_number: str | None = None
    sent_at: datetime | None = None
    sent_via: str | None = None  # as ReminderRecord.via, for the invoice email
    sent_to: str | None = None
    hold: str | None = None
    terms_exception: str | None = None
    payments: tuple[Payment, ...] = ()
    reminders: tuple[ReminderRecord, ...] = ()
    late_fees: tuple[LateFee, ...] = ()
    voided_at: date | None = None
    void_reason: str | None = None
    claims: tuple[Claim, ...] = ()
    service_date: date | None = None
    service_period: ServicePeriod | None = None
    note: str | None = None  # printed on the invoice
    drafted_as: str | None = None  # set when the tool issues a draft: the draft's id
    issued_digest: str | None = None  # set at issue: core/immutable.py
    credited: tuple[Credited, ...] = ()  # from credit-notes/, not from this file

    @property
    def numbered(self) -> bool:
        """Issued: it carries its number (a draft has none until it is issued)."""
        return self.status != "draft" or self.drafted_as is not None


@dataclass(frozen=True, slots=True)
class CreditNote(Located):
    """credit-notes/drafts/DRAFT-CN-<invoice>-<k>.yaml, then credit-notes/<year>/<number>.yaml
    once issued (docs/spec.md §2.6). Its lines are what it credits, as positive amounts."""

    id: str
    credits: str  # the invoice's number
    client: str
    currency: str
    issue_date: date
    reason: str  # one of policy.credit_reasons
    lines: tuple[Line, ...]
    case: str | None = None  # the exception case that led to it
    note: str | None = None  # printed on the credit note
    status: str = "draft"
    sent_at: datetime | None = None
    sent_via: str | None = None
    sent_to: str | None = None
    claims: tuple[Claim, ...] = ()
    drafted_as: str | None = None
    issued_digest: str | None = None

    @property
    def numbered(self) -> bool:
        return self.status != "draft" or self.drafted_as is not None


@dataclass(frozen=True, slots=True)
class ExceptionCase(Located):
    """exceptions/<id>.yaml (docs/spec.md §2.3): while open, its invoice gets no automatic message."""

    id: str
    invoice: str | None  # None only for an unmatched_payment: money that names no invoice
    reason: str
    opened_at: date
    status: str = "open"
    source: str | None = None
    note: str | None = None
    resolved_at: date | None = None
    resolution: str | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Ledger:
    """Everything that loaded, plus the ids of records whose files could not be read.

    The broken ids keep one bad file from causing a cascade of 'unknown client' errors.
    """

    policy: Policy
    clients: Mapping[str, Client]
    invoices: tuple[Invoice, ...]
    exceptions: tuple[ExceptionCase, ...]
    broken_clients: frozenset[str] = frozenset()
    broken_invoices: frozenset[str] = frozenset()
    credit_notes: tuple[CreditNote, ...] = ()
