"""Issued invoices do not change: the digest of what was billed, kept in the record.

When `send` or `run` issues a draft, it writes `issued_digest: sha256:<hex>` computed here
from the invoice as issued; `check` computes it again for every invoice that carries one
and errors (`issued-changed`) when the billed facts no longer match. Only the facts the
client was billed are in it — the number, client, currency, PO number, the issue, due and
service dates, and each line's description, quantity, unit price, tax rate and tax reason
(the amounts follow from these) — so payments, reminders, claims, `hold`, `status`,
`void_reason` and YAML comments or layout can change freely. Decimals are compared by
value (2500 and 2500.00 are the same price).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledgerops.core.model import CreditNote, Invoice, Line

PREFIX = "sha256:"


def issued_digest(invoice: Invoice) -> str:
    """`sha256:<hex>` of the billed facts of the invoice (see the module's docstring)."""
    period = invoice.service_period
    facts = {
        "v": 1,
        "id": invoice.id,
        "client": invoice.client,
        "currency": invoice.currency,
        "po_number": invoice.po_number,
        "issue_date": _day(invoice.issue_date),
        "due_date": _day(invoice.due_date),
        "service_date": _day(invoice.service_date),
        "service_period": [_day(period.start), _day(period.end)] if period else None,
        "lines": _lines(invoice.lines),
    }  # fmt: skip
    return _digest(facts)


def credit_note_digest(note: CreditNote) -> str:
    """`sha256:<hex>` of what an issued credit note credits: its number, the invoice, client,
    currency, issue date, reason and lines (its note, case and delivery records may change)."""
    facts = {
        "v": 1,
        "id": note.id,
        "credits": note.credits,
        "client": note.client,
        "currency": note.currency,
        "issue_date": _day(note.issue_date),
        "reason": note.reason,
        "lines": _lines(note.lines),
    }
    return _digest(facts)


def _lines(lines: tuple[Line, ...]) -> list[list[str | None]]:
    return [
        [line.description, _number(line.quantity), _number(line.unit_price), _number(line.tax_rate),
         line.tax_reason]
        for line in lines
    ]  # fmt: skip


def _digest(facts: dict[str, object]) -> str:
    import hashlib  # not at start-up: `check` imports it only for a ledger whose invoices carry a digest

    text = repr(sorted(facts.items()))  # a canonical text: keys sorted, values str, None or lists
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def issued_changed(invoice: Invoice) -> bool:
    """The invoice carries a digest and its billed facts no longer match it. An invoice
    issued before digests were written carries none and is not judged."""
    return invoice.issued_digest is not None and issued_digest(invoice) != invoice.issued_digest


def credit_note_changed(note: CreditNote) -> bool:
    return note.issued_digest is not None and credit_note_digest(note) != note.issued_digest


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value.is_finite() else str(value)
