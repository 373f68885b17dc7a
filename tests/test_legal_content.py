"""docs/spec.md §4.5: what a draft must state before it is sent; issued invoices keep passing."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.render.invoice import invoice_pdf
from tests.conftest import MiniLedger

INVOICE = "invoices/2026/INV-2026-0001.yaml"
BARE_POLICY = "company: {name: Jane Doe Studio, email: billing@janedoe.example}\ncurrency: EUR\n"


def _replace(mini: MiniLedger, path: str, old: str, new: str) -> None:
    target = mini.root / path
    text = target.read_text()
    assert old in text, f"{old!r} not in {path}"
    target.write_text(text.replace(old, new, 1))


DRAFT = "invoices/drafts/DRAFT-acme-WEB-M1.yaml"


def _draft(mini: MiniLedger) -> None:
    assert mini.draft(INVOICE) == DRAFT


def _codes(mini: MiniLedger) -> list[str]:
    return sorted(code for code, *_ in mini.codes(today=date(2026, 11, 3)))


def test_an_issued_invoice_is_not_held_to_the_new_rules(mini: MiniLedger) -> None:
    """A ledger written before §4.5: no address, tax id, bank, service date or 0 % reason."""
    mini.write("policy.yaml", BARE_POLICY)
    _replace(mini, "clients/acme.yaml", 'address: "Hauptstr. 5, 80331 München"\n', "")
    _replace(mini, INVOICE, "service_date: 2026-10-30\n", "")
    _replace(mini, INVOICE, "tax_rate: 19", "tax_rate: 0")
    assert _codes(mini) == []


def test_a_draft_needs_each_piece(mini: MiniLedger) -> None:
    mini.write("policy.yaml", BARE_POLICY)
    _replace(mini, "clients/acme.yaml", 'address: "Hauptstr. 5, 80331 München"\n', "")
    _replace(mini, INVOICE, "service_date: 2026-10-30\n", "")
    _replace(mini, INVOICE, "tax_rate: 19", "tax_rate: 0")
    _draft(mini)
    assert _codes(mini) == [
        "bank-details-missing",
        "buyer-address-missing",
        "seller-address-missing",
        "seller-tax-id-missing",
        "service-date-missing",
        "tax-reason-missing",
    ]
    found = {code: (path, line, col) for code, path, line, col in mini.codes(today=date(2026, 11, 3))}
    assert found["bank-details-missing"][0] == "policy.yaml"
    assert found["tax-reason-missing"] == (DRAFT, 12, 15)


def test_the_complete_draft_passes(mini: MiniLedger) -> None:
    _draft(mini)
    assert _codes(mini) == []


def test_seller_details_are_reported_once_for_many_drafts(mini: MiniLedger) -> None:
    mini.write(
        "policy.yaml", BARE_POLICY.replace("currency: EUR\n", "currency: EUR\npayment_methods: [card]\n")
    )
    _draft(mini)
    text = (mini.root / DRAFT).read_text()
    mini.write("invoices/drafts/DRAFT-acme-extra.yaml", text.replace("DRAFT-acme-WEB-M1", "DRAFT-acme-extra")
               .replace("milestone: M1\n", ""))  # fmt: skip
    assert _codes(mini) == ["seller-address-missing", "seller-tax-id-missing"]


def test_reverse_charge_needs_a_valid_buyer_vat_id(mini: MiniLedger) -> None:
    _draft(mini)
    _replace(mini, DRAFT, "tax_rate: 19", "tax_rate: 0\n    tax_reason: reverse_charge")
    assert _codes(mini) == ["buyer-vat-id-missing"]
    _replace(mini, "clients/acme.yaml", "terms_days: 30", "terms_days: 30\ntax_id: FR40303265046")
    assert _codes(mini) == ["invalid-vat-id"]
    _replace(mini, "clients/acme.yaml", "FR40303265046", "FR40303265045")
    assert _codes(mini) == []


def test_the_client_treatment_is_the_default_reason(mini: MiniLedger) -> None:
    _draft(mini)
    _replace(mini, DRAFT, "tax_rate: 19", "tax_rate: 0")
    _replace(mini, "clients/acme.yaml", "terms_days: 30", "terms_days: 30\ntax_treatment: exempt")
    assert _codes(mini) == ["tax-reason-text-missing"]
    mini.write("policy.yaml", (mini.root / "policy.yaml").read_text()
               + 'tax_reasons: {exempt: "Steuerfrei nach § 4 Nr. 21 UStG"}\n')  # fmt: skip
    assert _codes(mini) == []


def test_a_reason_on_a_taxed_line_and_an_unknown_reason(mini: MiniLedger) -> None:
    _draft(mini)
    _replace(mini, DRAFT, "tax_rate: 19", "tax_rate: 19\n    tax_reason: export")
    assert _codes(mini) == ["invalid-value"]
    _replace(mini, DRAFT, "tax_reason: export", "tax_reason: charity")
    assert _codes(mini) == ["invalid-value"]


def test_an_invalid_seller_vat_id_is_reported_while_a_draft_waits(mini: MiniLedger) -> None:
    _replace(mini, "policy.yaml", "DE136695976", "DE136695977")
    assert _codes(mini) == []
    _draft(mini)
    assert _codes(mini) == ["invalid-vat-id"]


def test_a_service_period_ends_after_it_starts(mini: MiniLedger) -> None:
    _draft(mini)
    _replace(mini, DRAFT, "service_date: 2026-10-30",
             "service_period: {start: 2026-10-30, end: 2026-10-01}")  # fmt: skip
    assert _codes(mini) == ["date-order"]


def test_the_pdf_states_service_date_reason_and_note(mini: MiniLedger) -> None:
    _draft(mini)
    _replace(mini, DRAFT, "tax_rate: 19", "tax_rate: 0\n    tax_reason: export")
    _replace(mini, DRAFT, "service_date: 2026-10-30\n",
             'service_period: {start: 2026-10-01, end: 2026-10-30}\nnote: "Thank you for the order"\n')  # fmt: skip
    loaded = load(Context(mini.root, date(2026, 11, 3)))
    assert [d.code for d in loaded.diagnostics] == []
    invoice = loaded.ledger.invoices[0]
    pdf = invoice_pdf(invoice_document(loaded.ledger, invoice, date(2026, 11, 3)))
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("Service period", "Oct 1, 2026", "– Oct 30", "Art. 146 Directive 2006/112/EC",
                     "Thank you for the order", "Tax ID DE136695976"):  # fmt: skip
        assert expected in text, expected
