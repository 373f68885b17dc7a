"""Credit notes (docs/spec.md §2.6): their ids and files, what they take off their invoices,
the lines `ledgerops credit` writes, and the rules `check` applies to them.

A credit note on the ledger, draft or issued, reduces its invoice's balance from its issue
date on (a draft's: the day it was written), so no reminder asks for money already credited.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ledgerops.core.amounts import fee_amount, invoice_total, line_net, paid_amount, totals
from ledgerops.core.checks import InvoiceFacts, check_number_series
from ledgerops.core.diagnostics import Diagnostic, diag
from ledgerops.core.immutable import credit_note_changed
from ledgerops.core.model import Credited as CreditOn
from ledgerops.core.model import CreditNote, Invoice, Line
from ledgerops.core.money import ZERO, round_money
from ledgerops.core.policy import Policy
from ledgerops.core.saved import Saved

CREDIT_DRAFTS = "credit-notes/drafts"
CREDIT_DRAFT_PREFIX = "DRAFT-CN-"
_HUNDRED = Decimal(100)


def credit_draft_id(invoice_id: str, taken: Collection[str]) -> str:
    """DRAFT-CN-<invoice>-<k>: the first k not taken by another credit note of the invoice."""
    k = 1
    while f"{CREDIT_DRAFT_PREFIX}{invoice_id}-{k}" in taken:
        k += 1
    return f"{CREDIT_DRAFT_PREFIX}{invoice_id}-{k}"


def credit_draft_path(note_id: str) -> str:
    return f"{CREDIT_DRAFTS}/{note_id}.yaml"


def credit_note_path(number: str, year: int) -> str:
    return f"credit-notes/{year}/{number}.yaml"


def with_credits(invoices: Iterable[Invoice], notes: Iterable[CreditNote]) -> tuple[Invoice, ...]:
    """The invoices, each issued one with what the credit notes naming it take off it (and
    nothing else: credits it carried from an earlier reading are replaced)."""
    by_invoice: dict[str, list[CreditOn]] = {}
    for note in sorted(notes, key=lambda n: (n.issue_date, n.id)):
        by_invoice.setdefault(note.credits, []).append(
            CreditOn(note.id, note.issue_date, invoice_total(note))
        )
    result = []
    for inv in invoices:
        credited = tuple(by_invoice.get(inv.id, ())) if inv.numbered and inv.status != "void" else ()
        result.append(inv if credited == inv.credited else replace(inv, credited=credited))
    return tuple(result)


def creditable(invoice: Invoice, other_notes: Iterable[CreditNote] = ()) -> Decimal:
    """What may still be credited on the invoice: its total and late fees less every other
    credit note on it. Beyond what is unpaid, a credit is a refund due to the client."""
    return invoice_total(invoice) + fee_amount(invoice) - sum((invoice_total(n) for n in other_notes), ZERO)


# --- the lines a credit note gets -------------------------------------------------------


@dataclass(frozen=True)
class Credited:
    """What `ledgerops credit` did."""

    invoice: Invoice
    note: CreditNote
    problems: tuple[Diagnostic, ...]  # errors: nothing was written
    written: bool
    balance: Decimal | None = None  # the invoice's, with the credit note; below 0: a refund due
    saved: Saved = field(default_factory=Saved)


class CreditProblem(ValueError):
    """Why the lines asked for cannot be credited (the command says so and changes nothing)."""


def lines_for_amount(invoice: Invoice, amount: Decimal, reason: str) -> tuple[Line, ...]:
    """One line whose total, tax included, is exactly `amount`, at the invoice's one tax rate."""
    rates = {line.tax_rate.normalize() for line in invoice.lines}
    if len(rates) != 1:
        listed = ", ".join(f"{rate} %" for rate in sorted(rates))
        raise CreditProblem(
            f"{invoice.id} bills at several tax rates ({listed}), so an amount alone does not say "
            "how much tax it credits; credit whole lines with --lines N[,N...] instead"
        )
    line = invoice.lines[0]
    net = _net_for_total(amount, line.tax_rate, invoice.currency)
    return (Line(f"Credit on {invoice.id}: {reason}", Decimal(1), net, line.tax_rate, line.tax_reason),)


