"""Bank statement files -> BankLine values, one module per format (edge layer: reads
files and third-party parsers, imports only core).

Every reader returns (lines, diagnostics); a file with any diagnostic gives no lines, so a
bad file records nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from ledgerops.core.bank import BankLine, CsvRules, with_ids
from ledgerops.core.diagnostics import Diagnostic, Source, diag

# A month of a small business's bookings is a few hundred kilobytes; anything this big is
# not a statement we should hold in memory whole.
MAX_BYTES = 20 * 1024 * 1024
_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,10})?\Z")

Parsed = tuple[tuple[BankLine, ...], list[Diagnostic]]


class Problem(Exception):
    """Stops a reader at the first thing it cannot read; turned into one diagnostic."""

    def __init__(self, code: str, line: int, message: str, col: int = 1) -> None:
        super().__init__(message)
        self.code, self.line, self.col, self.message = code, line, col, message


def amount(text: str, line: int) -> Decimal:
    """A statement amount written with a '.' decimal point and no sign."""
    value = text.strip()
    if not _AMOUNT.match(value):
        raise Problem("statement-amount", line, f"'{value}' is not an amount like 1234.56")
    return Decimal(value)


def detect(data: bytes) -> str:
    """The format of a statement from its first bytes: camt, ofx, mt940 or csv."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head:
        return "ofx"
    if head.startswith(b"<"):
        return "camt"
    if head.startswith((b":20:", b"{1:", b":940:")) or re.match(rb"^[-\w]*\r?\n:20:", head):
        return "mt940"
    return "csv"


def read_statement(path: Path, shown: str, rules: CsvRules | None) -> Parsed:
    """Every booked line of the statement at `path` (`shown` names it in messages)."""
    from importlib import import_module

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return (), [diag("statement-too-large", Source(shown), f"{size} bytes; a statement is read "
                             f"only up to {MAX_BYTES // (1024 * 1024)} MB")]  # fmt: skip
        data = path.read_bytes()
    except OSError as error:
        return (), [diag("statement-unreadable", Source(shown), f"cannot read the file: {error.strerror}")]
    kind = detect(data)
    try:
        if kind == "csv":
            if rules is None:
                raise Problem("statement-unreadable", 1, "this is not camt.053/054, MT940 or OFX; "
                              "a CSV statement needs --rules FILE that describes its columns")  # fmt: skip
            from ledgerops.edge.statements import csvfile

            lines = csvfile.read(data, shown, rules)
        else:
            # Only the reader of this format is imported: ofxtools alone takes 0.4 s to load.
            reader: Callable[[bytes, str], list[BankLine]] = import_module(f"{__name__}.{kind}").read
            lines = reader(data, shown)
    except Problem as problem:
        return (), [diag(problem.code, Source(shown, problem.line, problem.col), problem.message)]
    return with_ids(lines), []


def checked_date(value: date | None, line: int, text: str) -> date:
    if value is None:
        raise Problem("statement-date", line, f"'{text}' is not a date")
    return value
