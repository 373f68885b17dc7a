"""The ISO 11649 creditor reference ("RF" + two mod-97 check digits + up to 21 letters or
digits) of an invoice, computed from its number so it never has to be stored."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[^0-9A-Z]")
MAX_BODY = 21


def compact(text: str) -> str:
    """Upper case, letters and digits only: how references and invoice numbers are compared."""
    return _SEPARATORS.sub("", text.upper())


def _digits(text: str) -> str:
    return "".join(str(int(ch, 36)) for ch in text)


def check_digits(body: str) -> str:
    """The two check digits of `body`: 98 - (body + 'RF00' read as a number) mod 97."""
    return f"{98 - int(_digits(body + 'RF00')) % 97:02d}"


def is_valid(reference: str) -> bool:
    ref = compact(reference)
    if not re.fullmatch(r"RF[0-9]{2}[0-9A-Z]{1,21}", ref):
        return False
    return int(_digits(ref[4:] + ref[:4])) % 97 == 1


def reference_body(invoice_id: str) -> str:
    """What follows RF and the check digits in the invoice's reference."""
    return compact(invoice_id)[-MAX_BODY:] or "0"


def invoice_reference(invoice_id: str) -> str:
    """The invoice's RF reference in electronic form (no spaces), e.g. RF13INV20260004.

    The body is the invoice number's letters and digits; a number longer than 21 of them
    keeps its last 21, where the sequence (what differs between invoices) is."""
    body = reference_body(invoice_id)
    return f"RF{check_digits(body)}{body}"


def printed(reference: str) -> str:
    """The paper form: groups of four characters, as ISO 11649 recommends."""
    ref = compact(reference)
    return " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))
