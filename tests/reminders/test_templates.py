"""The packaged reminder templates, and a ledger's overrides checked before a client sees them."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ledgerops.app.load import load
from ledgerops.app.templatecheck import template_diagnostics
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.render.reminder import reminder_email, reminder_values, required_facts
from ledgerops.render.templates import environment
from tests.conftest import REPO, run_cli

DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 8, 15, tzinfo=timezone(timedelta(hours=1)))
STAGES = ("pre_due", "due", "overdue_7", "overdue_14")
# One invoice per client: EUR in de_DE, USD in en_US, JPY in ja_JP; standard and strategic.
INVOICES = ("INV-2026-0009", "INV-2026-0010", "INV-2026-0007", "INV-2026-0004")


@pytest.fixture(scope="module")
def book():
    ledger = load(Context(REPO, DAY)).ledger
    assert ledger is not None
    return ledger


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("invoice_id", INVOICES)
def test_every_packaged_reminder_states_the_facts_and_threads(book, stage: str, invoice_id: str) -> None:
    invoice = next(inv for inv in book.invoices if inv.id == invoice_id)
    doc = invoice_document(book, invoice, DAY)
    message, _ = reminder_email(environment(None), doc, stage, DAY, NOW)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    for fact in required_facts(reminder_values(doc, stage, DAY)).values():
        assert fact in text
    assert doc.payment_link and f'href="{doc.payment_link}"' in html
    assert invoice_id in parsed["Subject"] and "{{" not in text and "None" not in text
    assert parsed["Message-ID"] == f"<{invoice_id}.{stage}@lindqvist-design.example>"
    assert parsed["In-Reply-To"] == f"<{invoice_id}.invoice@lindqvist-design.example>"
    assert parsed["To"] == ", ".join(book.clients[invoice.client].email)
    assert len(text.split()) < 160  # short, like a person would write it


def test_segments_change_the_tone_not_the_facts(book) -> None:
    invoice = next(inv for inv in book.invoices if inv.id == "INV-2026-0010")
    client = book.clients[invoice.client]
    texts = {}
    for segment in ("standard", "strategic"):
        ledger = replace(book, clients={**book.clients, client.id: replace(client, segment=segment)})
        _, parts = reminder_email(
            environment(None), invoice_document(ledger, invoice, DAY), "overdue_14", DAY, NOW
        )
        texts[segment] = parts.text
    assert texts["standard"] != texts["strategic"]
    assert all("$1,847.61" in text and "Nov 6, 2026" in text for text in texts.values())


def test_values_from_the_ledger_are_escaped_in_html(book) -> None:
    invoice = next(inv for inv in book.invoices if inv.id == "INV-2026-0012")
    company = replace(book.policy.company, name="Studio <script>alert(1)</script>")
    ledger = replace(book, policy=replace(book.policy, company=company))
    message, _ = reminder_email(environment(None), invoice_document(ledger, invoice, DAY), "due", DAY, NOW)
    html = email.message_from_bytes(message.as_bytes(), policy=email.policy.default).get_body(("html",))
    assert "<script>" not in html.get_content() and "&lt;script&gt;" in html.get_content()


def write(root: Path, name: str, text: str) -> None:
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def codes(root: Path) -> list[tuple[str, str, int]]:
    ledger = load(Context(root, DAY)).ledger
    assert ledger is not None
    return sorted(
        (d.code, d.source.path, d.source.line) for d in template_diagnostics(root, ledger.policy, DAY)
    )


def test_an_override_that_drops_the_payment_link_fails_check_and_blocks_sending(example: Path) -> None:
    write(example, "reminders/due.md.j2", "Subject: {{ invoice_id }}\n\nPlease pay {{ amount_due }} by {{ due_date }} "
          "for {{ invoice_id }}.\n")  # fmt: skip
    done = run_cli("check", "--ledger", str(example), "--today", "2026-11-27", "--format", "json")
    assert done.returncode == 1
    found = [d for d in json.loads(done.stdout)["diagnostics"] if d["severity"] == "error"]
    assert [(d["code"], d["file"], d["line"]) for d in found] == [
        ("template-missing-fact", "templates/reminders/due.md.j2", 1)
    ]
    assert "payment link" in found[0]["message"]
    refused = run_cli("remind", "--ledger", str(example), "--today", "2026-11-27")
    assert refused.returncode == 2 and not (example / "outbox").exists()


def test_a_fact_missing_only_in_one_branch_is_found(example: Path) -> None:
    write(example, "reminders/_facts.md.j2", "{{ invoice_id }} {{ due_date }} {{ payment_link }} "
          "{% if not late_fees %}{{ amount_due }}{% endif %}\n")  # fmt: skip
    found = codes(example)
    assert found and {code for code, _, _ in found} == {"template-missing-fact"}


def test_broken_and_missing_templates(example: Path) -> None:
    write(example, "reminders/overdue_7.strategic.md.j2", "Subject: x\n\n{{ invoice_id }}\n{% if %}\n")
    write(example, "reminders/overdue_14.md.j2", "Subject: x\n\n{{ no_such_value }}\n")
    policy = example / "policy.yaml"
    policy.write_text(policy.read_text().replace(
        "    - {stage: overdue_14, offset_days: 14}\n",
        "    - {stage: overdue_14, offset_days: 14}\n    - {stage: overdue_21, offset_days: 21}\n",
    ))  # fmt: skip
    assert codes(example) == [
        ("template-error", "templates/reminders/overdue_14.md.j2", 1),
        ("template-error", "templates/reminders/overdue_7.strategic.md.j2", 4),
        ("template-missing", "policy.yaml", 38),
    ]


def test_without_overrides_only_a_new_stage_needs_a_template(example: Path) -> None:
    assert codes(example) == []
    policy = example / "policy.yaml"
    policy.write_text(policy.read_text().replace("stage: overdue_14", "stage: overdue_15"))
    assert [code for code, _, _ in codes(example)] == ["template-missing"]


@pytest.mark.parametrize("segment", ["standard", "strategic"])
def test_a_due_reminder_delayed_past_the_due_date_never_says_due_today(book, segment: str) -> None:
    """Due on Saturday 2026-11-28, sent on Monday 11-30 (no reminders on weekends)."""
    invoice = replace(next(inv for inv in book.invoices if inv.id == "INV-2026-0012"),
                      due_date=date(2026, 11, 28), reminders=())  # fmt: skip
    client = book.clients[invoice.client]
    ledger = replace(book, clients={**book.clients, client.id: replace(client, segment=segment)})
    monday = date(2026, 11, 30)
    _, late = reminder_email(environment(None), invoice_document(ledger, invoice, monday), "due", monday, NOW)
    assert "today" not in late.subject + late.text and "Nov 28, 2026" in late.subject
    saturday = date(2026, 11, 28)
    _, on_time = reminder_email(
        environment(None), invoice_document(ledger, invoice, saturday), "due", saturday, NOW
    )
    assert "is due today" in on_time.subject


def test_second_reminder_only_after_an_earlier_overdue_reminder(book) -> None:
    invoice = next(inv for inv in book.invoices if inv.id == "INV-2026-0010")  # overdue_7 sent on 11-20
    doc = invoice_document(book, invoice, DAY)
    _, parts = reminder_email(environment(None), doc, "overdue_14", DAY, NOW)
    assert parts.subject.startswith("Second reminder:")
    caught_up = replace(
        invoice, reminders=tuple(r for r in invoice.reminders if r.sent_at.date() <= invoice.due_date)
    )
    _, first = reminder_email(
        environment(None), invoice_document(book, caught_up, DAY), "overdue_14", DAY, NOW
    )
    assert first.subject.startswith("Invoice INV-2026-0010 is 21 days overdue")
