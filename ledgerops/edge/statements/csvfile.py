"""A bank's CSV export, read as its rules file says (columns, date format, decimal and
thousands separators, sign convention, encoding, lines to skip)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

from ledgerops.core.bank import BankLine, CsvRules
from ledgerops.edge.statements import Problem, amount

_NUMBER = re.compile(r"[+-]?[0-9][0-9.,' ]*\Z")


def _amount(text: str, rules: CsvRules, line: int) -> Decimal:
    """A signed amount written the bank's way; '1.234,56' under rules that say '.' is refused."""
    value = text.strip().replace("\u00a0", " ")
    if not _NUMBER.match(value):
        raise Problem("statement-amount", line, f"'{text}' is not an amount")
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-")
    if rules.thousands:
        groups = digits.split(rules.decimal)[0].split(rules.thousands)
        if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
            raise Problem("statement-amount", line, f"'{text}' has misplaced '{rules.thousands}' separators")
        digits = digits.replace(rules.thousands, "")
    other = "," if rules.decimal == "." else "."
    if other in digits or " " in digits or "'" in digits or digits.count(rules.decimal) > 1:
        raise Problem("statement-amount", line, f"'{text}' does not use '{rules.decimal}' as its decimal "
                      f"separator and '{rules.thousands or 'nothing'}' for thousands, as the rules say")  # fmt: skip
    return sign * amount(digits.replace(rules.decimal, "."), line)


def _date(text: str, rules: CsvRules, line: int) -> date:
    try:
        return datetime.strptime(text.strip(), rules.date_format).date()
    except ValueError:
        raise Problem(
            "statement-date", line, f"'{text}' is not a date in the format '{rules.date_format}'"
        ) from None


def _kind(row: dict[str, str], signed: Decimal, rules: CsvRules, line: int) -> tuple[str, Decimal]:
    if rules.sign == "indicator":
        mark = row.get("indicator", "").strip()
        if mark in rules.credit:
            signed = abs(signed)
        elif mark in rules.debit:
            signed = -abs(signed)
        else:
            raise Problem("statement-columns", line, f"indicator '{mark}' is neither a credit "
                          f"({', '.join(rules.credit)}) nor a debit ({', '.join(rules.debit)})")  # fmt: skip
    elif rules.sign == "inverted":
        signed = -signed
    kind = "credit" if signed > 0 else "debit"
    value = row.get("kind", "").strip()
    if value and value in rules.returns:
        kind = "return"
    elif value and value in rules.chargebacks:
        kind = "chargeback"
    return kind, abs(signed)


def read(data: bytes, shown: str, rules: CsvRules) -> list[BankLine]:
    try:
        text = data.decode(rules.encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise Problem("statement-unreadable", 1, f"not {rules.encoding} text: {error}") from None
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=rules.delimiter)
    lines = []
    width = len(rules.fields)
    try:
        for row in reader:
            line = reader.line_num
            if line <= rules.skip or not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                raise Problem("statement-columns", line, f"{len(row)} columns where the rules name {width} "
                              f"({', '.join(rules.fields)})")  # fmt: skip
            cells: dict[str, str] = {}
            texts = []
            for name, cell in zip(rules.fields, row, strict=True):
                if name == "text":
                    texts.append(cell.strip())
                elif name != "_":
                    cells[name] = cell
            if rules.sign == "in_out":
                money_in = _amount(cells.get("amount_in") or "0", rules, line)
                money_out = _amount(cells.get("amount_out") or "0", rules, line)
                signed = abs(money_in) - abs(money_out)
            else:
                signed = _amount(cells.get("amount", ""), rules, line)
            if signed == 0:
                continue
            kind, magnitude = _kind(cells, signed, rules, line)
            currency = cells.get("currency", "").strip() or rules.currency
            if not currency:
                raise Problem(
                    "statement-columns", line, "no currency: name a currency column or set 'currency'"
                )
            lines.append(
                BankLine(
                    source=f"{shown}:{line}",
                    date=_date(cells.get("date", ""), rules, line),
                    amount=magnitude,
                    currency=currency.upper(),
                    kind=kind,
                    counterparty=cells.get("counterparty", "").strip() or None,
                    iban=cells.get("iban", "").replace(" ", "").upper() or None,
                    text=" ".join(t for t in texts if t),
                    reference=cells.get("reference", "").strip() or None,
                    bank_ref=cells.get("bank_ref", "").strip() or None,
                )
            )
    except csv.Error as error:
        raise Problem("statement-unreadable", reader.line_num or 1, f"not readable as CSV: {error}") from None
    return lines
