"""The invoice document: golden HTML and text, the PDF's text, the payment QR code, fonts."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.core.errors import PdfProblem
from ledgerops.core.model import Ledger
from ledgerops.render.invoice import invoice_email, invoice_html, invoice_pdf, invoice_text
from ledgerops.render.templates import environment
from tests.conftest import EXAMPLE_DAY, REPO, run_cli
from tests.golden import assert_golden

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "render"
SENT_AT = datetime(2026, 11, 16, 17, 2, 38, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    loaded = load(Context(REPO, EXAMPLE_DAY))
    assert loaded.ledger is not None
    return loaded.ledger


def _document(ledger: Ledger, invoice_id: str):
    (invoice,) = [inv for inv in ledger.invoices if inv.id == invoice_id]
    return invoice_document(ledger, invoice, EXAMPLE_DAY)


def _golden(name: str, actual: str, update: bool) -> None:
    # a mail part's lines end in CRLF on the wire
    assert_golden(GOLDEN / name, actual.replace("\r\n", "\n"), update)


def test_golden_invoice_html_and_text(ledger: Ledger, update_golden: bool) -> None:
    document = _document(ledger, "INV-2026-0014")
    env = environment(None)
    _golden("INV-2026-0014.html", invoice_html(env, document), update_golden)
    _golden("INV-2026-0014.txt", invoice_text(env, document), update_golden)


def test_golden_invoice_email(ledger: Ledger, update_golden: bool) -> None:
    message = invoice_email(environment(None), _document(ledger, "INV-2026-0014"), SENT_AT, b"%PDF-1.4\n")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Invoice INV-2026-0014 from Mara Lindqvist Design: Brand identity 2026"
    _golden("INV-2026-0014.email.txt", parsed.get_body(("plain",)).get_content(), update_golden)
    _golden("INV-2026-0014.email.html", parsed.get_body(("html",)).get_content(), update_golden)


def _pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    return text, sum(len(p.images) for p in reader.pages)


def test_the_pdf_shows_what_the_client_needs(ledger: Ledger) -> None:
    data = invoice_pdf(_document(ledger, "INV-2026-0014"))
    assert data.startswith(b"%PDF-")
    text, images = _pdf_text(data)
    for expected in ("INV-2026-0014", "16.12.2026", "3.711,16 €", "1.466,50 €", "VAT 7 % on 1.466,50 €", "102,66 €",
                     "Nordlicht Energie GmbH", "Tax ID DE287654324", "Your PO number", "00471",
                     "https://pay.lindqvist-design.example/INV-2026-0014", "DE89 3704 0044 0532 0130 00",
                     "Scan with your banking app", "RF53 INV2 0260 014"):  # fmt: skip
        assert expected in text, expected
    assert images == 1  # the EPC QR code


def test_the_girocode_carries_the_rf_creditor_reference(ledger: Ledger) -> None:
    import segno

    from ledgerops.render.invoice import _epc_qr

    doc = _document(ledger, "INV-2026-0014")
    assert doc.bank is not None
    expected = segno.helpers.make_epc_qr(name=doc.company.name, iban="DE89370400440532013000", amount=doc.amount_due,
                                         reference="RF53INV20260014", bic=doc.bank.bic)  # fmt: skip
    assert _epc_qr(doc).matrix == expected.matrix


def test_a_partly_paid_invoice_in_usd_has_no_girocode(ledger: Ledger) -> None:
    text, images = _pdf_text(invoice_pdf(_document(ledger, "INV-2026-0010")))
    assert "Late fee" in text and "- $2,000.00" in text and "$1,847.61" in text and "Nov 6, 2026" in text
    assert images == 0  # EPC QR codes are for euro transfers only


def test_the_pdf_is_the_same_every_time(ledger: Ledger) -> None:
    document = _document(ledger, "INV-2026-0007")
    assert invoice_pdf(document) == invoice_pdf(document)


def test_text_the_builtin_font_cannot_show_is_refused_with_a_way_out(ledger: Ledger) -> None:
    document = _document(ledger, "INV-2026-0007")
    client = dataclasses.replace(document.client, name="カゼ・ロボティクス株式会社")
    with pytest.raises(PdfProblem, match=r"templates/invoice/fonts/regular\.ttf"):
        invoice_pdf(dataclasses.replace(document, client=client))


def test_greek_and_cyrillic_names_render_in_the_shipped_font(ledger: Ledger) -> None:
    document = _document(ledger, "INV-2026-0007")
    client = dataclasses.replace(document.client, name="Ωμέγα Σύμβουλοι Α.Ε. · ООО «Северный ветер»")
    text, _ = _pdf_text(invoice_pdf(dataclasses.replace(document, client=client)))
    words = " ".join(text.split())  # the long name wraps
    assert "Ωμέγα Σύμβουλοι Α.Ε. · ООО «Северный ветер»" in words and "INV-2026-0007" in words


def test_a_ledger_font_replaces_the_shipped_one_and_is_checked_too(ledger: Ledger) -> None:
    import pikepdf

    from ledgerops.render.invoice import SHIPPED_FONTS

    document = _document(ledger, "INV-2026-0007")
    fonts = {"regular": SHIPPED_FONTS["bold"]}  # a ledger font: bold for everything
    pdf = pikepdf.open(io.BytesIO(invoice_pdf(document, fonts)))
    names = {str(font.BaseFont).split("+")[-1] for page in pdf.pages for font in page.Resources.Font.values()}
    assert names == {"DejaVuSansBold"}
    client = dataclasses.replace(document.client, name="カゼ・ロボティクス")
    with pytest.raises(PdfProblem, match="cannot show 'カ'"):
        invoice_pdf(dataclasses.replace(document, client=client), fonts)


def test_the_shipped_fonts_are_parsed_once_and_every_pdf_has_its_own_subset(ledger: Ledger) -> None:
    from ledgerops.render.invoice import _PARSED

    first = invoice_pdf(_document(ledger, "INV-2026-0007"))
    parsed = {path: entry[0] for path, entry in _PARSED.items()}
    other = invoice_pdf(_document(ledger, "INV-2026-0014"))  # other glyphs (€, ß)
    assert invoice_pdf(_document(ledger, "INV-2026-0007")) == first != other
    assert len(parsed) == 2 and {path: entry[0] for path, entry in _PARSED.items()} == parsed


def test_render_command_writes_a_file_or_prints(tmp_path: Path) -> None:
    out = tmp_path / "invoice.pdf"  # the format follows the extension
    result = run_cli(
        "render", "INV-2026-0012", "--ledger", str(REPO), "--today", "2026-11-27", "-o", str(out)
    )
    assert result.returncode == 0 and result.stdout == f"wrote {out}\n"
    assert out.read_bytes().startswith(b"%PDF-")
    printed = run_cli("render", "INV-2026-0012", "--ledger", str(REPO), "--today", "2026-11-27")
    assert (
        printed.returncode == 0
        and "INVOICE INV-2026-0012" in printed.stdout
        and "$5,400.00" in printed.stdout
    )


def test_a_ledger_template_overrides_the_document(example: Path) -> None:
    (example / "templates/invoice").mkdir(parents=True)
    (example / "templates/invoice/invoice.txt.j2").write_text("Rechnung {{ invoice_id }}: {{ amount_due }}\n")
    result = run_cli(
        "render", "INV-2026-0014", "--ledger", str(example), "--today", "2026-11-27", "--format", "txt"
    )
    assert result.stdout == "Rechnung INV-2026-0014: 3.711,16\xa0€\n"
    assert date(2026, 11, 27) == EXAMPLE_DAY


def test_a_draft_renders_as_it_would_leave_on_the_day_without_its_number() -> None:
    """What the approving pull request shows: dated the day it would be sent, due by its
    terms from then, service date kept; the number is taken only when it is issued."""
    printed = run_cli("render", "DRAFT-harbor-pine-SOCIAL-M2", "--ledger", str(REPO), "--today", "2026-11-27")
    assert printed.returncode == 0, printed.stderr
    assert "INVOICE DRAFT-harbor-pine-SOCIAL-M2" in printed.stdout and "INV-2026-0015" not in printed.stdout
    assert (
        "Issue date:      Nov 27, 2026" in printed.stdout
        and "Service date:    Nov 26, 2026" in printed.stdout
    )
    assert "Due date:        Dec 11, 2026 (14 days net)" in printed.stdout
