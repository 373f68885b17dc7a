"""Which invoice each bank line pays (pure): rules tried in order, the first that finds an
invoice decides, and each match names its rule and its evidence.

1. `reference`: the invoice's RF creditor reference, structured or in the text.
2. `invoice_number`: the invoice number in the remittance text (spaces, dashes, case ignored).
3. `payer_amount`: the payer (client IBAN or name) and the exact amount due of exactly one of
   that client's open invoices.
4. `payer_sum`: the payer and exactly one set of that client's open invoices whose amounts
   due add up to the transfer.

Only credits are applied. Another currency than the invoice's, returns, charge-backs and
debits are reported; ambiguous lines are listed; neither is ever applied. A line already
recorded (its id is on a payment) is a duplicate and records nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import combinations

from ledgerops.core.amounts import balance, invoice_total
from ledgerops.core.bank import BankLine, one_line
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.model import Client, Invoice, Ledger, Payment
from ledgerops.core.money import ZERO, round_money
from ledgerops.core.payments import payment_problems
from ledgerops.core.reference import compact, is_valid, reference_body

STATUSES = ("applied", "partial", "over", "ambiguous", "unmatched", "reported", "duplicate")
RULES = ("reference", "invoice_number", "payer_amount", "payer_sum")
# A client with more open invoices than this in one currency is not searched for a set
# that adds up (2^n subsets); such a transfer is listed as unmatched for a person.
MAX_SUM_INVOICES = 12
METHOD = "bank_transfer"
_RF = re.compile("RF[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Applied:
    """One payment to record: `amount` of the line on `invoice`."""

    invoice: str
    amount: Decimal
    payment: Payment


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one bank line."""

    line: BankLine
    status: str  # one of STATUSES
    rule: str | None = None  # one of RULES, when an invoice was found
    invoices: tuple[str, ...] = ()
    payments: tuple[Applied, ...] = ()  # what to record (applied, partial, over)
    evidence: str = ""
    looks_ours: bool = False  # unmatched, but a reference or invoice number was in it

    @property
    def records(self) -> bool:
        return bool(self.payments)


def name_key(name: str) -> str:
    """A payer name as compared with a client's: letters and digits, case and accents aside."""
    folded = name.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[\W_]+", "", folded)


def numbering_pattern(template: str) -> re.Pattern[str]:
    """What an invoice number of the policy's numbering looks like in compacted text."""
    parts = re.split(r"\{[^}]*\}", template)
    literal = [re.escape(compact(part)) for part in parts]
    return re.compile("[0-9]+".join(literal).replace("[0-9]+[0-9]+", "[0-9]+"))


