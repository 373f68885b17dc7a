"""The one email composer: parts, headers, threading, templates from the ledger."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ledgerops.core.errors import TemplateProblem, UnsafeHeader
from ledgerops.render.email import Attachment, Headers, compose, message_id, render_parts
from ledgerops.render.templates import environment

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=1)))
VALUES = {
    "invoice_id": "INV-2026-0007",
    "amount_due": "€4,760.00",
    "payment_link": "https://pay.example/INV-2026-0007",
    "company": {
        "name": "Studio",
        "email": "billing@studio.example",
        "address_lines": ["Street 1"],
        "tax_id": None,
    },
}


def _ledger_template(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return tmp_path


def _headers(**changes: object) -> Headers:
    base = dict(sender_name="Studio", sender_email="billing@studio.example", to=("ap@client.example",),
                cc=("pm@client.example",), message_id=message_id("INV-2026-0007", "overdue_7", "billing@studio.example"),
                date=NOW, in_reply_to=message_id("INV-2026-0007", "invoice", "billing@studio.example"))  # fmt: skip
    base.update(changes)
    return Headers(**base)  # type: ignore[arg-type]


TEMPLATE = (
    "Subject: Reminder: {{ invoice_id }}\n\n"
    "Hello,\n\n**{{ invoice_id }}** is due: {{ amount_due }}.\n\n"
    "[Pay now]({{ payment_link }})\n\n<b>{{ company.name }}</b>\n"
)


def test_a_message_has_text_html_and_the_pdf_and_threads_under_the_invoice(tmp_path: Path) -> None:
    env = environment(_ledger_template(tmp_path, "reminders/overdue_7.md.j2", TEMPLATE))
    parts = render_parts(env, "reminders/overdue_7.md.j2", VALUES)
    message = compose(parts, _headers(), [Attachment("INV-2026-0007.pdf", b"%PDF-1.4 test")])
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert attachment.get_filename() == "INV-2026-0007.pdf" and attachment.get_content() == b"%PDF-1.4 test"
    assert parsed["Subject"] == "Reminder: INV-2026-0007"
    assert (
        parsed["From"] == "Studio <billing@studio.example>" and parsed["Reply-To"] == "billing@studio.example"
    )
    assert parsed["To"] == "ap@client.example" and parsed["Cc"] == "pm@client.example"
    assert parsed["Message-ID"] == "<INV-2026-0007.overdue_7@studio.example>"
    assert parsed["In-Reply-To"] == parsed["References"] == "<INV-2026-0007.invoice@studio.example>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"] == "Fri, 27 Nov 2026 09:30:00 +0100"
    text = parsed.get_body(("plain",)).get_content()
    assert "INV-2026-0007 is due: €4,760.00." in text
    assert "Pay now: https://pay.example/INV-2026-0007" in text
    html = parsed.get_body(("html",)).get_content()
    assert 'href="https://pay.example/INV-2026-0007"' in html and "display:inline-block" in html  # a button
    assert "&lt;b&gt;Studio&lt;/b&gt;" in html  # raw HTML in Markdown is shown, never run
    assert "<table" in html and "max-width:600px" in html  # the phone-friendly layout


def test_without_attachment_the_message_is_multipart_alternative(tmp_path: Path) -> None:
    env = environment(_ledger_template(tmp_path, "m.md.j2", TEMPLATE))
    message = compose(render_parts(env, "m.md.j2", VALUES), _headers(in_reply_to=None, cc=()))
    assert message.get_content_type() == "multipart/alternative"
    assert "In-Reply-To" not in message and "Cc" not in message


@pytest.mark.parametrize(
    "change",
    [{"sender_name": "Studio\r\nBcc: victim@example.com"}, {"to": ("ap@client.example\nBcc: x@y.z",)},
     {"message_id": "<a@b>\r\nX-Evil: 1"}],
)  # fmt: skip
def test_line_breaks_in_header_values_are_refused(tmp_path: Path, change: dict) -> None:
    env = environment(_ledger_template(tmp_path, "m.md.j2", TEMPLATE))
    with pytest.raises(UnsafeHeader):
        compose(render_parts(env, "m.md.j2", VALUES), _headers(**change))


def test_a_subject_cannot_smuggle_a_header(tmp_path: Path) -> None:
    env = environment(_ledger_template(tmp_path, "m.md.j2", "Subject: {{ invoice_id }}\n\nbody\n"))
    parts = render_parts(env, "m.md.j2", {**VALUES, "invoice_id": "X\rBcc: victim@example.com"})
    parsed = email.message_from_bytes(compose(parts, _headers()).as_bytes(), policy=email.policy.default)
    assert "Bcc" not in parsed and parsed["Subject"] == "X Bcc: victim@example.com"  # one line, inert


def test_the_ledger_template_overrides_the_packaged_one(tmp_path: Path) -> None:
    packaged = render_parts(environment(None), "email/invoice.md.j2", _invoice_values())
    assert "max-width:600px" in packaged.html
    _ledger_template(tmp_path, "email/layout.html.j2", "<p>mine</p>{{ body | safe }}")
    mine = render_parts(environment(tmp_path), "email/invoice.md.j2", _invoice_values())
    assert mine.html.startswith("<p>mine</p>") and mine.text == packaged.text


def _invoice_values() -> dict:
    return {**VALUES, "client": {"name": "ACME"}, "project": None, "due_date": "Dec 2, 2026", "po_number": None,
            "bank": None, "lang": "en"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problem"),
    [("Subject: x\n\n{{ missing_value }}\n", "'missing_value' is undefined"),
     ("Subject: x\n\n{% if %}\n", "m.md.j2:3"),
     ("no subject line\n", "must start with a 'Subject: ...' line")],
)  # fmt: skip
def test_template_mistakes_are_one_clear_error(tmp_path: Path, text: str, problem: str) -> None:
    env = environment(_ledger_template(tmp_path, "m.md.j2", text))
    with pytest.raises(TemplateProblem, match=problem):
        render_parts(env, "m.md.j2", VALUES)


def test_a_missing_template_names_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match=r"reminders/nope\.md\.j2 not found"):
        render_parts(environment(tmp_path), "reminders/nope.md.j2", VALUES)
