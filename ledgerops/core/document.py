"""Everything an invoice document or email shows, worked out once from the ledger.

The HTML, the PDF, the text preview and the emails all render this one value, so they
can never disagree about a total, a date or the payment link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledgerops.core.amounts import Totals, credited_amount, fee_amount, line_net, paid_amount, totals
from ledgerops.core.model import Client, CreditNote, Invoice, Ledger, Line
from ledgerops.core.money import money_str
from ledgerops.core.policy import Bank, Company, Policy
from ledgerops.core.reference import invoice_reference
from ledgerops.core.taxes import line_reason, reason_text


@dataclass(frozen=True, slots=True)
class DocumentLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax_reason: str | None = None  # why a 0 % line is untaxed (core/taxes.py)


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    invoice: Invoice
    client: Client
    company: Company
    project_name: str | None
    lines: tuple[DocumentLine, ...]
    totals: Totals
    late_fees: Decimal
    paid: Decimal
    amount_due: Decimal  # as of `as_of`: total + late fees - payments - credit notes
    as_of: date
    payment_link: str | None
    payment_methods: tuple[str, ...]
    bank: Bank | None
    tax_notes: tuple[tuple[str, str], ...] = ()  # (reason, legal text) of the 0 % lines, in order
    credited: Decimal = Decimal(0)  # by credit notes dated up to `as_of`


def invoice_document(ledger: Ledger, invoice: Invoice, as_of: date) -> InvoiceDocument:
    """The document of `invoice` as of a day; its client must exist (check guarantees it)."""
    client = ledger.clients[invoice.client]
    policy = ledger.policy
    project = client.projects.get(invoice.project) if invoice.project else None
    sums = totals(invoice)
    fees = fee_amount(invoice, as_of)
    paid = paid_amount(invoice, as_of)
    credited = credited_amount(invoice, as_of) if invoice.credited else Decimal(0)
    due = sums.total + fees - paid - credited
    lines, notes = _document_lines(invoice.lines, client, invoice.currency, policy)
    return InvoiceDocument(
        invoice=invoice,
        client=client,
        company=policy.company,
        project_name=project.name if project and project.name else None,
        lines=lines,
        totals=sums,
        late_fees=fees,
        paid=paid,
        amount_due=due,
        as_of=as_of,
        payment_link=payment_link(policy.payment_link, invoice.id, due, invoice.currency),
        payment_methods=policy.payment_methods,
        bank=policy.bank,
        tax_notes=notes,
        credited=credited,
    )


def _document_lines(
    lines: tuple[Line, ...], client: Client, currency: str, policy: Policy
) -> tuple[tuple[DocumentLine, ...], tuple[tuple[str, str], ...]]:
    """The lines as printed, and the (reason, legal text) of their 0 % lines, in order."""
    shown = tuple(
        DocumentLine(
            line.description,
            line.quantity,
            line.unit_price,
            line.tax_rate,
            line_net(line.quantity, line.unit_price, currency),
            line_reason(line, client),
        )
        for line in lines
    )
    reasons = dict.fromkeys(line.tax_reason for line in shown if line.tax_reason)
    return shown, tuple((r, text) for r in reasons if (text := reason_text(r, policy)))


CREDIT_NOTE_TYPE = "381"  # UNTDID 1001: credit note (an invoice is 380)


@dataclass(frozen=True, slots=True)
class CreditNoteDocument:
    """What a credit note's PDF, email and e-invoice show: positive amounts credited, and
    the invoice it corrects (EN 16931 BG-3: its number and issue date)."""

    note: CreditNote
    client: Client
    company: Company
    lines: tuple[DocumentLine, ...]
    totals: Totals
    preceding_invoice: str
    preceding_issue_date: date
    type_code: str = CREDIT_NOTE_TYPE
    tax_notes: tuple[tuple[str, str], ...] = ()


def credit_note_document(ledger: Ledger, note: CreditNote) -> CreditNoteDocument:
    """The document of a credit note; its invoice and client must exist (check guarantees it)."""
    invoice = next(inv for inv in ledger.invoices if inv.id == note.credits)
    client = ledger.clients[note.client]
    lines, notes = _document_lines(note.lines, client, note.currency, ledger.policy)
    return CreditNoteDocument(note, client, ledger.policy.company, lines, totals(note), invoice.id,
                              invoice.issue_date, tax_notes=notes)  # fmt: skip


def payment_link(template: str | None, invoice_id: str, amount: Decimal, currency: str) -> str | None:
    """The policy's payment_link with {invoice_id}, {reference} (the RF creditor reference),
    {amount} and {currency} filled in."""
    if not template:
        return None
    return template.format(invoice_id=invoice_id, reference=invoice_reference(invoice_id),
                           amount=money_str(amount, currency), currency=currency)  # fmt: skip
