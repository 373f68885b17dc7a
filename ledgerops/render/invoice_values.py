"""What every invoice and reminder template sees: the invoice document formatted for the
client's locale (Babel), and the invoice email's Message-ID that reminders thread under.

Apart from render/invoice.py so that reminders, `remind` and `run --dry-run` never load the
PDF and QR-code libraries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.money import money_str
from ledgerops.core.reference import invoice_reference, printed
from ledgerops.render.email import message_id

DEFAULT_LOCALE = "en_US"
_METHOD_LABELS = {
    "bank_transfer": "Bank transfer",
    "card": "Card",
    "paypal": "PayPal",
    "sepa_debit": "SEPA direct debit",
}
_EPC_MAX = Decimal("999999999.99")


def document_values(doc: InvoiceDocument) -> dict[str, Any]:
    locale = Locale.parse(doc.client.locale or DEFAULT_LOCALE)
    invoice, currency = doc.invoice, doc.invoice.currency

    def money(amount: Decimal) -> str:
        return format_currency(amount, currency, locale=locale)

    def day(value: date) -> str:
        return format_date(value, format="medium", locale=locale)

    def rate(value: Decimal) -> str:
        return f"{format_decimal(value.normalize(), locale=locale)}\u00a0%"

    nets = dict(doc.totals.net_by_rate)
    company, client, bank = doc.company, doc.client, doc.bank
    return {
        "invoice_id": invoice.id,
        # ISO 11649 creditor reference: printed in groups of four, encoded without spaces.
        "reference": printed(invoice_reference(invoice.id)),
        "reference_code": invoice_reference(invoice.id),
        "void": invoice.status == "void",
        "currency": currency,
        "locale": str(locale),
        "lang": locale.language,
        "issue_date": day(invoice.issue_date),
        "due_date": day(invoice.due_date),
        "terms_days": (invoice.due_date - invoice.issue_date).days,
        "po_number": invoice.po_number,
        "service": _service(invoice, day),
        "service_label": "Service period" if invoice.service_period else "Service date",
        "note": invoice.note,
        "tax_notes": [text for _, text in doc.tax_notes],
        "project": doc.project_name or invoice.project,
        "project_code": invoice.project,
        "milestone": invoice.milestone,
        "company": {
            "name": company.name,
            "email": company.email,
            "address_lines": _lines(company.address),
            "tax_id": company.tax_id,
        },
        "client": {
            "id": client.id,
            "name": client.name,
            "email": client.email[0],
            "address_lines": [line for line in _lines(client.address) if line != client.name],
            "tax_id": client.tax_id,
        },
        "lines": [
            {
                "description": line.description,
                "quantity": format_decimal(line.quantity, locale=locale),
                "unit_price": money(line.unit_price),
                "tax_rate": rate(line.tax_rate),
                "net": money(line.net),
            }
            for line in doc.lines
        ],
        "rates": [
            {"rate": rate(tax_rate), "net": money(nets[tax_rate]), "tax": money(tax)}
            for tax_rate, tax in doc.totals.tax_by_rate
        ],
        "subtotals": _subtotals(doc, money, rate),
        "net": money(doc.totals.net),
        "tax": money(doc.totals.tax),
        "total": money(doc.totals.total),
        "late_fees": money(doc.late_fees) if doc.late_fees else None,
        "paid": money(doc.paid) if doc.paid else None,
        "credited": money(doc.credited) if doc.credited else None,
        "amount_due": money(doc.amount_due),
        "amount_due_value": money_str(doc.amount_due, currency),
        "payment_link": doc.payment_link,
        "payment_methods": [
            _METHOD_LABELS.get(m, m.replace("_", " ").capitalize()) for m in doc.payment_methods
        ],
        "bank": {"holder": company.name, "iban": _iban(bank.iban), "bic": bank.bic} if bank else None,
        "qr_code": epc_applies(doc),
    }


def _subtotals(doc: InvoiceDocument, money: Any, rate: Any) -> list[dict[str, str]]:
    """Net, then the tax of each rate; with several rates, each names the net it is on."""
    nets = dict(doc.totals.net_by_rate)
    rows = [{"label": "Net", "value": money(doc.totals.net)}]
    for tax_rate, tax in doc.totals.tax_by_rate:
        on = f" on {money(nets[tax_rate])}" if len(nets) > 1 else ""
        rows.append({"label": f"VAT {rate(tax_rate)}{on}", "value": money(tax)})
    return rows


def _service(invoice: Any, day: Any) -> str | None:
    """The service date or period as the invoice states it (EU VAT Directive art. 226 (7))."""
    period = invoice.service_period
    if period is not None:
        return f"{day(period.start)} – {day(period.end)}"
    return day(invoice.service_date) if invoice.service_date else None


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _iban(iban: str) -> str:
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def epc_applies(doc: InvoiceDocument) -> bool:
    """Whether the invoice shows an EPC ("GiroCode") QR code for a SEPA transfer of the amount
    due: a bank account in the policy, an invoice in EUR, something left to pay."""
    return doc.bank is not None and doc.invoice.currency == "EUR" and 0 < doc.amount_due <= _EPC_MAX


def invoice_message_id(doc: InvoiceDocument) -> str:
    return message_id(doc.invoice.id, "invoice", doc.company.email)
