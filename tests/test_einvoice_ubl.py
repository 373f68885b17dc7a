"""EN 16931 UBL (Peppol BIS Billing 3.0) from the business-term table: every issued example
invoice, and a CreditNote of each, passes the UBL 2.1 schema, the official CEN Schematron for
UBL and the Peppol BIS rules (ledgerops/einvoice_rules/) with no fatal assert, a broken one
fails with the rule ids, and every term sits at the table's UBL path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.core.en16931 import PEPPOL_PROFILE, SPECIFICATIONS, einvoice_terms
from ledgerops.core.sending import issued
from ledgerops.render.einvoice import ubl_xml
from tests.conftest import EXAMPLE_DAY, REPO, run_cli
from tests.schematron import (
    UBL_CREDIT_XSD,
    UBL_NS,
    UBL_RULES,
    UBL_XSD,
    einvoice_of,
    fatal,
    misplaced_terms,
    terms_of,
    validator,
)

for needed in ("lxml.etree", "saxonche", "facturx"):  # facturx ships the UBL schemas
    pytest.importorskip(needed)
from lxml import etree  # noqa: E402

NS, ROOT, TODAY = UBL_NS, REPO, EXAMPLE_DAY


@pytest.fixture(scope="module")
def validate() -> Any:
    """The failed asserts; a document that breaks the UBL schema has one more, ("xsd", "fatal")."""
    invoice, credit_note = validator(UBL_XSD, *UBL_RULES), validator(UBL_CREDIT_XSD, *UBL_RULES)

    def run(data: bytes) -> list[tuple[str, str]]:
        valid, failed = (credit_note if b"CreditNote-2" in data[:400] else invoice)(data)
        return failed if valid else [("xsd", "fatal"), *failed]

    return run


@pytest.fixture(scope="module")
def example() -> Any:
    """The example ledger, loaded as check loads it."""
    ledger = load(Context(ROOT, TODAY)).ledger
    assert ledger.invoices
    return ledger


def _ubl(ledger: Any, invoice: Any) -> bytes:
    return einvoice_of(ledger, invoice, "ubl", TODAY)


def test_every_issued_example_invoice_passes_the_cen_rules(example: Any, validate: Any) -> None:
    numbered = [invoice for invoice in example.invoices if invoice.numbered]
    assert len(numbered) >= 10
    for invoice in numbered:
        data = _ubl(example, invoice)
        assert fatal(validate(data)) == [], invoice.id
        tree = etree.fromstring(data)
        assert tree.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
        assert tree.findtext("cbc:CustomizationID", namespaces=NS) == SPECIFICATIONS["peppol-ubl"]
        assert tree.findtext("cbc:ProfileID", namespaces=NS) == PEPPOL_PROFILE


def test_a_credit_note_of_every_example_invoice_passes_the_cen_and_peppol_rules(
    example: Any, validate: Any
) -> None:
    for invoice in example.invoices:
        terms = terms_of(invoice_document(example, invoice, TODAY), "peppol-ubl", credit=True)
        data = ubl_xml(terms)
        assert fatal(validate(data)) == [], invoice.id
        tree = etree.fromstring(data)
        assert tree.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
        assert tree.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
        assert len(tree.findall("cac:CreditNoteLine/cbc:CreditedQuantity", NS)) == len(invoice.lines)
        reference = "cac:BillingReference/cac:InvoiceDocumentReference/"
        assert tree.findtext(reference + "cbc:ID", namespaces=NS) == invoice.id
        assert tree.findtext(reference + "cbc:IssueDate", namespaces=NS) == invoice.issue_date.isoformat()
        assert misplaced_terms(data, terms.header, "ubl") == [], invoice.id


def test_every_party_has_a_peppol_endpoint(example: Any) -> None:
    """Derived from the tax id: DE VAT 9930, US EIN 9959, JP qualified invoice issuer 0221."""
    seen = set()
    for invoice in [i for i in example.invoices if i.numbered]:
        tree = etree.fromstring(_ubl(example, invoice))
        for party in ("cac:AccountingSupplierParty", "cac:AccountingCustomerParty"):
            found = tree.find(party + "/cac:Party/cbc:EndpointID", NS)
            seen.add((found.get("schemeID"), found.text))
    assert {("9930", "DE312456782"), ("9959", "934417820"), ("0221", "T5180001098765")} <= seen, seen


@pytest.mark.parametrize(
    ("peppol_id", "tax_id", "country", "expected"),
    [
        ("0208:0123456749", "BE0123456749", "BE", ("0208", "0123456749")),
        (None, "BE 0123.456.749", "BE", ("0208", "0123456749")),
        (None, "ATU12345678", "AT", ("9914", "ATU12345678")),
        (None, "12345", "GB", ("EM", "a@b.example")),
        (None, None, "DE", ("EM", "a@b.example")),
    ],
)
def test_endpoint(peppol_id: str | None, tax_id: str | None, country: str, expected: tuple[str, str]) -> None:
    from ledgerops.core.en16931 import endpoint

    assert endpoint(peppol_id, tax_id, country, "a@b.example") == expected


def test_the_drafts_as_issued_pass_too(example: Any, validate: Any) -> None:
    taken: list[str] = []
    for draft in [invoice for invoice in example.invoices if not invoice.numbered]:
        invoice = issued(example, draft, TODAY, taken)
        taken.append(invoice.id)
        assert [f for f in validate(_ubl(example, invoice)) if f[1] == "fatal"] == [], draft.id


def test_a_broken_invoice_fails_with_the_rule_ids(example: Any, validate: Any) -> None:
    invoice = next(invoice for invoice in reversed(example.invoices) if invoice.numbered)
    tree = etree.fromstring(_ubl(example, invoice))
    buyer = tree.find("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", NS)
    buyer.getparent().remove(buyer)
    tree.find("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", NS).text = "9999.00"
    ids = set(fatal(validate(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))))
    assert {"BR-07", "BR-CO-15"} <= ids, ids


def test_every_term_of_the_table_is_where_the_table_says(example: Any) -> None:
    draft = next(i for i in example.invoices if i.id == "DRAFT-harbor-pine-SOCIAL-M2")
    for invoice in (issued(example, draft, TODAY), *[i for i in example.invoices if i.numbered]):
        terms = einvoice_terms(invoice_document(example, invoice, TODAY), "peppol-ubl")
        assert misplaced_terms(ubl_xml(terms), terms.header, "ubl") == [], invoice.id


@pytest.mark.slow
def test_render_writes_the_ubl(tmp_path: Path, validate: Any) -> None:
    out = tmp_path / "INV-2026-0014.xml"
    done = run_cli("render", "INV-2026-0014", "--ledger", str(ROOT), "--today", "2026-11-27",
                   "--format", "ubl", "-o", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [f for f in validate(out.read_bytes()) if f[1] == "fatal"] == []
    piped = run_cli(
        "render", "INV-2026-0014", "--ledger", str(ROOT), "--today", "2026-11-27", "--format", "ubl"
    )
    assert piped.stdout.encode() == out.read_bytes()


@pytest.mark.slow
def test_a_peppol_client_gets_the_ubl_attached_to_the_invoice_email(tmp_path: Path, validate: Any) -> None:
    import email
    import email.policy

    from tests.gitledger import commit_all, example_repo

    ledger = example_repo(tmp_path / "ledger")
    client = ledger / "clients/harbor-pine.yaml"
    client.write_text(client.read_text() + "einvoice: peppol-ubl\n")
    commit_all(ledger, "harbor-pine gets Peppol e-invoices")
    done = run_cli("run", "--ledger", str(ledger), "--today", "2026-11-27", "--transport", "outbox")
    assert done.returncode == 0, done.stdout + done.stderr
    sent = [path for path in (ledger / "outbox").rglob("*.eml") if "INV-2026-0015" in path.read_text()]
    message = email.message_from_bytes(sent[0].read_bytes(), policy=email.policy.default)
    attached = {part.get_filename(): part for part in message.iter_attachments()}
    assert sorted(attached) == ["INV-2026-0015.pdf", "INV-2026-0015.xml"]
    assert attached["INV-2026-0015.xml"].get_content_type() == "application/xml"
    data = attached["INV-2026-0015.xml"].get_content()
    data = data if isinstance(data, bytes) else data.encode("utf-8")
    assert etree.fromstring(data).findtext("cbc:ID", namespaces=NS) == "INV-2026-0015"
    assert [f for f in validate(data) if f[1] == "fatal"] == []


def test_send_refuses_an_e_invoice_a_fatal_rule_fires_on(example: Any) -> None:
    """Checked before the claim: the reason names the rules (docs/einvoicing.md)."""
    from dataclasses import replace

    from ledgerops.app.send import einvoice_refusal

    invoice = next(i for i in example.invoices if i.client == "nordlicht")
    policy = replace(example.policy, einvoice="xrechnung-cii")
    assert einvoice_refusal(replace(example, policy=policy), invoice, TODAY) is None
    anonymous = replace(policy, company=replace(policy.company, contact_name=None, phone=None))
    refused = einvoice_refusal(replace(example, policy=anonymous), invoice, TODAY)
    assert refused and refused.startswith("einvoice-invalid:") and "BR-DE-5, BR-DE-6" in refused, refused
    assert einvoice_refusal(example, invoice, TODAY) is None  # the example's clients get none
