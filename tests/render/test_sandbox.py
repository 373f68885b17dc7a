"""A template from a pull request runs in Jinja2's immutable sandbox: `check` renders every
ledger template on every pull request, so none may reach Python objects or change values."""

from __future__ import annotations

from datetime import date

import jinja2
import pytest

from ledgerops.app.templatecheck import template_diagnostics
from ledgerops.core.document import invoice_document
from ledgerops.core.errors import TemplateProblem
from ledgerops.render.reminder import reminder_parts
from ledgerops.render.templates import environment, render
from tests.conftest import MiniLedger

TODAY = date(2026, 12, 2)  # INV-2026-0001 of the mini ledger is due
ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ company.__class__ }}",
    "{% set x = lines.append(1) %}{{ x }}",
    "{{ payment_methods.pop() }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_a_ledger_template_cannot_reach_python_objects(mini: MiniLedger, payload: str) -> None:
    mini.write(
        "templates/reminders/due.md.j2",
        f'Subject: Invoice {{{{ invoice_id }}}}\n\n{payload}\n\n{{% include "reminders/_facts.md.j2" %}}\n',
    )
    ledger = mini.load(TODAY).ledger
    assert ledger is not None
    doc = invoice_document(ledger, ledger.invoices[0], TODAY)
    with pytest.raises(TemplateProblem) as refused:
        reminder_parts(environment(mini.root), doc, "due", TODAY)
    assert "object is unsafe" in str(refused.value)

    found = template_diagnostics(mini.root, ledger.policy, TODAY)
    assert found and {(d.code, d.source.path) for d in found} == {
        ("template-error", "templates/reminders/due.md.j2")
    }
    assert all("object is unsafe" in d.message for d in found)


def test_the_same_template_would_escape_without_the_sandbox() -> None:
    """The payloads above are real: an ordinary Environment hands them Python's internals."""
    plain = jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert "object" in plain.from_string(ESCAPES[0]).render()
    assert "os" in plain.from_string(ESCAPES[2]).render()


def test_the_sandbox_still_renders_every_packaged_template(mini: MiniLedger) -> None:
    env = environment(None)
    assert isinstance(env, jinja2.sandbox.ImmutableSandboxedEnvironment)
    assert render(env, "reminders/due.md.j2", _values(mini)).startswith("Subject: Invoice INV-2026-0001")


def _values(mini: MiniLedger) -> dict[str, object]:
    from ledgerops.render.reminder import reminder_values

    ledger = mini.load(TODAY).ledger
    assert ledger is not None
    return reminder_values(invoice_document(ledger, ledger.invoices[0], TODAY), "due", TODAY)
