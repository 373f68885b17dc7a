"""One line of a bank statement as a plain value, whatever file format it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from ledgerops.core.located import Located

# credit: money in; debit: money out; return: a direct debit or transfer that came back;
# chargeback: a card payment the payer's bank took back. Only credits are ever applied.
KINDS = ("credit", "debit", "return", "chargeback")


@dataclass(frozen=True, slots=True)
class BankLine:
    """A booked line. `amount` is the magnitude (> 0); `kind` says which way it went."""

    source: str  # where it was read: "FILE:LINE" or "FILE:/xml/path"
    date: date
    amount: Decimal
    currency: str
    kind: str
    counterparty: str | None = None  # the payer's (or payee's) name
    iban: str | None = None  # the payer's account
    text: str = ""  # unstructured remittance information
    reference: str | None = None  # the structured creditor reference (RF...), when given
    bank_ref: str | None = None  # the bank's own reference of the entry
    id: str = ""  # stable: see with_ids


def _normalised(line: BankLine) -> str:
    parts = (line.date.isoformat(), str(line.amount), line.currency, line.kind, line.counterparty or "",
             line.iban or "", " ".join(line.text.split()), line.reference or "")  # fmt: skip
    return "\x1f".join(parts)


def with_ids(lines: Iterable[BankLine]) -> tuple[BankLine, ...]:
    """Give every line its stable id: the bank's entry reference where there is one, else
    a digest of the line and its occurrence number among identical lines of the statement.

    The occurrence number, not the row number, keeps the id the same when a later
    statement overlaps this one and the line sits at another row, while two identical
    transfers on one day still get two ids."""
    import hashlib  # here: `check` loads this module (for CsvRules) and needs no digests

    seen: dict[str, int] = {}
    done = []
    for line in lines:
        if line.bank_ref:
            key = f"ref\x1f{line.bank_ref}"
            seen[key] = seen.get(key, 0) + 1
            ident = line.bank_ref if seen[key] == 1 else f"{line.bank_ref}#{seen[key]}"
        else:
            key = _normalised(line)
            seen[key] = seen.get(key, 0) + 1
            digest = hashlib.sha256(f"{key}\x1f{seen[key]}".encode()).hexdigest()
            ident = f"sha256:{digest[:24]}"
        done.append(replace(line, id=ident))
    return tuple(done)


def one_line(text: str, limit: int = 140) -> str:
    """Remittance text as one line of at most `limit` characters (it ends up in YAML)."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


SIGNS = ("signed", "inverted", "in_out", "indicator")
FIELDS = ("date", "amount", "amount_in", "amount_out", "currency", "counterparty", "iban", "text",
          "reference", "bank_ref", "indicator", "kind", "_")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CsvRules(Located):
    """How one bank writes its CSV export (a rules file, after hledger's CSV rules)."""

    fields: tuple[str, ...]  # the name of each column, "_" for a column to ignore
    date_format: str = "%Y-%m-%d"
    decimal: str = "."
    thousands: str = ""
    sign: str = "signed"  # signed: minus = debit; inverted: minus = credit; in_out; indicator
    credit: tuple[str, ...] = ("C", "CR", "CRDT", "H", "credit")  # indicator values of money in
    debit: tuple[str, ...] = ("D", "DR", "DBIT", "S", "debit")
    returns: tuple[str, ...] = ()  # values of a 'kind' column that mean a returned payment
    chargebacks: tuple[str, ...] = ()  # values of a 'kind' column that mean a charge-back
    currency: str | None = None  # when there is no currency column
    encoding: str = "utf-8"
    delimiter: str = ","
    skip: int = 1  # lines before the first booking: the column names and anything above
    name: str = ""
