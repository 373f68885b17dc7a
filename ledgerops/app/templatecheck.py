"""Reminder and invoice email templates checked before any client sees them: every stage a
run may email has a template for every segment, it renders, and it states the invoice id, the
amount due, the due date and the payment link (docs/spec.md §6.6); so does the invoice email. Jinja2 is imported only when the ledger
overrides templates: the packaged ones are tested with the product."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from ledgerops.core.diagnostics import Diagnostic, Source, diag
from ledgerops.core.model import Client, Invoice, LateFee, Ledger, Line, Payment
from ledgerops.core.policy import Policy
from ledgerops.core.template_names import INVOICE_STAGE, reminder_template_names

_SAMPLE_ID = "INV-2000-0042"
# The package's own templates, found without importlib.resources (4 ms at start-up).
_PACKAGED = Path(__file__).resolve().parent.parent / "templates"


def template_diagnostics(ledger_dir: Path, policy: Policy, today: date) -> list[Diagnostic]:
    emailed = [(index, s.stage) for index, s in enumerate(policy.reminders.sequence) if not s.manual]
    if not (ledger_dir / "templates").is_dir():
        return [
            diag("template-missing", policy.at("reminders", "sequence", index, "stage"),
                 f"no email template for stage '{stage}': add templates/{reminder_template_names(stage, '')[1]}")
            for index, stage in emailed
            if not (_PACKAGED / reminder_template_names(stage, "")[1]).is_file()
        ]  # fmt: skip
    return _rendered(ledger_dir, policy, emailed, today)


def _rendered(
    ledger_dir: Path, policy: Policy, emailed: list[tuple[int, str]], today: date
) -> list[Diagnostic]:
    from ledgerops.core.document import invoice_document
    from ledgerops.render.invoice_email import invoice_email_problem
    from ledgerops.render.reminder import template_problem
    from ledgerops.render.templates import environment

    env = environment(ledger_dir)
    found: dict[tuple[str, str], Diagnostic] = {}
    for segment in policy.segments:
        for sample in _samples(policy, segment, today):
            doc = invoice_document(sample, sample.invoices[0], today)
            code, name, line, problem = invoice_email_problem(env, doc)
            if problem and (name, problem) not in found:
                found[(name, problem)] = diag(
                    code, _template_source(ledger_dir, name, line), f"{problem} (segment {segment})"
                )
            for index, stage in emailed:
                code, name, line, problem = template_problem(env, doc, stage, today)
                if not problem or (name, problem) in found:
                    continue
                if code == "template-missing":
                    where = policy.at("reminders", "sequence", index, "stage")
                    found[(name, problem)] = diag("template-missing", where, problem)
                    continue
                found[(name, problem)] = diag(
                    code, _template_source(ledger_dir, name, line), f"{problem} (segment {segment})"
                )
    return list(found.values())


def _template_source(ledger_dir: Path, name: str, line: int) -> Source:
    ours = (ledger_dir / "templates" / name).is_file()
    return Source(f"templates/{name}" if ours else f"ledgerops/templates/{name}", line, 1)


def suggestion_problems(
    ledger_dir: Path, policy: Policy, stage: str, segment: str, name: str, text: str, today: date
) -> list[str]:
    """What `check` would say about `text` as the template `name` of the stage for the
    segment, before it is written: it renders every sample, and states every fact."""
    from ledgerops.core.document import invoice_document
    from ledgerops.render.invoice_email import invoice_email_problem
    from ledgerops.render.reminder import template_problem
    from ledgerops.render.templates import environment

    env = environment(ledger_dir, {name: text})
    problems: list[str] = []
    for sample in _samples(policy, segment, today):
        doc = invoice_document(sample, sample.invoices[0], today)
        if stage == INVOICE_STAGE:
            problem = invoice_email_problem(env, doc)[3]
        else:
            problem = template_problem(env, doc, stage, today)[3]
        if problem and problem not in problems:
            problems.append(problem)
    return problems


def _samples(policy: Policy, segment: str, today: date) -> list[Ledger]:
    """A plain sample invoice of the segment, and one with a PO, a late fee and a payment,
    so every branch a template may take is rendered."""
    currency = policy.currency
    client = Client("sample-client", "Sample Client Ltd", ("ap@client.example",), segment, currency=currency)
    invoice = Invoice(
        _SAMPLE_ID, client.id, today - timedelta(days=30), today, currency,
        (Line("Sample work", Decimal(1), Decimal("1234.00"), Decimal(19)),), status="sent",
        sent_at=datetime.combine(today - timedelta(days=30), time(9), UTC),
    )  # fmt: skip
    busy = replace(
        invoice,
        po_number="PO-1",
        late_fees=(LateFee(today, Decimal("18.51")),),
        payments=(Payment(today, Decimal("100.00")),),
    )
    return [Ledger(policy, {client.id: client}, (inv,), ()) for inv in (invoice, busy)]