def _net_for_total(total: Decimal, rate: Decimal, currency: str) -> Decimal:
    """A net that, with its tax rounded, adds up to `total`; the nearest one when no net does."""
    guess = round_money(total * _HUNDRED / (_HUNDRED + rate), currency)
    step = round_money(Decimal("0.01"), currency) or Decimal(1)
    candidates = [guess + k * step for k in (0, -1, 1, -2, 2)]
    for net in candidates:
        if net + round_money(net * rate / _HUNDRED, currency) == total:
            return net
    return guess


def lines_by_number(invoice: Invoice, numbers: Sequence[int]) -> tuple[Line, ...]:
    """The invoice's lines numbered 1, 2, ... as printed, each credited whole."""
    count = len(invoice.lines)
    wrong = [n for n in numbers if not 1 <= n <= count]
    if wrong:
        raise CreditProblem(f"{invoice.id} has lines 1 to {count}; there is no line {wrong[0]}")
    if len(set(numbers)) != len(numbers):
        raise CreditProblem("--lines names a line twice")
    return tuple(invoice.lines[n - 1] for n in numbers)


def lines_for_rest(invoice: Invoice, other_notes: Sequence[CreditNote]) -> tuple[Line, ...]:
    """Everything not yet credited: the invoice's lines when nothing was, else per tax rate the
    net still left, one line each."""
    if not other_notes:
        return invoice.lines
    billed = dict(totals(invoice).net_by_rate)
    for note in other_notes:
        for rate, net in totals(note).net_by_rate:
            billed[rate] = billed.get(rate, ZERO) - net
    reasons = {line.tax_rate.normalize(): line.tax_reason for line in invoice.lines}
    left = tuple(
        Line(f"Remainder of {invoice.id}", Decimal(1), net, rate, reasons.get(rate))
        for rate, net in sorted(billed.items())
        if net > 0
    )
    if not left:
        raise CreditProblem(f"{invoice.id} is credited in full already")
    return left


# --- check ------------------------------------------------------------------------------


def check_credit_notes(
    policy: Policy,
    notes: Sequence[CreditNote],
    invoices: Mapping[str, Invoice],
    known: Collection[str],
    broken: Collection[str],
    cases: Collection[str],
) -> list[Diagnostic]:
    """Every credit note's problems. `invoices`: the numbered invoices credited (by number);
    `known`: every invoice id and draft id; `broken`: ids of files that did not load;
    `cases`: the exception case ids."""
    found: list[Diagnostic] = []
    on_invoice: dict[str, list[CreditNote]] = {}
    for note in sorted(notes, key=lambda n: (n.issue_date, n.id)):
        found.extend(_check_file(note))
        found.extend(_check_content(note, policy, cases))
        invoice = invoices.get(note.credits)
        if invoice is None:
            if note.credits in broken:
                continue
            if note.credits in known:
                found.append(diag("credit-of-draft", note.at("credits"),
                                  f"{note.credits} is a draft: it has nothing to credit until it is issued"))  # fmt: skip
            else:
                found.append(diag("credit-unknown-invoice", note.at("credits"),
                                  f"there is no invoice {note.credits}"))  # fmt: skip
            continue
        earlier = on_invoice.setdefault(invoice.id, [])
        found.extend(credit_problems(note, invoice, earlier))
        earlier.append(note)
    found.extend(
        check_number_series(
            [_facts(note) for note in notes], policy.credit_note_numbering, broken, "credit notes"
        )
    )
    return found


