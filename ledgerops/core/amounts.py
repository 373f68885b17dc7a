"""Invoice totals, balances and derived states (docs/spec.md §2.4, §2.5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledgerops.core.cases import open_at
from ledgerops.core.model import CreditNote, ExceptionCase, Invoice
from ledgerops.core.money import ZERO, round_money

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Totals:
    """An invoice's nets and taxes per tax rate, and its sums."""

    net_by_rate: tuple[tuple[Decimal, Decimal], ...]  # (tax rate, net at that rate)
    tax_by_rate: tuple[tuple[Decimal, Decimal], ...]  # (tax rate, tax at that rate)
    net: Decimal
    tax: Decimal
    total: Decimal


def line_net(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return round_money(quantity * unit_price, currency)


def totals(invoice: Invoice | CreditNote) -> Totals:
    """Nets per line, tax per rate on the sum of that rate's nets, each rounded half-up."""
    currency = invoice.currency
    nets: dict[Decimal, Decimal] = {}
    for line in invoice.lines:
        rate = line.tax_rate.normalize()
        nets[rate] = nets.get(rate, ZERO) + line_net(line.quantity, line.unit_price, currency)
    taxes = {rate: round_money(net * rate / _HUNDRED, currency) for rate, net in nets.items()}
    net = sum(nets.values(), ZERO)
    tax = sum(taxes.values(), ZERO)
    return Totals(tuple(sorted(nets.items())), tuple(sorted(taxes.items())), net, tax, net + tax)


def invoice_total(invoice: Invoice | CreditNote) -> Decimal:
    return totals(invoice).total


def paid_amount(invoice: Invoice, as_of: date | None = None) -> Decimal:
    return sum((p.amount for p in invoice.payments if as_of is None or p.date <= as_of), ZERO)


def fee_amount(invoice: Invoice, as_of: date | None = None) -> Decimal:
    return sum((f.amount for f in invoice.late_fees if as_of is None or f.date <= as_of), ZERO)


def credited_amount(invoice: Invoice, as_of: date | None = None) -> Decimal:
    """What the credit notes on the ledger take off the invoice (drafts too: docs/spec.md §2.6)."""
    return sum((c.amount for c in invoice.credited if as_of is None or c.date <= as_of), ZERO)


def balance(invoice: Invoice, as_of: date | None = None, total: Decimal | None = None) -> Decimal:
    """Total + late fees − payments − credit notes, counting only facts dated on or before
    `as_of`. Below zero when the client paid more than is left after the credits: a refund due.

    Pass `total` when the caller already has it: totals are the costly part.
    """
    if total is None:
        total = invoice_total(invoice)
    owed = total + fee_amount(invoice, as_of) - paid_amount(invoice, as_of)
    return owed - credited_amount(invoice, as_of) if invoice.credited else owed


def refund_due(invoice: Invoice, as_of: date | None = None, total: Decimal | None = None) -> Decimal:
    """What the client is owed back because credit notes exceed what was left unpaid."""
    if not invoice.credited:
        return ZERO
    return max(ZERO, -balance(invoice, as_of, total))


def pausing_exceptions(exceptions: Iterable[ExceptionCase], today: date) -> dict[str, ExceptionCase]:
    """Exceptions open on `today` that pause their invoice (through `until`, when it is set).

    "Open on today" is read from the dated facts (cases.open_at), so a past day — an
    `invoices --today` of last month, a replayed schedule — sees the pauses it had then.
    """
    pausing: dict[str, ExceptionCase] = {}
    for case in exceptions:
        if case.invoice and open_at(case, today) and (case.until is None or today <= case.until):
            pausing.setdefault(case.invoice, case)
    return pausing


def pausing_case(pausing: Mapping[str, ExceptionCase], invoice: Invoice) -> ExceptionCase | None:
    """The case that pauses the invoice, also when it was opened on its draft (before issue)."""
    case = pausing.get(invoice.id)
    if case is None and invoice.drafted_as is not None:
        case = pausing.get(invoice.drafted_as)
    return case


def derived_state(invoice: Invoice, today: date, paused: bool) -> str:
    """draft, void, credited, paid, on_hold, open, due or overdue; never stored (docs/spec.md
    §2.5). Credited: closed by credit notes with nothing paid."""
    if invoice.status == "void":
        return "void"
    if invoice.status == "draft":
        return "draft"
    if balance(invoice, today) <= 0:
        return "paid" if paid_amount(invoice, today) > 0 or not invoice.credited else "credited"
    if invoice.hold or paused:
        return "on_hold"
    if today < invoice.due_date:
        return "open"
    if today == invoice.due_date:
        return "due"
    return "overdue"
