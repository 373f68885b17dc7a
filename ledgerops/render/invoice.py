"""The invoice document as HTML, PDF and text, and the invoice email, from one value.

The values come formatted for the client's locale from render/invoice_values.py; the words
are English (override the templates in the ledger's templates/ for another language).
"""

from __future__ import annotations

import copy
import io
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import jinja2
import segno.helpers
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.errors import PdfProblem
from ledgerops.core.reference import invoice_reference
from ledgerops.render.email import Attachment, Headers, compose
from ledgerops.render.invoice_email import invoice_email_parts
from ledgerops.render.invoice_values import document_values, epc_applies, invoice_message_id
from ledgerops.render.templates import render

HTML_TEMPLATE = "invoice/invoice.html.j2"
TEXT_TEMPLATE = "invoice/invoice.txt.j2"
FONT_FILES = ("invoice/fonts/regular.ttf", "invoice/fonts/bold.ttf")  # optional, in templates/
# DejaVu Sans (Latin, Greek, Cyrillic; licence in fonts/LICENSE_DEJAVU): every font of the PDF
# is embedded, so it displays the same everywhere and can be a PDF/A.
_SHIPPED = Path(__file__).resolve().parent / "fonts"
SHIPPED_FONTS = {"regular": _SHIPPED / "DejaVuSans.ttf", "bold": _SHIPPED / "DejaVuSans-Bold.ttf"}


def _epc_qr(doc: InvoiceDocument) -> Any:
    """The EPC ("GiroCode") QR code of the amount due, or None where it does not apply."""
    bank = doc.bank
    if bank is None or not epc_applies(doc):
        return None
    return segno.helpers.make_epc_qr(
        name=doc.company.name[:70],
        iban=bank.iban.replace(" ", "").upper(),
        amount=doc.amount_due,
        reference=invoice_reference(doc.invoice.id),  # the structured creditor reference field
        bic=bank.bic,
    )


# --- HTML and text ----------------------------------------------------------------------------
def invoice_html(env: jinja2.Environment, doc: InvoiceDocument) -> str:
    qr = _epc_qr(doc)
    values = {**document_values(doc), "qr_svg": qr.svg_data_uri(scale=4, border=0) if qr else None}
    return render(env, HTML_TEMPLATE, values)


def invoice_text(env: jinja2.Environment, doc: InvoiceDocument) -> str:
    return render(env, TEXT_TEMPLATE, document_values(doc))


# --- the email --------------------------------------------------------------------------------
def invoice_email(
    env: jinja2.Environment, doc: InvoiceDocument, now: datetime, pdf: bytes, extra: Sequence[Attachment] = ()
) -> Any:
    """The invoice email: text + HTML from the Markdown template, the PDF attached (and `extra`,
    the client's e-invoice XML)."""
    parts = invoice_email_parts(env, doc)
    headers = Headers(
        sender_name=doc.company.name,
        sender_email=doc.company.email,
        to=doc.client.email,
        cc=doc.client.cc,
        message_id=invoice_message_id(doc),
        date=now,
    )
    return compose(parts, headers, (Attachment(f"{doc.invoice.id}.pdf", pdf), *extra))


# --- PDF --------------------------------------------------------------------------------------
_INK = (31, 41, 55)
_MUTED = (107, 114, 128)
_RULE = (229, 231, 235)
_SHADE = (243, 244, 246)
_ACCENT = (29, 78, 216)
_ACCENT_LIGHT = (239, 246, 255)
_VOID = (185, 28, 28)
_LEFT, _WIDTH = 18.0, 174.0  # A4 with 18 mm margins


