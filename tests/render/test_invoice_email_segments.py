"""The invoice email per segment: `email/invoice.<segment>.md.j2` before `email/invoice.md.j2`,
and `check` refuses a variant that leaves out a fact (docs/spec.md §6.6)."""

from __future__ import annotations

from datetime import date

from ledgerops.app.templatecheck import template_diagnostics
from ledgerops.core.document import invoice_document
from ledgerops.render.invoice_email import invoice_email_parts, invoice_email_template
from ledgerops.render.templates import environment
from tests.conftest import MiniLedger

TODAY = date(2026, 11, 10)


def test_the_segment_variant_is_used_and_the_default_is_the_fallback(mini: MiniLedger) -> None:
    mini.write(
        "templates/email/invoice.standard.md.j2",
        'Subject: Invoice {{ invoice_id }}\n\nHi there.\n\n{% include "email/_facts.md.j2" %}\n',
    )
    env = environment(mini.root)
    assert invoice_email_template(env, "standard") == "email/invoice.standard.md.j2"
    assert invoice_email_template(env, "strategic") == "email/invoice.md.j2"
    ledger = mini.load(TODAY).ledger
    assert ledger is not None
    parts = invoice_email_parts(env, invoice_document(ledger, ledger.invoices[0], TODAY))
    assert parts.text.startswith("Hi there.") and "Amount due: €2,975.00" in parts.text
    assert template_diagnostics(mini.root, ledger.policy, TODAY) == []


def test_check_refuses_a_variant_without_the_amount_due(mini: MiniLedger) -> None:
    mini.write(
        "templates/email/invoice.standard.md.j2", "Subject: Invoice {{ invoice_id }}\n\nDue {{ due_date }}.\n"
    )
    ledger = mini.load(TODAY).ledger
    assert ledger is not None
    found = template_diagnostics(mini.root, ledger.policy, TODAY)
    assert {(d.code, d.source.path) for d in found} == {
        ("template-missing-fact", "templates/email/invoice.standard.md.j2")
    }
    assert "amount due" in found[0].message
