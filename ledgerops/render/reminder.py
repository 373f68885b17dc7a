"""Reminder emails: the stage's template for the client's segment, threaded under the
invoice email, stating what every reminder must state (docs/spec.md §6.6)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

import jinja2

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.errors import TemplateProblem
from ledgerops.core.template_names import reminder_template_names
from ledgerops.render.email import Headers, Parts, compose, message_id, render_parts
from ledgerops.render.invoice_values import document_values, invoice_message_id


def reminder_values(doc: InvoiceDocument, stage: str, today: date) -> dict[str, Any]:
    """What a reminder template sees: the invoice's values plus where the invoice stands on
    the day the message leaves (a stage delayed by a weekend or the gap is sent later)."""
    invoice = doc.invoice
    days = (today - invoice.due_date).days
    return {
        **document_values(doc),
        "stage": stage,
        "days_overdue": max(days, 0),
        "days_until_due": max(-days, 0),
        "overdue_reminders_sent": sum(
            1 for r in invoice.reminders if r.stage != stage and invoice.due_date < r.sent_at.date() <= today
        ),
    }


def template_for(env: jinja2.Environment, stage: str, segment: str) -> str:
    """The segment's variant of the stage's template when there is one, else the stage's."""
    names = reminder_template_names(stage, segment)
    return first_template(env, names, f"no template for stage '{stage}': add templates/{names[-1]}")


def first_template(env: jinja2.Environment, names: Sequence[str], missing: str) -> str:
    """The first of `names` that exists; `missing` is the problem when none does."""
    try:
        return env.select_template(list(names)).name or names[-1]
    except jinja2.TemplatesNotFound as error:
        raise TemplateProblem(missing, "template-missing") from error


def required_facts(values: dict[str, Any]) -> dict[str, str]:
    """The facts a reminder must state, as the template receives them (docs/spec.md §6.6)."""
    facts = {
        "invoice id": values["invoice_id"],
        "amount due": values["amount_due"],
        "due date": values["due_date"],
    }
    if values.get("payment_link"):
        facts["payment link"] = values["payment_link"]
    return facts


def missing_facts(parts: Parts, values: dict[str, Any]) -> list[str]:
    return [name for name, text in required_facts(values).items() if text not in parts.text]


def reminder_parts(env: jinja2.Environment, doc: InvoiceDocument, stage: str, today: date) -> Parts:
    """The rendered reminder; refused when it leaves out a required fact."""
    template = template_for(env, stage, doc.client.segment)
    return stating_facts(env, template, reminder_values(doc, stage, today))


def stating_facts(env: jinja2.Environment, template: str, values: dict[str, Any]) -> Parts:
    """The rendered message; refused when it leaves out a required fact."""
    parts = render_parts(env, template, values)
    missing = missing_facts(parts, values)
    if missing:
        raise TemplateProblem(
            f"template {template} leaves out the {', '.join(missing)}", "template-missing-fact"
        )
    return parts


def reminder_email(
    env: jinja2.Environment, doc: InvoiceDocument, stage: str, today: date, now: datetime
) -> tuple[EmailMessage, Parts]:
    parts = reminder_parts(env, doc, stage, today)
    headers = Headers(
        sender_name=doc.company.name,
        sender_email=doc.company.email,
        to=doc.client.email,
        cc=doc.client.cc,
        message_id=reminder_message_id(doc, stage),
        date=now,
        in_reply_to=invoice_message_id(doc),
    )
    return compose(parts, headers), parts


def reminder_message_id(doc: InvoiceDocument, stage: str) -> str:
    return message_id(doc.invoice.id, stage, doc.company.email)


def stage_templates(
    env: jinja2.Environment, stages: Sequence[str], segments: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(stage, segment, template) for every pairing a run may need."""
    return [(stage, segment, template_for(env, stage, segment)) for stage in stages for segment in segments]


def template_problem(
    env: jinja2.Environment, doc: InvoiceDocument, stage: str, today: date
) -> tuple[str, str, int, str]:
    """(code, template, line, problem) for a reminder that cannot be rendered or leaves out a
    required fact, or ('', '', 0, '') when it is fine. The template is '' when none exists;
    the line is 1 unless Jinja2 knows it."""
    return problem_of(
        lambda: template_for(env, stage, doc.client.segment), lambda: reminder_parts(env, doc, stage, today)
    )


def problem_of(find: Callable[[], str], build: Callable[[], object]) -> tuple[str, str, int, str]:
    """(code, template, line, problem) for the template `find` names, when `build` cannot
    render it or it leaves out a fact; ('', '', 0, '') when it is fine."""
    name = ""
    try:
        name = find()
        build()
    except jinja2.TemplateSyntaxError as error:
        where = error.name or name
        return ("template-error", where, error.lineno or 1, f"template {where}: {error.message}")
    except TemplateProblem as problem:
        return (problem.code, name, 1, str(problem))
    return ("", "", 0, "")
