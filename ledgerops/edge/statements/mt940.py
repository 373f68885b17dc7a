"""SWIFT MT940 statements, read with the `mt-940` package; the structured `:86:` field
(German banks' ?20..?32 sub-fields and SEPA keywords such as SVWZ+) gives the remittance
text, the payer's name and IBAN."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import mt940
from mt940.options import Options

from ledgerops.core.bank import BankLine
from ledgerops.edge.statements import Problem, amount

_TRANSACTION = re.compile(r"^:61:", re.MULTILINE)
_RETURN_TYPES = {"NRTI", "FRTI", "NRET"}  # returned item
_RETURN_GVC = {"109", "159", "183", "184"}  # Rücklastschrift, Retoure, Rückruf
_NO_REF = {"", "NONREF", "NOTPROVIDED"}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # the classic encoding of MT940 exports


def _kind(values: dict[str, Any], credit: bool) -> str:
    status = str(values.get("status") or "")
    if status.startswith("R") or values.get("id") in _RETURN_TYPES:
        return "return"
    if str(values.get("transaction_code") or "") in _RETURN_GVC:
        return "return"
    return "credit" if credit else "debit"


def read(data: bytes, shown: str) -> list[BankLine]:
    text = _decode(data)
    starts = [text.count("\n", 0, m.start()) + 1 for m in _TRANSACTION.finditer(text)]
    options = Options(applicant_iban=True, merge_keeps_values=True, reversal_sign=True,
                      case_insensitive_marks=True, strip_bom=True)  # fmt: skip
    transactions = mt940.models.Transactions(options=options)
    try:
        transactions.parse(text)
    except Exception as error:  # the parser raises plain exceptions for every malformed tag
        raise Problem("statement-unreadable", 1, f"not a readable MT940 statement: {error}") from None
    if not starts or len(transactions) != len(starts):
        raise Problem(
            "statement-unreadable", 1, "not an MT940 statement: no :61: booking lines could be read"
        )
    lines = []
    for line_no, transaction in zip(starts, transactions, strict=True):
        values = transaction.data
        money = values.get("amount")
        if money is None or not isinstance(values.get("date"), date):
            raise Problem("statement-unreadable", line_no, "a :61: line without an amount or a date")
        signed = money.amount
        status = str(values.get("status") or "").upper()
        credit = status in ("C", "RD") if status else signed > 0
        ref = str(values.get("bank_reference") or "").strip()
        iban = values.get("applicant_iban") or values.get("gvc_applicant_iban")
        remittance = " ".join(str(values.get(k) or "") for k in ("purpose", "additional_purpose")).strip()
        lines.append(
            BankLine(
                source=f"{shown}:{line_no}",
                date=date(values["date"].year, values["date"].month, values["date"].day),
                amount=amount(str(abs(signed)), line_no),
                currency=str(money.currency or values.get("currency") or ""),
                kind=_kind(values, credit),
                counterparty=values.get("applicant_name") or None,
                iban=str(iban).replace(" ", "").upper() if iban else None,
                text=remittance or str(values.get("transaction_details") or ""),
                reference=None,
                bank_ref=None if ref.upper() in _NO_REF else ref,
            )
        )
    return lines