class _Index:
    """Lookups built once per import, so a line costs a few dict probes, not a scan."""

    def __init__(self, ledger: Ledger, today: date) -> None:
        self.today = today
        self.by_body: dict[str, list[Invoice]] = {}  # the body of each invoice's RF reference
        self.by_number: dict[str, list[Invoice]] = {}
        self.left: dict[str, Decimal] = {}
        self.total: dict[str, Decimal] = {}
        # Open invoices by (client, currency), and by (client, currency, amount due): kept up
        # to date as lines pay them, so a payer's line costs dict probes, not a scan.
        self.open_by_client: dict[tuple[str, str], dict[str, Invoice]] = {}
        self.by_due: dict[tuple[str, str, Decimal], dict[str, Invoice]] = {}
        self.imported: set[str] = set()  # ids of the lines recorded on a payment
        self.seen: set[str] = set()  # ids of the lines of this import so far
        for invoice in ledger.invoices:
            number = compact(invoice.id)
            self.by_number.setdefault(number, []).append(invoice)
            self.by_body.setdefault(reference_body(invoice.id), []).append(invoice)
            self.imported.update(p.import_id for p in invoice.payments if p.import_id)
            total = self.total[invoice.id] = invoice_total(invoice)
            self.left[invoice.id] = balance(invoice, today, total) if invoice.status == "sent" else ZERO
            if invoice.status == "sent" and self.left[invoice.id] > 0:
                self._file(invoice)
        self.number_lengths = sorted({len(n) for n in self.by_number}, reverse=True)
        self.by_iban: dict[str, Client] = {}
        self.by_name: dict[str, list[Client]] = {}
        for client in ledger.clients.values():
            if client.iban:
                self.by_iban[client.iban.replace(" ", "").upper()] = client
            self.by_name.setdefault(name_key(client.name), []).append(client)
        self.looks_like_number = numbering_pattern(ledger.policy.numbering)
        # Where an invoice number may start: every position the numbering's shape matches at,
        # overlapping ones too, found by the regex engine rather than a loop over positions.
        self.number_starts = re.compile(f"(?=(?:{self.looks_like_number.pattern}))")
        self.policy = ledger.policy

    def _file(self, invoice: Invoice) -> None:
        left = self.left[invoice.id]
        self.open_by_client.setdefault((invoice.client, invoice.currency), {})[invoice.id] = invoice
        self.by_due.setdefault((invoice.client, invoice.currency, left), {})[invoice.id] = invoice

    def pay(self, invoice: Invoice, amount: Decimal) -> None:
        """What is left on the invoice after `amount` of this import."""
        key = (invoice.client, invoice.currency)
        self.by_due.get((*key, self.left[invoice.id]), {}).pop(invoice.id, None)
        self.open_by_client.get(key, {}).pop(invoice.id, None)
        self.left[invoice.id] -= amount
        if self.left[invoice.id] > 0:
            self._file(invoice)

    def references(self, line: BankLine) -> tuple[list[str], list[Invoice]]:
        """Valid RF references written on the line (the longest at each place), and the
        invoices whose reference they are."""
        seen: list[str] = []
        for text in (compact(line.reference or ""), compact(line.text)):
            for found in _RF.finditer(text):
                start = found.start()
                hit = next((text[start : start + n] for n in range(25, 4, -1)
                            if start + n <= len(text) and is_valid(text[start : start + n])), None)  # fmt: skip
                if hit and hit not in seen:
                    seen.append(hit)
        return seen, _unique(inv for ref in seen for inv in self.by_body.get(ref[4:], ()))

    def numbers(self, line: BankLine) -> tuple[bool, list[Invoice]]:
        """Whether invoice-number-like text is on the line, and the invoices it names."""
        text = compact(line.text) + " " + compact(line.reference or "")
        found: list[Invoice] = []
        starts = [m.start() for m in self.number_starts.finditer(text)]
        for start in starts:
            for n in self.number_lengths:
                candidates = self.by_number.get(text[start : start + n])
                if candidates:
                    found.extend(candidates)
                    break
        return bool(starts), _unique(found)

    def payer(self, line: BankLine) -> Client | None:
        if line.iban and line.iban in self.by_iban:
            return self.by_iban[line.iban]
        named = self.by_name.get(name_key(line.counterparty or "")) if line.counterparty else None
        return named[0] if named and len(named) == 1 else None


def _unique(invoices: Iterable[Invoice]) -> list[Invoice]:
    out: dict[str, Invoice] = {}
    for invoice in invoices:
        out.setdefault(invoice.id, invoice)
    return list(out.values())


def _payment(line: BankLine, amount: Decimal, methods: Sequence[str], method: str) -> Payment:
    ref = one_line(line.text, 80) or line.reference or line.bank_ref or None
    return Payment(line.date, amount, method if method in methods else None, ref, line.id)


def _exact(amount: Decimal, currency: str) -> Decimal:
    """The amount at the currency's minor unit when that loses nothing (480000.00 JPY -> 480000)."""
    rounded = round_money(amount, currency)
    return rounded if rounded == amount else amount


