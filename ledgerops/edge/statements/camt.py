"""ISO 20022 camt.053 (statement) and camt.054 (debit/credit notification), any version.

Parsed with lxml without a DTD, external entities or the network; a file that declares a
DOCTYPE is refused outright (no bank sends one; entity-expansion bombs need one). A batch
booking (one entry, several TxDtls) gives one line per transaction, each with its own id."""

from __future__ import annotations

import re
from datetime import date

from lxml import etree  # type: ignore[import-untyped]

from ledgerops.core.bank import BankLine
from ledgerops.edge.statements import Problem, amount, checked_date

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
# Bank transaction sub-family codes of returns and reversals (ISO 20022 external code list).
_RETURN_CODES = {"RRTN", "UPDD", "RPCR", "ARET", "AREV", "RCDD", "PRDD"}
_CHARGEBACK_CODES = {"CHRG_BACK", "CHBK", "CBCK"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)  # fmt: skip


# The document's default namespace (every camt version has its own), as lxml's paths take it.
Names = dict[None, str] | None


def _text(element: etree._Element | None, path: str, ns: Names) -> str | None:
    if element is None:
        return None
    found = element.find(path, ns)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(entry: etree._Element, ns: Names) -> date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        text = _text(entry, path, ns)
        if text:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return checked_date(None, entry.sourceline or 1, text)
    raise Problem("statement-date", entry.sourceline or 1, "the entry has no booking or value date")


def _money(element: etree._Element, line: int) -> tuple[str, str]:
    """(amount text, currency) of an Amt element."""
    currency = element.get("Ccy")
    if not currency or element.text is None:
        raise Problem("statement-amount", line, "an Amt without an amount or a Ccy currency")
    return element.text, currency


def _party(tx: etree._Element | None, credit: bool, ns: Names) -> tuple[str | None, str | None]:
    """The other side's name and IBAN: the debtor of a credit, the creditor of a debit."""
    who = "Dbtr" if credit else "Cdtr"
    name = _text(tx, f"RltdPties/{who}/Nm", ns) or _text(tx, f"RltdPties/{who}/Pty/Nm", ns)
    iban = _text(tx, f"RltdPties/{who}Acct/Id/IBAN", ns)
    return name, iban


def _kind(entry: etree._Element, tx: etree._Element | None, credit: bool, ns: Names) -> str:
    codes = {el.text.strip() for el in entry.iterfind(".//BkTxCd//Cd", ns) if el.text}
    codes |= {el.text.strip() for el in entry.iterfind(".//BkTxCd//SubFmlyCd", ns) if el.text}
    if tx is not None:
        codes |= {el.text.strip() for el in tx.iterfind("BkTxCd//SubFmlyCd", ns) if el.text}
    reversal = (_text(entry, "RvslInd", ns) or "").lower() == "true"
    returned = tx is not None and tx.find("RtrInf", ns) is not None
    if codes & _CHARGEBACK_CODES:
        return "chargeback"
    if reversal or returned or codes & _RETURN_CODES:
        return "return"
    return "credit" if credit else "debit"


def _lines(entry: etree._Element, shown: str, ns: Names) -> list[BankLine]:
    line = entry.sourceline or 1
    amt = entry.find("Amt", ns)
    if amt is None:
        raise Problem("statement-amount", line, "the entry (Ntry) has no Amt")
    entry_amount, currency = _money(amt, amt.sourceline or line)
    indicator = _text(entry, "CdtDbtInd", ns)
    if indicator not in ("CRDT", "DBIT"):
        raise Problem("statement-unreadable", line, f"CdtDbtInd is '{indicator}', not CRDT or DBIT")
    credit = indicator == "CRDT"
    booked = _date(entry, ns)
    entry_ref = _text(entry, "AcctSvcrRef", ns) or _text(entry, "NtryRef", ns)
    txs = list(entry.iterfind("NtryDtls/TxDtls", ns))
    if not txs:
        txs_or_none: list[etree._Element | None] = [None]
    else:
        txs_or_none = list(txs)
    batch = len(txs) > 1
    made = []
    for index, tx in enumerate(txs_or_none, 1):
        where = (tx.sourceline if tx is not None else line) or line
        value, ccy = entry_amount, currency
        if batch and tx is not None:
            tx_amt = tx.find("AmtDtls/TxAmt/Amt", ns)
            if tx_amt is None:
                tx_amt = tx.find("Amt", ns)
            if tx_amt is None:
                raise Problem("statement-amount", where, "a transaction of a batch booking has no amount")
            value, ccy = _money(tx_amt, where)
        tx_ref = _text(tx, "Refs/AcctSvcrRef", ns) if tx is not None else None
        if tx_ref and tx_ref != entry_ref:
            ref = tx_ref
        elif entry_ref:
            ref = f"{entry_ref}/{index}" if batch else entry_ref
        else:
            ref = None
        name, iban = _party(tx, credit, ns)
        texts = (
            [el.text.strip() for el in tx.iterfind("RmtInf/Ustrd", ns) if el.text] if tx is not None else []
        )
        if not texts and not batch:
            texts = [_text(entry, "AddtlNtryInf", ns) or ""]
        made.append(
            BankLine(
                source=f"{shown}:{where}",
                date=booked,
                amount=amount(value, where),
                currency=ccy,
                kind=_kind(entry, tx, credit, ns),
                counterparty=name,
                iban=iban.replace(" ", "").upper() if iban else None,
                text=" ".join(t for t in texts if t),
                reference=_text(tx, "RmtInf/Strd/CdtrRefInf/Ref", ns),
                bank_ref=ref,
            )
        )
    return made


def read(data: bytes, shown: str) -> list[BankLine]:
    found = _DOCTYPE.search(data)
    if found:
        line = data.count(b"\n", 0, found.start()) + 1
        raise Problem("statement-unsafe", line, "the XML declares a DOCTYPE or an entity; bank statements "
                      "have neither, and they are refused (entity expansion, external files)")  # fmt: skip
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        line, col = (error.position or (1, 1))[:2]
        message = re.sub(r"(, line \d+)+, column \d+$", "", str(error.msg))
        raise Problem(
            "statement-unreadable", line or 1, f"not well-formed XML: {message}", col or 1
        ) from None
    name = etree.QName(root)
    ns: Names = {None: name.namespace} if name.namespace else None
    containers = root.findall("BkToCstmrStmt/Stmt", ns) + root.findall("BkToCstmrDbtCdtNtfctn/Ntfctn", ns)
    if name.localname != "Document" or not containers:
        raise Problem("statement-unreadable", root.sourceline or 1,
                      "not a camt.053 statement (BkToCstmrStmt/Stmt) or camt.054 notification "
                      "(BkToCstmrDbtCdtNtfctn/Ntfctn)")  # fmt: skip
    lines = []
    for container in containers:
        for entry in container.iterfind("Ntry", ns):
            status = _text(entry, "Sts/Cd", ns) or _text(entry, "Sts", ns)
            if status and status != "BOOK":
                continue  # pending or information only: not money that arrived
            lines.extend(_lines(entry, shown, ns))
    return lines