def credit_problems(note: CreditNote, invoice: Invoice, others: Sequence[CreditNote]) -> list[Diagnostic]:
    """What is wrong with crediting `invoice` by `note`, given its other credit notes."""
    found = []
    if invoice.status == "void" or not invoice.numbered:
        state = "void" if invoice.status == "void" else "a draft"
        return [
            diag(
                "credit-of-draft", note.at("credits"), f"{invoice.id} is {state}: there is nothing to credit"
            )
        ]
    if note.currency != invoice.currency or note.client != invoice.client:
        found.append(diag("credit-currency", note.at("currency" if note.currency != invoice.currency else "client"),
                          f"{note.id} is in {note.currency} for {note.client}, but {invoice.id} is in "
                          f"{invoice.currency} for {invoice.client}"))  # fmt: skip
    rates = {line.tax_rate.normalize() for line in invoice.lines}
    for index, line in enumerate(note.lines):
        if line.tax_rate.normalize() not in rates:
            found.append(diag("credit-tax-rate", note.at("lines", index, "tax_rate"),
                              f"{invoice.id} has no line at {line.tax_rate} % tax"))  # fmt: skip
    left = creditable(invoice, others)
    amount = invoice_total(note)
    if amount > left:
        unpaid = left - paid_amount(invoice)
        found.append(diag("credit-exceeds-invoice", note.at("lines"),
                          f"{note.id} credits {amount} {note.currency}, but at most {left} of {invoice.id} "
                          f"is left to credit ({max(unpaid, ZERO)} of it unpaid)"))  # fmt: skip
    return found


def _check_file(note: CreditNote) -> Iterator[Diagnostic]:
    stem = note.path.rsplit("/", 1)[-1].removesuffix(".yaml")
    if note.id != stem:
        yield diag("id-mismatch", note.at("id"), f"id '{note.id}' but the file is {note.path}")
    in_drafts = note.path.startswith(f"{CREDIT_DRAFTS}/")
    if not note.numbered:
        if not in_drafts or not note.id.startswith(CREDIT_DRAFT_PREFIX):
            yield diag("credit-draft-numbered", note.at("id"),
                       f"{note.id} is a draft: its id is DRAFT-CN-<invoice>-<k> and its file is in "
                       f"{CREDIT_DRAFTS}/ until send or run issues it")  # fmt: skip
        return
    expected = f"credit-notes/{note.issue_date.year}/"
    if note.id.startswith(CREDIT_DRAFT_PREFIX) or in_drafts:
        yield diag("credit-draft-numbered", note.at("id"),
                   f"{note.id} is {note.status} but is kept as a draft; an issued credit note has its "
                   f"number and lives in {expected}")  # fmt: skip
    elif not note.path.startswith(expected):
        yield diag("wrong-folder", note.at("issue_date"),
                   f"issued in {note.issue_date.year}, so the file belongs in {expected}")  # fmt: skip
    if credit_note_changed(note):
        yield diag("issued-changed", note.at("issued_digest"),
                   f"{note.id} was issued and what it credits has changed since")  # fmt: skip


def _check_content(note: CreditNote, policy: Policy, cases: Collection[str]) -> Iterator[Diagnostic]:
    if note.reason not in policy.credit_reasons:
        yield diag("unknown-credit-reason", note.at("reason"),
                   f"'{note.reason}' is not one of policy.credit_reasons: {', '.join(policy.credit_reasons)}")  # fmt: skip
    if note.case is not None and note.case not in cases:
        yield diag("credit-unknown-case", note.at("case"), f"there is no case exceptions/{note.case}.yaml")
    for index, line in enumerate(note.lines):
        if (
            line.quantity <= 0
            or line.unit_price < 0
            or line_net(line.quantity, line.unit_price, note.currency) < 0
        ):
            yield diag("credit-not-positive", note.at("lines", index),
                       f"line {index + 1} credits a negative amount: write what is credited as positive")  # fmt: skip
    if invoice_total(note) <= 0:
        yield diag("credit-not-positive", note.at("lines"), f"{note.id} credits nothing")


def _facts(note: CreditNote) -> InvoiceFacts:
    """A credit note as the number-series rule sees an invoice."""
    return InvoiceFacts(note.id, note.path, note.issue_date.year, note.status, note.client, None, None,
                        note.pos.get("id", 0), 0, note.issue_date.toordinal(), note.drafted_as)  # fmt: skip