class _Matcher:
    def __init__(self, index: _Index, method: str) -> None:
        self.index = index
        self.method = method

    def apply(self, line: BankLine, rule: str, invoices: list[Invoice], evidence: str) -> Outcome:
        """Record the line on the named invoices, if it can be; otherwise say why not."""
        index = self.index
        ids = tuple(inv.id for inv in invoices)
        other = [inv for inv in invoices if inv.currency != line.currency]
        if other:
            return Outcome(line, "reported", rule, ids, evidence=f"{evidence}; {line.currency} received, "
                           f"{other[0].id} is in {other[0].currency}: not converted, not applied")  # fmt: skip
        closed = [inv for inv in invoices if index.left[inv.id] <= 0]
        if closed:
            what = {"void": "void", "draft": "a draft"}.get(closed[0].status, "paid in full")
            return Outcome(line, "unmatched", rule, ids, looks_ours=True,
                           evidence=f"{evidence}; but {closed[0].id} is {what}: nothing applied")  # fmt: skip
        amount = _exact(line.amount, line.currency)
        if len(invoices) == 1:
            invoice = invoices[0]
            left = index.left[invoice.id]
            status = "applied" if amount == left else "partial" if amount < left else "over"
            parts = [(invoice, amount)]
        else:
            due = sum((index.left[inv.id] for inv in invoices), ZERO)
            if amount != due:
                return Outcome(line, "ambiguous", rule, ids, evidence=f"{evidence}; {amount} {line.currency} "
                               f"is not the {due} due on them together")  # fmt: skip
            status, parts = "applied", [(inv, index.left[inv.id]) for inv in invoices]
        payments = []
        for invoice, part in parts:
            payment = _payment(line, part, index.policy.payment_methods, self.method)
            problems = payment_problems(invoice, payment, index.policy, index.today, index.total[invoice.id])
            if has_errors(problems):
                first = next(p for p in problems if p.severity == "error")
                return Outcome(
                    line, "reported", rule, ids, evidence=f"{evidence}; {first.code}: {first.message}"
                )
            payments.append(Applied(invoice.id, part, payment))
        for (invoice, _), applied in zip(parts, payments, strict=True):
            index.pay(invoice, applied.amount)
        left = sum((index.left[inv.id] for inv in invoices), ZERO)
        note = {"applied": "paid in full", "partial": f"{left} {line.currency} still due",
                "over": f"overpaid by {-left} {line.currency}"}[status]  # fmt: skip
        return Outcome(line, status, rule, ids, tuple(payments), f"{evidence}; {note}")

    def by_payer(self, line: BankLine) -> Outcome | None:
        index = self.index
        client = index.payer(line)
        if client is None:
            return None
        how = (
            f"IBAN {line.iban}" if line.iban and line.iban in index.by_iban else f"name '{line.counterparty}'"
        )
        who = f"payer {how} is client {client.id}"
        amount = _exact(line.amount, line.currency)
        exact = list(index.by_due.get((client.id, line.currency, amount), {}).values())
        if len(exact) == 1:
            return self.apply(line, "payer_amount", exact, f"{who}; {amount} {line.currency} is the amount due "
                              f"of {exact[0].id}, its only open invoice of that amount")  # fmt: skip
        if len(exact) > 1:
            return Outcome(line, "ambiguous", "payer_amount", tuple(inv.id for inv in exact),
                           evidence=f"{who}; {len(exact)} open invoices are due {amount} {line.currency}")  # fmt: skip
        candidates = list(index.open_by_client.get((client.id, line.currency), {}).values())
        if 2 <= len(candidates) <= MAX_SUM_INVOICES:
            sets = [group for size in range(2, len(candidates) + 1)
                    for group in combinations(candidates, size)
                    if sum((index.left[inv.id] for inv in group), ZERO) == amount]  # fmt: skip
            if len(sets) == 1:
                names = ", ".join(inv.id for inv in sets[0])
                return self.apply(line, "payer_sum", list(sets[0]),
                                  f"{who}; {amount} {line.currency} is what {names} are due together")  # fmt: skip
            if len(sets) > 1:
                ids = tuple(sorted({inv.id for group in sets for inv in group}))
                return Outcome(line, "ambiguous", "payer_sum", ids,
                               evidence=f"{who}; {len(sets)} sets of its open invoices add up to {amount}")  # fmt: skip
        return None

    def match(self, line: BankLine) -> Outcome:
        index = self.index
        if line.id in index.imported:
            return Outcome(line, "duplicate", evidence=f"bank line {line.id} is already recorded")
        if line.id in index.seen:
            return Outcome(line, "duplicate", evidence=f"bank line {line.id} was read already in this import")
        index.seen.add(line.id)
        refs, by_ref = index.references(line)
        like_number, by_number = index.numbers(line)
        if line.kind != "credit":
            named = tuple(inv.id for inv in (by_ref or by_number))
            return Outcome(
                line, "reported", None, named, evidence=f"a {line.kind}: never applied automatically"
            )
        if by_ref:
            shown = ", ".join(r for r in refs if r[4:] in index.by_body)
            return self.apply(line, "reference", by_ref, f"creditor reference {shown}")
        if by_number:
            names = ", ".join(inv.id for inv in by_number)
            return self.apply(line, "invoice_number", by_number, f"invoice number {names} in the text")
        found = self.by_payer(line)
        if found is not None:
            return found
        if refs or like_number:
            what = f"reference {refs[0]}" if refs else "an invoice number"
            return Outcome(line, "unmatched", looks_ours=True,
                           evidence=f"{what} in the line, but it is none of our open invoices")  # fmt: skip
        return Outcome(line, "unmatched", evidence="no reference, invoice number or known payer")


def match_lines(
    lines: Sequence[BankLine], ledger: Ledger, today: date, method: str = METHOD
) -> tuple[Outcome, ...]:
    """What each line does, in order; later lines see what earlier ones paid. `method` is
    the payment method recorded (when the policy knows it)."""
    matcher = _Matcher(_Index(ledger, today), method)
    return tuple(matcher.match(line) for line in lines)


def recorded_invoices(outcomes: Iterable[Outcome]) -> dict[str, list[Applied]]:
    """The payments to write, by invoice, in line order."""
    out: dict[str, list[Applied]] = {}
    for outcome in outcomes:
        for applied in outcome.payments:
            out.setdefault(applied.invoice, []).append(applied)
    return out