def invoice_pdf(
    doc: InvoiceDocument, fonts: Mapping[str, Path] | None = None, *, pdfa: bool = False
) -> bytes:
    """An A4 PDF of the invoice, in the shipped DejaVu Sans or the ledger's `fonts`
    ({"regular": path, "bold": path}); text the font cannot show is refused rather than
    printed as empty boxes. `pdfa`: a PDF/A-3B (sRGB output intent, XMP metadata), the
    base of a Factur-X invoice (render/facturx.py)."""
    values = document_values(doc)
    pdf = _Pdf(fonts, pdfa)
    pdf.set_creation_date(datetime.combine(doc.invoice.issue_date, time(), UTC))
    pdf.set_title(f"Invoice {doc.invoice.id}")
    pdf.set_author(doc.company.name)
    pdf.footer_text = " · ".join(
        part for part in (doc.company.name, *values["company"]["address_lines"], doc.company.email,
                          _tax_label(doc.company.tax_id)) if part
    )  # fmt: skip
    pdf.add_page()
    _pdf_header(pdf, values)
    _pdf_parties(pdf, values)
    _pdf_lines(pdf, values)
    _pdf_totals(pdf, values)
    _pdf_payment(pdf, values, _epc_qr(doc))
    return bytes(pdf.output())


def _tax_label(tax_id: str | None) -> str | None:
    return f"Tax ID {tax_id}" if tax_id else None


class _Pdf(FPDF):
    """A4 in millimetres, with the footer on every page and one font family throughout."""

    def __init__(self, fonts: Mapping[str, Path] | None, pdfa: bool) -> None:
        super().__init__(format="A4", unit="mm", enforce_compliance="PDF/A-3B" if pdfa else None)
        self.footer_text = ""
        # DejaVu Sans runs 13 % wider than the Helvetica the layout was drawn for (bold 20 %),
        # with a taller x-height: a tenth smaller, it keeps the look and the line breaks.
        self.size_scale = 1.0 if fonts else 0.9
        if fonts:
            self.add_font("invoice", "", str(fonts["regular"]))
            self.add_font("invoice", "B", str(fonts.get("bold", fonts["regular"])))
        else:
            _add_shipped_font(self, "", SHIPPED_FONTS["regular"])
            _add_shipped_font(self, "B", SHIPPED_FONTS["bold"])
        self.set_margins(_LEFT, 16, _LEFT)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-14)
        self.text_style(7.5, _MUTED)
        self.set_x(_LEFT)
        self.cell(_WIDTH - 20, 4, self.footer_text)
        self.cell(20, 4, f"{self.page_no()}/{{nb}}", align="R")

    def text_style(self, size: float, color: tuple[int, int, int], bold: bool = False) -> None:
        self.set_font("invoice", "B" if bold else "", size * self.size_scale)
        self.set_text_color(*color)

    def normalize_text(self, text: str) -> str:
        font = self.current_font
        assert isinstance(font, TTFFont)  # the PDF has no other fonts
        return super().normalize_text(_shown(text, font.cmap))


def _shown(text: str, cmap: Mapping[int, Any]) -> str:
    """The text in characters the font has; compatibility forms (full-width ¥, narrow
    spaces) are folded to their plain twins, anything else is refused with a way out."""
    if all(ord(char) in cmap or char < " " for char in text):  # line breaks are not glyphs
        return text
    out = []
    for char in text:
        candidate = char if ord(char) in cmap or char < " " else unicodedata.normalize("NFKC", char)
        if not all(ord(c) in cmap for c in candidate):
            raise PdfProblem(
                f"the PDF font cannot show {char!r} (in {text!r}); add TrueType fonts that can "
                f"as templates/{FONT_FILES[0]} and templates/{FONT_FILES[1]} in the ledger"
            )
        out.append(candidate)
    return "".join(out)


# The shipped fonts, parsed once per process (their character map and widths take about
# 35 ms a font); each document gets its own copy of the font program to subset, since the
# subsetting happens in place when the PDF is written.
_PARSED: dict[Path, tuple[Any, bytes]] = {}


