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


class _Paths:
    """An element's descendants by their path of local names ("RltdPties/Dbtr/Nm"), read in
    one walk: ElementPath's find costs microseconds a call, and an entry asks for twenty."""

    __slots__ = ("found",)

    def __init__(self, found: dict[str, list[etree._Element]]) -> None:
        self.found = found

    @classmethod
    def of(cls, element: etree._Element | None) -> _Paths:
        found: dict[str, list[etree._Element]] = {}
        if element is not None:
            prefixes = {element: ""}
            for child in element.iterdescendants():
                tag = child.tag
                path = prefixes[child.getparent()] + (tag[tag.index("}") + 1 :] if tag[0] == "{" else tag)
                prefixes[child] = path + "/"
                found.setdefault(path, []).append(child)
        return cls(found)

    def below(self, prefix: str) -> _Paths:
        """The paths under the one element at `prefix` ("NtryDtls/TxDtls/"), relative to it."""
        cut = len(prefix)
        return _Paths({path[cut:]: found for path, found in self.found.items() if path.startswith(prefix)})

    def first(self, path: str) -> etree._Element | None:
        found = self.found.get(path)
        return found[0] if found else None

    def all(self, path: str) -> list[etree._Element]:
        return self.found.get(path, [])

    def text(self, path: str) -> str | None:
        found = self.first(path)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    def codes(self) -> set[str]:
        """The bank transaction codes (Cd, SubFmlyCd under any BkTxCd, the transactions' too)."""
        return {
            el.text.strip()
            for path, elements in self.found.items()
            if path.endswith(("/Cd", "/SubFmlyCd")) and (path.startswith("BkTxCd/") or "/BkTxCd/" in path)
            for el in elements
            if el.text
        }


def _date(entry: _Paths, line: int) -> date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        text = entry.text(path)
        if text:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return checked_date(None, line, text)
    raise Problem("statement-date", line, "the entry has no booking or value date")


def _money(element: etree._Element, line: int) -> tuple[str, str]:
    """(amount text, currency) of an Amt element."""
    currency = element.get("Ccy")
    if not currency or element.text is None:
        raise Problem("statement-amount", line, "an Amt without an amount or a Ccy currency")
    return element.text, currency


def _party(tx: _Paths, credit: bool) -> tuple[str | None, str | None]:
    """The other side's name and IBAN: the debtor of a credit, the creditor of a debit."""
    who = "Dbtr" if credit else "Cdtr"
    name = tx.text(f"RltdPties/{who}/Nm") or tx.text(f"RltdPties/{who}/Pty/Nm")
    iban = tx.text(f"RltdPties/{who}Acct/Id/IBAN")
    return name, iban


def _kind(entry: _Paths, codes: set[str], tx: _Paths, credit: bool) -> str:
    reversal = (entry.text("RvslInd") or "").lower() == "true"
    returned = tx.first("RtrInf") is not None
    if codes & _CHARGEBACK_CODES:
        return "chargeback"
    if reversal or returned or codes & _RETURN_CODES:
        return "return"
    return "credit" if credit else "debit"


def _lines(element: etree._Element, shown: str) -> list[BankLine]:
    line = element.sourceline or 1
    entry = _Paths.of(element)
    amt = entry.first("Amt")
    if amt is None:
        raise Problem("statement-amount", line, "the entry (Ntry) has no Amt")
    entry_amount, currency = _money(amt, amt.sourceline or line)
    indicator = entry.text("CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise Problem("statement-unreadable", line, f"CdtDbtInd is '{indicator}', not CRDT or DBIT")
    credit = indicator == "CRDT"
    booked = _date(entry, line)
    entry_ref = entry.text("AcctSvcrRef") or entry.text("NtryRef")
    txs: list[etree._Element | None] = list(entry.all("NtryDtls/TxDtls")) or [None]
    batch = len(txs) > 1
    codes = entry.codes()
    made = []
    for index, element_tx in enumerate(txs, 1):
        where = (element_tx.sourceline if element_tx is not None else line) or line
        # One transaction's paths are the entry's below it; a batch's are walked one by one.
        tx = _Paths.of(element_tx) if batch else entry.below("NtryDtls/TxDtls/")
        value, ccy = entry_amount, currency
        if batch:
            tx_amt = tx.first("AmtDtls/TxAmt/Amt")
            if tx_amt is None:
                tx_amt = tx.first("Amt")
            if tx_amt is None:
                raise Problem("statement-amount", where, "a transaction of a batch booking has no amount")
            value, ccy = _money(tx_amt, where)
        tx_ref = tx.text("Refs/AcctSvcrRef")
        if tx_ref and tx_ref != entry_ref:
            ref = tx_ref
        elif entry_ref:
            ref = f"{entry_ref}/{index}" if batch else entry_ref
        else:
            ref = None
        name, iban = _party(tx, credit)
        texts = [el.text.strip() for el in tx.all("RmtInf/Ustrd") if el.text]
        if not texts and not batch:
            texts = [entry.text("AddtlNtryInf") or ""]
        made.append(
            BankLine(
                source=f"{shown}:{where}",
                date=booked,
                amount=amount(value, where),
                currency=ccy,
                kind=_kind(entry, codes, tx, credit),
                counterparty=name,
                iban=iban.replace(" ", "").upper() if iban else None,
                text=" ".join(t for t in texts if t),
                reference=tx.text("RmtInf/Strd/CdtrRefInf/Ref"),
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
    ns = {None: name.namespace} if name.namespace else None
    containers = root.findall("BkToCstmrStmt/Stmt", ns) + root.findall("BkToCstmrDbtCdtNtfctn/Ntfctn", ns)
    if name.localname != "Document" or not containers:
        raise Problem("statement-unreadable", root.sourceline or 1,
                      "not a camt.053 statement (BkToCstmrStmt/Stmt) or camt.054 notification "
                      "(BkToCstmrDbtCdtNtfctn/Ntfctn)")  # fmt: skip
    lines = []
    for container in containers:
        for entry in container.iterfind("Ntry", ns):
            status = (entry.findtext("Sts/Cd", None, ns) or entry.findtext("Sts", None, ns) or "").strip()
            if status and status != "BOOK":
                continue  # pending or information only: not money that arrived
            lines.extend(_lines(entry, shown))
    return lines
