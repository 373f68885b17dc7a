"""Recording after the email left: what happens when the invoice file cannot be edited."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from ledgerops.app import send
from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.edge.mail import OutboxTransport, Outcome
from ledgerops.render.templates import environment
from tests.conftest import EXAMPLE_DAY

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class _SomeoneEditsMeanwhile(OutboxTransport):
    """The outbox, while a person saves a half-finished edit of the invoice."""

    def __init__(self, folder: Path, invoice_file: Path) -> None:
        super().__init__(folder)
        self.invoice_file = invoice_file

    def send(self, message: EmailMessage) -> Outcome:
        outcome = super().send(message)
        self.invoice_file.write_text(self.invoice_file.read_text() + "lines: [unfinished\n")
        return outcome


def test_an_accepted_email_that_cannot_be_recorded_pauses_the_invoice(example: Path) -> None:
    loaded = load(Context(example, EXAMPLE_DAY))
    ledger = loaded.ledger
    assert ledger is not None
    plan = send.plan(example, ledger, EXAMPLE_DAY)
    invoice_file = example / "invoices/2026/INV-2026-0015.yaml"
    transport = _SomeoneEditsMeanwhile(example / "outbox", invoice_file)
    templates = environment(example)
    (delivery,) = send.deliver_all(example, ledger, plan, EXAMPLE_DAY, lambda: NOW, templates, transport)
    assert delivery.status == "unknown" and delivery.case == "EXC-2026-0003"
    assert "status: draft" in invoice_file.read_text()  # the person's edit is left alone
    case = (example / "exceptions/EXC-2026-0003.yaml").read_text()
    assert (
        "reason: delivery_unknown" in case
        and "Set status: sent and sent_at: 2026-11-27T10:00:00+01:00" in case
    )