def _add_shipped_font(pdf: FPDF, style: str, path: Path) -> None:
    from fontTools import ttLib  # type: ignore[import-untyped]

    if path not in _PARSED:
        _PARSED[path] = (TTFFont(pdf, path, "invoice" + style, style), path.read_bytes())
    parsed, program = _PARSED[path]
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.fontkey = "invoice" + style
    font.ttfont = ttLib.TTFont(io.BytesIO(program), recalcTimestamp=False, lazy=True)
    font.desc = copy.copy(parsed.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


def _pdf_header(pdf: Any, v: Mapping[str, Any]) -> None:
    company = v["company"]
    top = pdf.get_y()
    pdf.text_style(16, _INK, bold=True)
    pdf.cell(110, 8, company["name"])
    pdf.set_xy(_LEFT + 110, top)
    pdf.text_style(22, _VOID if v["void"] else _ACCENT, bold=True)
    pdf.cell(_WIDTH - 110, 9, "VOID" if v["void"] else "INVOICE", align="R")
    pdf.set_xy(_LEFT + 110, top + 10)
    pdf.text_style(11, _INK, bold=True)
    pdf.cell(_WIDTH - 110, 6, v["invoice_id"], align="R")
    pdf.set_xy(_LEFT, top + 9)
    pdf.text_style(9, _MUTED)
    for line in [*company["address_lines"], company["email"], _tax_label(company["tax_id"])]:
        if line:
            pdf.cell(110, 4.4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.3)
    rule_y = max(pdf.get_y(), top + 18) + 5
    pdf.line(_LEFT, rule_y, _LEFT + _WIDTH, rule_y)
    pdf.set_y(rule_y + 6)


def _pdf_parties(pdf: Any, v: Mapping[str, Any]) -> None:
    top = pdf.get_y()
    client = v["client"]
    pdf.text_style(7.5, _MUTED, bold=True)
    pdf.cell(90, 4, "BILL TO", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.text_style(10.5, _INK, bold=True)
    pdf.multi_cell(90, 5, client["name"], align="L", new_x="LMARGIN", new_y="NEXT")  # a name: not justified
    pdf.text_style(9.5, _INK)
    for line in [*client["address_lines"], _tax_label(client["tax_id"])]:
        if line:
            pdf.cell(90, 4.6, line, new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    details = [
        ("Invoice number", v["invoice_id"]),
        ("Issue date", v["issue_date"]),
        (v["service_label"], v["service"]),
        ("Due date", v["due_date"]),
        ("Payment terms", f"{v['terms_days']} days net"),
        ("Your PO number", v["po_number"]),
        ("Project", v["project"]),
    ]
    y = top
    for label, value in details:
        if not value:
            continue
        pdf.set_xy(_LEFT + 104, y)
        pdf.text_style(8.5, _MUTED)
        pdf.cell(30, 5, label)
        pdf.text_style(9.5, _INK, bold=label == "Due date")
        pdf.multi_cell(_WIDTH - 134, 5, value, align="R", new_x="LMARGIN", new_y="NEXT")
        y = pdf.get_y() + 0.6
    pdf.set_y(max(left_end, y) + 9)


_COLUMNS = (("Description", 86.0, "L"), ("Qty", 16.0, "R"), ("Unit price", 28.0, "R"),
            ("Tax", 16.0, "R"), ("Amount", 28.0, "R"))  # fmt: skip


def _pdf_table_head(pdf: Any) -> None:
    pdf.set_fill_color(*_SHADE)
    pdf.text_style(7.5, _MUTED, bold=True)
    pdf.set_x(_LEFT)
    for index, (title, width, align) in enumerate(_COLUMNS):
        padding = " " if index in (0, len(_COLUMNS) - 1) else ""
        text = f"{padding}{title.upper()}" if align == "L" else f"{title.upper()}{padding}"
        pdf.cell(width, 7, text, align=align, fill=True)
    pdf.ln(7)


def _pdf_lines(pdf: Any, v: Mapping[str, Any]) -> None:
    _pdf_table_head(pdf)
    pdf.set_draw_color(*_RULE)
    for line in v["lines"]:
        pdf.text_style(9.5, _INK)
        inner = _COLUMNS[0][1] - 4
        height = (
            max(pdf.multi_cell(inner, 5, line["description"], align="L", dry_run=True, output="HEIGHT"), 5)
            + 4
        )
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            _pdf_table_head(pdf)
            pdf.text_style(9.5, _INK)
        y = pdf.get_y()
        pdf.set_xy(_LEFT + 2, y + 2)
        pdf.multi_cell(inner, 5, line["description"], align="L")
        x = _LEFT + _COLUMNS[0][1]
        for key, (_, width, _) in zip(
            ("quantity", "unit_price", "tax_rate", "net"), _COLUMNS[1:], strict=True
        ):
            pdf.set_xy(x, y + 2)
            pdf.cell(width - (2 if key == "net" else 0), 5, line[key], align="R")
            x += width
        pdf.line(_LEFT, y + height, _LEFT + _WIDTH, y + height)
        pdf.set_y(y + height)
    pdf.ln(4)


def _pdf_totals(pdf: Any, v: Mapping[str, Any]) -> None:
    rows = [(entry["label"], entry["value"], False) for entry in v["subtotals"]]
    rows.append(("Total", v["total"], True))
    if v["late_fees"]:
        rows.append(("Late fee", v["late_fees"], False))
    if v["paid"]:
        rows.append(("Paid", f"- {v['paid']}", False))
    if v.get("credited"):
        rows.append(("Credit notes", f"- {v['credited']}", False))
    needed = 6 * len(rows) + 14
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    label_x, label_w, value_w = _LEFT + 84, 58.0, 32.0
    for label, value, strong in rows:
        if strong:
            pdf.line(label_x, pdf.get_y() + 0.5, _LEFT + _WIDTH, pdf.get_y() + 0.5)
            pdf.ln(1.5)
        pdf.set_x(label_x)
        pdf.text_style(9.5, _INK if strong else _MUTED, bold=strong)
        pdf.cell(label_w, 6, label)
        pdf.text_style(9.5, _INK, bold=strong)
        pdf.cell(value_w - 2, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_x(label_x)
    pdf.set_fill_color(*_ACCENT_LIGHT)
    pdf.text_style(11, _ACCENT, bold=True)
    pdf.cell(label_w, 9, " Amount due", fill=True)
    pdf.cell(value_w, 9, f"{v['amount_due']}  ", align="R", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for text in v["tax_notes"]:
        pdf.text_style(8.5, _MUTED)
        pdf.multi_cell(_WIDTH, 4.4, f"VAT: {text}", new_x="LMARGIN", new_y="NEXT")
    if v["note"]:
        pdf.ln(1)
        pdf.text_style(9, _INK)
        pdf.multi_cell(_WIDTH, 4.6, v["note"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)


def _pdf_payment(pdf: Any, v: Mapping[str, Any], qr: Any) -> None:
    if v["void"]:
        return
    qr_size = 30.0
    if pdf.get_y() + 44 > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    text_width = _WIDTH - (qr_size + 8 if qr else 0)
    pdf.text_style(10, _INK, bold=True)
    pdf.cell(text_width, 6, "How to pay", new_x="LMARGIN", new_y="NEXT")
    pdf.text_style(9.5, _INK)
    pdf.multi_cell(text_width, 5, f"Please pay {v['amount_due']} by {v['due_date']}, quoting "
                   f"{v['reference']} as the reference.", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(1.5)
    if v["payment_link"]:
        pdf.text_style(9, _MUTED)
        pdf.cell(28, 5, "Pay online")
        pdf.text_style(9.5, _ACCENT)
        pdf.cell(text_width - 28, 5, v["payment_link"], link=v["payment_link"], new_x="LMARGIN", new_y="NEXT")
    bank = v["bank"]
    if bank:
        for label, value in (
            ("Account holder", bank["holder"]),
            ("IBAN", bank["iban"]),
            ("BIC", bank["bic"]),
            ("Reference", v["reference"]),
        ):
            if value:
                pdf.text_style(9, _MUTED)
                pdf.cell(28, 5, label)
                pdf.text_style(9.5, _INK, bold=label == "IBAN")
                pdf.cell(text_width - 28, 5, value, new_x="LMARGIN", new_y="NEXT")
    if v["payment_methods"]:
        pdf.text_style(9, _MUTED)
        pdf.cell(28, 5, "Accepted")
        pdf.text_style(9.5, _INK)
        pdf.cell(text_width - 28, 5, ", ".join(v["payment_methods"]), new_x="LMARGIN", new_y="NEXT")
    if qr:
        image = io.BytesIO()
        qr.save(image, kind="png", scale=8, border=0)
        x = _LEFT + _WIDTH - qr_size
        pdf.image(image, x=x, y=top + 1, w=qr_size, h=qr_size)
        pdf.set_xy(x - 4, top + qr_size + 2)
        pdf.text_style(7, _MUTED)
        pdf.multi_cell(qr_size + 8, 3.4, "Scan with your banking app to pay (GiroCode)", align="C")
