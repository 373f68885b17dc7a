"""OFX 1.x (SGML) and 2.x (XML) bank statements, read with `ofxtools`, offline."""

from __future__ import annotations

import io
import re
from typing import Any

from ofxtools.Parser import OFXTree

from ledgerops.core.bank import BankLine
from ledgerops.edge.statements import Problem, amount

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_RETURN_TYPES = {"DIRECTDEBIT"}  # money out by direct debit; a negative one came back


def read(data: bytes, shown: str) -> list[BankLine]:
    if _DOCTYPE.search(data):
        raise Problem("statement-unsafe", 1, "the OFX file declares a DOCTYPE or an entity; refused")
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
        ofx: Any = tree.convert()
    except Exception as error:  # ofxtools raises its own and stdlib errors for bad files
        raise Problem("statement-unreadable", 1, f"not a readable OFX statement: {error}") from None
    text = data.decode("latin-1")
    starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<STMTTRN>", text, re.IGNORECASE)]
    lines = []
    index = 0
    for statement in ofx.statements:
        currency = str(statement.curdef)
        for trn in statement.banktranlist or ():
            line_no = starts[index] if index < len(starts) else 1
            index += 1
            signed = trn.trnamt
            kind = "credit" if signed > 0 else "debit"
            if str(trn.trntype).upper() in _RETURN_TYPES and signed > 0:
                kind = "return"
            payee = getattr(trn, "payee", None)
            name = trn.name or (payee.name if payee is not None else None)
            account = getattr(trn, "bankacctto", None)
            iban = str(account.acctid).replace(" ", "").upper() if account is not None else None
            ccy = getattr(trn, "currency", None) or getattr(trn, "origcurrency", None)
            lines.append(
                BankLine(
                    source=f"{shown}:{line_no}",
                    date=trn.dtposted.date(),
                    amount=amount(str(abs(signed)), line_no),
                    currency=str(ccy.cursym) if ccy is not None else currency,
                    kind=kind,
                    counterparty=str(name) if name else None,
                    iban=iban,
                    text=str(trn.memo or ""),
                    reference=None,
                    bank_ref=str(trn.fitid) if trn.fitid else None,
                )
            )
    if not lines and not starts:
        raise Problem("statement-unreadable", 1, "the OFX file holds no bank statement transactions")
    return lines
