"""The Factur-X PDF: a PDF/A-3B as far as open tools can tell (qpdf, pikepdf: structure, XMP,
output intent, embedded fonts) with the CII built for the invoice inside, as factur-x.xml;
`render --format pdf` writes it and `send` emails it to a factur-x client."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.core.en16931 import einvoice_terms
from ledgerops.render.einvoice import cii_xml
from ledgerops.render.invoice import invoice_pdf
from tests.conftest import run_cli

facturx = pytest.importorskip("facturx")
pikepdf = pytest.importorskip("pikepdf")

from ledgerops.render.facturx import facturx_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 27)
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
BASE_14 = {"Courier", "Helvetica", "Times-Roman", "Times", "Symbol", "ZapfDingbats"}


@pytest.fixture(scope="module")
def example() -> Any:
    return load(Context(ROOT, TODAY)).ledger


def _document(ledger: Any, invoice_id: str) -> Any:
    (invoice,) = [i for i in ledger.invoices if i.id == invoice_id]
    return invoice_document(ledger, invoice, TODAY)


def _fonts(pdf: Any) -> list[Any]:
    """Every font the pages use, the descendant of a Type0 font in its place."""
    found = []
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            found += list(font.DescendantFonts) if font.Subtype == "/Type0" else [font]
    return found


def assert_fonts_embedded(data: bytes) -> None:
    pdf = pikepdf.open(io.BytesIO(data))  # kept open while its fonts are read
    fonts = _fonts(pdf)
    assert fonts
    for font in fonts:
        name = str(font.BaseFont).lstrip("/").split("+")[-1]
        assert not any(name.startswith(base) for base in BASE_14), name
        assert "/FontFile2" in font.FontDescriptor, name


def assert_pdfa_3b(data: bytes) -> Any:
    """The PDF/A-3B parts open tools can check; the opened PDF."""
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.pdf_version >= "1.7"
    with pdf.open_metadata() as meta:
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        assert meta[f"{{{FX}}}ConformanceLevel"] == "EN 16931"
        assert meta[f"{{{FX}}}DocumentFileName"] == "factur-x.xml"
        assert meta[f"{{{FX}}}DocumentType"] == "INVOICE"
    assert "pdfaExtension:schemas" in bytes(pdf.Root.Metadata.read_bytes()).decode()
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1"
    profile = intent.DestOutputProfile
    icc = profile.read_bytes()
    assert profile.N == 3 and icc[36:40] == b"acsp" and icc[16:20] == b"RGB "  # an RGB ICC profile
    assert "sRGB" in str(intent.OutputConditionIdentifier)
    assert_fonts_embedded(data)
    assert "/Encrypt" not in pdf.trailer
    return pdf


def test_the_xml_inside_the_pdf_is_the_one_built(example: Any) -> None:
    for invoice in [i for i in example.invoices if i.numbered]:
        document = invoice_document(example, invoice, TODAY)
        filename, xml = facturx.get_xml_from_pdf(facturx_pdf(document), check_xsd=True)
        assert filename == "factur-x.xml", invoice.id
        assert xml == cii_xml(einvoice_terms(document, "factur-x")), invoice.id


def test_the_pdf_is_pdfa_3b_with_the_xml_attached_as_data(example: Any, tmp_path: Path) -> None:
    data = facturx_pdf(_document(example, "INV-2026-0014"))
    pdf = assert_pdfa_3b(data)
    (spec,) = pdf.Root.AF
    assert spec.AFRelationship == "/Data" and str(spec.UF) == "factur-x.xml"
    assert spec.EF.F.Subtype == "/text/xml"
    names = pdf.Root.Names.EmbeddedFiles.Names
    assert str(names[0]) == "factur-x.xml" and names[1].objgen == spec.objgen
    if shutil.which("qpdf"):
        (tmp_path / "fx.pdf").write_bytes(data)
        checked = subprocess.run(
            ["qpdf", "--check", str(tmp_path / "fx.pdf")], capture_output=True, text=True
        )
        assert checked.returncode == 0 and "No syntax or stream encoding errors" in checked.stdout, (
            checked.stdout
        )


def test_every_pdf_embeds_its_fonts(example: Any) -> None:
    """No base-14 font in any ledgerops PDF: the plain one embeds its fonts too."""
    for invoice in example.invoices:
        assert_fonts_embedded(invoice_pdf(invoice_document(example, invoice, TODAY)))


def test_greek_and_cyrillic_names_survive_into_the_facturx_pdf(example: Any) -> None:
    import dataclasses

    from pypdf import PdfReader

    document = _document(example, "INV-2026-0014")
    for name in ("Αθηναϊκή Ενέργεια Α.Ε.", "ООО «Северный ветер»"):
        client = dataclasses.replace(document.client, name=name)
        data = facturx_pdf(dataclasses.replace(document, client=client))
        assert_pdfa_3b(data)
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert name in text
        _, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
        assert name.encode() in xml


def test_building_a_facturx_pdf_is_fast(example: Any) -> None:
    import os

    document = _document(example, "INV-2026-0014")
    facturx_pdf(document)  # start-up: imports, the fonts parsed
    start = time.perf_counter()
    for _ in range(5):
        facturx_pdf(document)
    each = (time.perf_counter() - start) / 5
    assert each < float(os.environ.get("LEDGEROPS_FACTURX_BUDGET", "0.5")), each


@pytest.mark.slow
def test_a_facturx_client_gets_the_pdfa_by_email_and_from_render(tmp_path: Path, smtp_server) -> None:
    import email
    import email.policy
    import json
    import os

    from tests.gitledger import commit_all, example_repo

    ledger = example_repo(tmp_path / "ledger")
    client = ledger / "clients/harbor-pine.yaml"
    client.write_text(client.read_text() + "einvoice: factur-x\n")
    commit_all(ledger, "harbor-pine gets Factur-X invoices")

    rendered = tmp_path / "INV-2026-0012.pdf"  # an earlier invoice of harbor-pine
    done = run_cli(
        "render", "INV-2026-0012", "--ledger", str(ledger), "--today", "2026-11-27", "-o", str(rendered)
    )
    assert done.returncode == 0, done.stderr
    assert_pdfa_3b(rendered.read_bytes())
    assert facturx.get_xml_from_pdf(rendered.read_bytes())[0] == "factur-x.xml"
    other = tmp_path / "INV-2026-0014.pdf"  # another client's: the plain PDF
    assert run_cli("render", "INV-2026-0014", "--ledger", str(ledger), "--today", "2026-11-27",
                   "-o", str(other)).returncode == 0  # fmt: skip
    assert "/EmbeddedFiles" not in pikepdf.open(other).Root.get("/Names", {})

    server = smtp_server()
    sent = run_cli("send", "--ledger", str(ledger), "--today", "2026-11-27", "--transport", "smtp",
                   "--format", "json", env={**os.environ, **server.environ()})  # fmt: skip
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert [s["invoice"] for s in json.loads(sent.stdout)["sent"]] == ["INV-2026-0015"]
    (received,) = [email.message_from_bytes(r.data, policy=email.policy.default) for r in server.received]
    attached = {part.get_filename(): part for part in received.iter_attachments()}
    assert sorted(attached) == ["INV-2026-0015.pdf"]  # the XML is inside, not beside it
    data = attached["INV-2026-0015.pdf"].get_content()
    assert_pdfa_3b(data)
    _, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert b"<ram:ID>INV-2026-0015</ram:ID>" in xml
