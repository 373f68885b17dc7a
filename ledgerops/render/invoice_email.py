"""The invoice email's text: the segment's variant of the template when there is one, else
the default, and refused when it leaves out a fact every invoice email states. Apart from
render/invoice.py, so that `check` renders it without importing the PDF libraries."""

from __future__ import annotations

import jinja2

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.template_names import invoice_email_template_names
from ledgerops.render.email import Parts
from ledgerops.render.invoice_values import document_values
from ledgerops.render.reminder import first_template, problem_of, stating_facts


def invoice_email_template(env: jinja2.Environment, segment: str) -> str:
    names = invoice_email_template_names(segment)
    return first_template(env, names, f"no invoice email template: add templates/{names[-1]}")


def invoice_email_parts(env: jinja2.Environment, doc: InvoiceDocument) -> Parts:
    return stating_facts(env, invoice_email_template(env, doc.client.segment), document_values(doc))


def invoice_email_problem(env: jinja2.Environment, doc: InvoiceDocument) -> tuple[str, str, int, str]:
    """(code, template, line, problem), or ('', '', 0, '') when the invoice email is fine."""
    return problem_of(
        lambda: invoice_email_template(env, doc.client.segment), lambda: invoice_email_parts(env, doc)
    )
