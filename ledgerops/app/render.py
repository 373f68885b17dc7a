"""`ledgerops render INV`: the invoice document as HTML, PDF or text, for a preview (a
draft: as it would leave today, without its number); the PDF is the one the client gets
(Factur-X for a `factur-x` client)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ledgerops.app.load import load_ledger, valid_in
from ledgerops.app.records import find_invoice
from ledgerops.app.send import client_pdf
from ledgerops.context import Context
from ledgerops.core.checks import client_einvoice
from ledgerops.core.document import invoice_document
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.sending import CannotIssue, issued
from ledgerops.edge.store import write_atomic
from ledgerops.render.invoice import invoice_html, invoice_text
from ledgerops.render.templates import environment

FORMATS = ("html", "pdf", "txt", "cii", "ubl")


def as_sent_today(ledger: Ledger, invoice: Invoice, today: date) -> Invoice:
    """A draft as the client would get it if it were sent today: dated today and due by its
    terms from then (the pull request that approves it shows this); only the number is left
    out, since it is taken when the draft is issued. Anything else: as it is."""
    if invoice.numbered:
        return invoice
    try:
        return replace(issued(ledger, invoice, today), id=invoice.id, drafted_as=None, path=invoice.path)
    except CannotIssue:
        return invoice


def run(ctx: Context, invoice_id: str, fmt: str, output: Path | None) -> bytes:
    """The document's bytes (amounts due as of today), also written to `output` if given."""
    loaded = load_ledger(ctx, valid_in())
    ledger = loaded.ledger
    invoice = as_sent_today(ledger, find_invoice(ledger, invoice_id), loaded.today)
    document = invoice_document(ledger, invoice, loaded.today)
    if fmt == "cii":
        from ledgerops.core.en16931 import einvoice_terms
        from ledgerops.render.einvoice import cii_xml

        data = cii_xml(einvoice_terms(document, "factur-x"))
    elif fmt == "ubl":
        from ledgerops.core.en16931 import einvoice_terms
        from ledgerops.render.einvoice import ubl_xml

        data = ubl_xml(einvoice_terms(document, "peppol-ubl"))
    elif fmt == "pdf":
        data = client_pdf(ctx.ledger_dir, document, client_einvoice(document.client, ledger.policy))
    elif fmt == "html":
        data = invoice_html(environment(ctx.ledger_dir), document).encode("utf-8")
    else:
        data = invoice_text(environment(ctx.ledger_dir), document).encode("utf-8")
    if output is not None:
        write_atomic(output, data)
    return data
