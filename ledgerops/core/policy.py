"""The billing policy, with the defaults docs/spec.md §3 gives to every field but `company`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ledgerops.core.located import Located


@dataclass(frozen=True, slots=True)
class Company:
    """Who issues the invoices (`company`)."""

    name: str
    email: str
    address: str | None = None
    tax_id: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, e.g. DE
    contact_name: str | None = None  # BT-41, which XRechnung and German Peppol invoices require
    phone: str | None = None  # BT-42, likewise
    peppol_id: str | None = None  # "scheme:id", e.g. 0208:0123456749; default from tax_id


# The e-invoice a client gets (`einvoice` on the client, default the policy's): none, or an
# EN 16931 syntax — Factur-X/ZUGFeRD (CII in a PDF/A-3), XRechnung CII, Peppol BIS 3.0 UBL.
EINVOICE_FORMATS = ("none", "factur-x", "xrechnung-cii", "peppol-ubl")


@dataclass(frozen=True, slots=True)
class TaxReasons:
    """The legal text printed for each reason of a 0 % line (`tax_reasons`, core/taxes.py)."""

    reverse_charge: str | None = None
    intra_eu: str | None = None
    export: str | None = None
    exempt: str | None = None  # no default: the exemption's legal basis differs by country


@dataclass(frozen=True, slots=True)
class Terms:
    """Payment terms in days (`terms`): the default and the ones a client may have."""

    default_days: int = 30
    allowed_days: tuple[int, ...] = (14, 30)


@dataclass(frozen=True, slots=True)
class Bank:
    """The account shown on invoices and in the EPC payment QR code (`bank`)."""

    iban: str
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A client segment (`segments.<name>`): whether its drafts need a review."""

    review: bool = False


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the reminder sequence, in days relative to the due date."""

    stage: str
    offset_days: int
    manual: bool = False


DEFAULT_SEQUENCE = (
    Stage("pre_due", -3),
    Stage("due", 0),
    Stage("overdue_7", 7),
    Stage("overdue_14", 14),
    Stage("final_notice", 30, manual=True),
)


@dataclass(frozen=True, slots=True)
class Reminders:
    """The reminder schedule (`reminders`, docs/spec.md §6)."""

    sequence: tuple[Stage, ...] = DEFAULT_SEQUENCE
    min_gap_days: int = 2
    send_on_weekends: bool = False


@dataclass(frozen=True, slots=True)
class LateFeeRule:
    """Whether and how a late fee is charged (`late_fee`): percent or flat."""

    enabled: bool = False
    kind: str = "percent"
    value: Decimal = Decimal("0")
    grace_days: int = 7


DEFAULT_REASONS = (
    "po_mismatch", "legal_review", "procurement", "payment_failed", "dispute",
    "promise_to_pay", "delivery_unknown", "final_escalation", "unmatched_payment", "other",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExceptionsPolicy:
    """The reason codes an exception case may have (`exceptions`)."""

    reasons: tuple[str, ...] = DEFAULT_REASONS


@dataclass(frozen=True, slots=True)
class Notify:
    """Where the founder's alerts and weekly digest go (`notify`); default company.email;
    and after how many days without a completed daily run to say so."""

    email: str | None = None
    heartbeat_days: int = 3


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class Review:
    """The weekly review's buckets, windows and alert thresholds (`review`)."""

    aging_buckets: tuple[int, ...] = (30, 60, 90)
    dso_window_days: int = 90
    on_time_window_days: int = 28
    weekday: str = "friday"
    drift_weeks: int = 2
    drift_min_dso_days: Decimal = Decimal(2)  # the least DSO rise over the drift weeks to alert on
    drift_min_on_time_points: Decimal = Decimal(5)  # the least on-time fall, in percentage points
    stale_draft_days: int = 7
    stale_hold_days: int = 14


# Why an invoice is credited (`credit_reasons`): a credit note names one.
DEFAULT_CREDIT_REASONS = ("discount", "correction", "cancellation", "goodwill", "duplicate")

# The payment methods an invoice can tell a client how to use: bank_transfer prints the
# bank details (and the EPC QR code), card the payment link.
PAYMENT_METHODS = ("bank_transfer", "card")


@dataclass(frozen=True, slots=True)
class Policy(Located):
    """policy.yaml: every field has the default docs/spec.md §3 gives it but `company`."""

    company: Company
    currency: str = "EUR"
    currencies: tuple[str, ...] = ("EUR",)
    timezone: str = "UTC"
    terms: Terms = Terms()
    payment_methods: tuple[str, ...] = ("bank_transfer",)
    payment_link: str | None = None
    bank: Bank | None = None
    approval_branch: str = "main"
    numbering: str = "INV-{year}-{seq:04d}"
    credit_note_numbering: str = "CN-{year}-{seq:04d}"
    credit_reasons: tuple[str, ...] = DEFAULT_CREDIT_REASONS
    segments: Mapping[str, Segment] = field(
        default_factory=lambda: {"strategic": Segment(True), "standard": Segment(False)}
    )
    reminders: Reminders = Reminders()
    late_fee: LateFeeRule = LateFeeRule()
    exceptions: ExceptionsPolicy = ExceptionsPolicy()
    review: Review = Review()
    tax_reasons: TaxReasons = TaxReasons()
    notify: Notify = Notify()
    einvoice: str = "none"  # one of EINVOICE_FORMATS: the default of clients without one

    @property
    def notify_email(self) -> str:
        return self.notify.email or self.company.email
