"""verdict_dates names every day on which an invoice's check answer can change: the
promise that lets `check` keep an answer from one day to the next (app/check.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.checks import check_invoice, verdict_dates
from tests.conftest import EXAMPLE_DAY, copy_example


def test_the_answer_changes_only_on_a_verdict_date(tmp_path: Path) -> None:
    ledger = load(Context(copy_example(tmp_path / "ledger"), EXAMPLE_DAY)).ledger
    assert ledger is not None
    # Short review spans, so that drafts go stale and holds grow long inside the days tried.
    policy = replace(
        ledger.policy, review=replace(ledger.policy.review, stale_draft_days=3, stale_hold_days=9)
    )
    changes = 0
    held = [replace(invoice, hold="waiting for the client") for invoice in ledger.invoices]
    for invoice in (*ledger.invoices, *held):
        client = ledger.clients.get(invoice.client)
        days = verdict_dates(invoice, policy)
        start = invoice.issue_date - timedelta(days=5)
        previous = check_invoice(invoice, client, False, policy, start)
        for offset in range(1, 400):
            day = start + timedelta(days=offset)
            answer = check_invoice(invoice, client, False, policy, day)
            if answer != previous:
                assert day in days, (invoice.id, day)
                changes += 1
            previous = answer
    assert changes >= 15  # drafts go stale, holds grow long and end with the last payment
