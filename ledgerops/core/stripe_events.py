"""What each Stripe event means for the ledger (pure): a succeeded payment becomes a line that
`payments import`'s matching records, a failed payment a `payment_failed` case, a dispute a
`dispute` case; everything keyed on Stripe's own ids, so no overlap of syncs records twice.

Only what the payment names is used to find its invoice: the metadata `invoice_id` or
`reference` (the invoice's RF creditor reference) and the Checkout Session's
`client_reference_id`, which a payment link carries. Nothing is guessed from amounts or names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledgerops.core.bank import BankLine, one_line
from ledgerops.core.model import Ledger
from ledgerops.core.money import minor_units
from ledgerops.core.reference import compact, is_valid, reference_body

PAID = ("checkout.session.completed", "payment_intent.succeeded", "invoice.paid")
FAILED = "payment_intent.payment_failed"
DISPUTE = "charge.dispute.created"
EVENT_TYPES = (*PAID, FAILED, DISPUTE)
METHOD = "card"
SOURCE = "payments sync stripe"
HINT_KEYS = ("invoice_id", "reference")  # metadata keys that name the invoice


@dataclass(frozen=True, slots=True)
class StripeItem:
    """One event, read: what happened to which Stripe object."""

    event: str  # the event's id (evt_...)
    type: str
    created: int  # Unix time
    kind: str  # payment, failed, dispute or ignored
    object_id: str  # what payments and cases are keyed on: the PaymentIntent where there is one
    amount: Decimal
    currency: str
    date: date
    hints: tuple[str, ...] = ()  # invoice ids or references the payment carries
    payment_intent: str | None = None  # a dispute's payment
    charge: str | None = None
    detail: str = ""  # why a payment failed, what a dispute is about, why an event is ignored


@dataclass(frozen=True, slots=True)
class CaseToOpen:
    invoice: str
    reason: str  # payment_failed or dispute
    note: str
    source: str  # `payments sync stripe <object id>`: one case per failed payment or dispute


@dataclass(frozen=True, slots=True)
class Unrouted:
    """A failed payment or dispute that names none of our invoices: listed for a person."""

    item: StripeItem
    why: str


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _hints(obj: Mapping[str, Any]) -> tuple[str, ...]:
    metadata = _mapping(obj.get("metadata"))
    found = [_text(metadata.get(key)) for key in HINT_KEYS] + [_text(obj.get("client_reference_id"))]
    return tuple(dict.fromkeys(h for h in found if h))


def amount_of(minor: Any, currency: str) -> Decimal:
    """Stripe's integer amount in the currency's smallest unit, as money (1999 EUR -> 19.99)."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        return Decimal(0)
    return Decimal(minor).scaleb(-minor_units(currency))


