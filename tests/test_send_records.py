"""Recording after the email left: what happens when the invoice file cannot be edited."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from ledgerops.app import delivery, send
from ledgerops.context import Context
from ledgerops.edge.mail import OutboxTransport, Outcome
from tests.conftest import EXAMPLE_DAY, run_cli
from tests.gitledger import example_repo, git


class _SomeoneEditsMeanwhile(OutboxTransport):
    """The outbox, while a person saves a half-finished edit of the invoice."""

    def __init__(self, folder: Path, invoice_file: Path) -> None:
        super().__init__(folder)
        self.invoice_file = invoice_file

    def send(self, message: EmailMessage) -> Outcome:
        outcome = super().send(message)
        self.invoice_file.write_text(self.invoice_file.read_text() + "lines: [unfinished\n")
        return outcome


def test_an_accepted_email_that_cannot_be_recorded_keeps_its_claim(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    path = "invoices/2026/INV-2026-0015.yaml"
    ctx = Context(ledger, EXAMPLE_DAY)
    transport = _SomeoneEditsMeanwhile(ledger / "outbox", ledger / path)
    planner = send.InvoiceMessages(ctx)
    options = delivery.Options(False, lambda: transport, command="send", engine=False)
    report = planner.report(delivery.run(ctx, options, planner), "outbox")

    (outcome,) = report.deliveries
    assert outcome.status == "unknown" and not report.ok
    assert outcome.detail.startswith(
        "the server accepted it, but cannot write invoices/2026/INV-2026-0015.yaml"
    )
    assert "its claim stays, so no run sends it again" in outcome.detail
    committed = git(ledger, "show", f"HEAD:{path}")
    assert "status: draft" in committed and "stage: invoice" in committed  # the claim, committed

    # The person finishes their edit; the claim's run (this process) is still alive, so the
    # next send leaves the invoice to it and sends nothing.
    git(ledger, "checkout", "--", path)
    again = run_cli("send", "--ledger", str(ledger), "--today", "2026-11-27", "--format", "json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["sent"] == [] and [row["invoice"] for row in result["skipped"]] == ["INV-2026-0015"]
    assert len(list((ledger / "outbox").iterdir())) == 1
    check = run_cli("check", "--ledger", str(ledger), "--today", "2026-11-27")
    assert check.returncode == 0 and "pending-claim" in check.stdout