def _id(value: Any) -> str | None:
    """An id, whether the API gave it as a string or expanded it into its object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def read_event(event: Mapping[str, Any]) -> StripeItem:
    kind_of = {t: "payment" for t in PAID} | {FAILED: "failed", DISPUTE: "dispute"}
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    stamp = event.get("created")
    created = stamp if isinstance(stamp, int) and 0 <= stamp < 2**40 else 0
    ident, typ = _text(event.get("id")) or "?", _text(event.get("type"))
    when = datetime.fromtimestamp(created, UTC).date()
    if not isinstance(obj, Mapping) or not _id(obj):
        return StripeItem(
            ident, typ, created, "ignored", ident, Decimal(0), "", when, detail="no data.object"
        )
    currency = _text(obj.get("currency")).upper()
    own = _id(obj) or ident
    pi = _id(obj.get("payment_intent"))
    base = StripeItem(ident, typ, created, kind_of.get(typ, "ignored"), own, Decimal(0), currency, when,
                      _hints(obj), pi, _id(obj.get("charge")))  # fmt: skip
    if typ == "checkout.session.completed":
        if obj.get("payment_status") != "paid":
            return replace(
                base, kind="ignored", detail=f"payment_status {obj.get('payment_status')}: not paid yet"
            )
        return replace(base, object_id=pi or own, amount=amount_of(obj.get("amount_total"), currency))
    if typ == "payment_intent.succeeded":
        return replace(base, amount=amount_of(obj.get("amount_received", obj.get("amount")), currency))
    if typ == "invoice.paid":
        return replace(base, object_id=pi or own, amount=amount_of(obj.get("amount_paid"), currency))
    if typ == FAILED:
        error = _mapping(obj.get("last_payment_error"))
        why = _text(error.get("message")) or _text(error.get("code")) or "no reason given"
        return replace(base, amount=amount_of(obj.get("amount"), currency), detail=one_line(why, 120))
    if typ == DISPUTE:
        why = _text(obj.get("reason")) or "no reason given"
        return replace(base, amount=amount_of(obj.get("amount"), currency), detail=why)
    return replace(base, detail=f"event type '{typ}' is not synced")


def payment_lines(items: Iterable[StripeItem]) -> tuple[list[BankLine], dict[str, list[StripeItem]]]:
    """One line per paid Stripe object (a Checkout Session and its PaymentIntent are one
    payment), carrying the invoice ids and references of all its events; the line's id is
    the object's id, recorded as the payment's import_id. Also: the events of each line."""
    events: dict[str, list[StripeItem]] = {}
    for item in items:
        if item.kind == "payment":
            events.setdefault(item.object_id, []).append(item)
    lines = []
    for object_id, group in events.items():
        first = next((i for i in group if i.amount > 0), group[0])
        hints = tuple(dict.fromkeys(h for i in group for h in i.hints))
        lines.append(BankLine(f"stripe {first.event}", first.date, first.amount, first.currency, "credit",
                              text=" ".join(hints), bank_ref=object_id, id=object_id))  # fmt: skip
    return lines, events


def invoice_named(hints: Sequence[str], ledger: Ledger) -> str | None:
    """The one invoice the hints name: its number (spaces, dashes, case aside) or its RF reference."""
    by_number = {compact(inv.id): inv.id for inv in ledger.invoices}
    by_body = {reference_body(inv.id): inv.id for inv in ledger.invoices}
    found = []
    for hint in hints:
        key = compact(hint)
        if key in by_number:
            found.append(by_number[key])
        elif is_valid(key) and key[4:] in by_body:
            found.append(by_body[key[4:]])
    named = set(found)
    return found[0] if len(named) == 1 else None


def cases_for(
    items: Iterable[StripeItem], ledger: Ledger, recorded: Mapping[str, str]
) -> tuple[list[CaseToOpen], list[Unrouted]]:
    """A case per failed payment and per dispute whose invoice is known, once: none when a
    case of the same source exists already. A dispute's invoice is the one its payment was
    recorded on (in the ledger, or in `recorded`: import id -> invoice, by this sync), else
    the one its metadata names."""
    known = {case.source for case in ledger.exceptions}
    by_import = {p.import_id: inv.id for inv in ledger.invoices for p in inv.payments if p.import_id}
    by_import.update(recorded)
    reasons = ledger.policy.exceptions.reasons
    cases: list[CaseToOpen] = []
    unrouted: list[Unrouted] = []
    for item in items:
        if item.kind not in ("failed", "dispute"):
            continue
        reason = "payment_failed" if item.kind == "failed" else "dispute"
        source = f"{SOURCE} {item.object_id}"
        if source in known:
            continue
        invoice = None
        if item.kind == "dispute":
            invoice = by_import.get(item.payment_intent or "") or by_import.get(item.charge or "")
        invoice = invoice or invoice_named(item.hints, ledger)
        if invoice is None:
            unrouted.append(Unrouted(item, "names none of our invoices"))
            continue
        if reason not in reasons:
            unrouted.append(Unrouted(item, f"'{reason}' is not in policy.exceptions.reasons"))
            continue
        what = "payment failed" if item.kind == "failed" else "dispute opened"
        note = (f"Stripe {what}: {item.amount} {item.currency} on {item.date} ({item.object_id}, "
                f"event {item.event}): {item.detail}")  # fmt: skip
        cases.append(CaseToOpen(invoice, reason, note, source))
        known.add(source)
    return cases, unrouted


def cursor_after(items: Sequence[StripeItem], cursor: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The newest event synced: the next sync asks for events from its second on (Stripe's
    `created[gte]`), and the ids already recorded drop what it sees again."""
    if not items:
        return dict(cursor) if cursor else None
    newest = max(items, key=lambda i: (i.created, i.event))
    return {"event": newest.event, "created": newest.created}
