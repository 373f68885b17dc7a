"""`ledgerops send` keeps docs/spec.md §6.7's promise with `run`: real processes, one bare origin, one
SMTP server on localhost. However sends and runs overlap, and wherever one is killed, each
invoice email arrives once at most; an email whose outcome nobody recorded is never sent
again but becomes a `delivery_unknown` case.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from .ledgers import (
    ALL_SENT,
    EXPECTED,
    NEXT_DRAFT,
    NEXT_DRAFT_PATH,
    cases,
    commit_all,
    finish,
    git,
    kill_after_accepting,
    message_ids,
    origin_ledger,
    sent_stages,
    smtp_env,
    start,
    with_origin,
)

INVOICE_EMAILS = {
    "<INV-2026-0015.invoice@lindqvist-design.example>",
    "<INV-2026-0016.invoice@lindqvist-design.example>",
}
INVOICES_SENT = Counter({("INV-2026-0015", "invoice"): 1, ("INV-2026-0016", "invoice"): 1})


def _two_drafts(tmp_path: Path, clones: int) -> tuple[Path, list[Path]]:
    """Origin with the example ledger plus one more approved draft: INV-2026-0015 and -0016 wait."""
    origin, copies = with_origin(tmp_path, clones)
    (copies[0] / NEXT_DRAFT_PATH).write_text(NEXT_DRAFT)
    commit_all(copies[0], "approve INV-2026-0016")
    return origin, copies


def _invoices_reported(out: dict) -> list[str]:
    """The invoice emails a `send` or a `run` reports as sent by itself."""
    return [row["invoice"] for row in out.get("sent", []) + out.get("invoices", [])]


@pytest.mark.slow
def test_a_send_and_a_run_started_together_send_each_email_once(tmp_path: Path, smtp_server) -> None:
    server = smtp_server()
    origin, clones = _two_drafts(tmp_path, clones=2)
    env = smtp_env(server)
    processes = [start("send", clones[0], "--transport", "smtp", env=env),
                 start("run", clones[1], "--transport", "smtp", env=env)]  # fmt: skip
    results = [finish(process) for process in processes]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert message_ids(server) == Counter(dict.fromkeys(EXPECTED | INVOICE_EMAILS, 1))
    ledger = origin_ledger(origin, tmp_path)
    assert sent_stages(ledger) == ALL_SENT | INVOICES_SENT
    reported = Counter(invoice for _, out, _ in results for invoice in _invoices_reported(out))
    assert reported == Counter({"INV-2026-0015": 1, "INV-2026-0016": 1})  # each by the one that sent it
    assert cases(ledger, "delivery_unknown") == []


@pytest.mark.slow
def test_two_sends_started_together_send_each_invoice_once(tmp_path: Path, smtp_server) -> None:
    server = smtp_server()
    origin, clones = _two_drafts(tmp_path, clones=2)
    env = smtp_env(server)
    results = [
        finish(process)
        for process in [start("send", clone, "--transport", "smtp", env=env) for clone in clones]
    ]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert message_ids(server) == Counter(dict.fromkeys(INVOICE_EMAILS, 1))
    ledger = origin_ledger(origin, tmp_path)
    assert sent_stages(ledger) == INVOICES_SENT  # send writes no reminder, fee or escalation
    reported = Counter(invoice for _, out, _ in results for invoice in _invoices_reported(out))
    assert reported == Counter({"INV-2026-0015": 1, "INV-2026-0016": 1})


@pytest.mark.slow
@pytest.mark.parametrize("next_command", ["send", "run"])
def test_a_send_killed_after_the_server_accepted_never_sends_it_again(
    tmp_path: Path, smtp_server, next_command: str
) -> None:
    server = smtp_server()
    origin, (clone,) = _two_drafts(tmp_path, clones=1)
    kill_after_accepting(server, 1, "send", clone)  # the server took INV-2026-0015's email
    first = "<INV-2026-0015.invoice@lindqvist-design.example>"
    assert message_ids(server) == Counter({first: 1})
    claimed = git(clone, "show", "origin/main:invoices/2026/INV-2026-0015.yaml")
    assert "status: draft" in claimed and "stage: invoice" in claimed  # the claim left before the email

    code, out, err = finish(start(next_command, clone, "--transport", "smtp", env=smtp_env(server)))
    assert code == 0, err
    assert message_ids(server)[first] == 1  # never sent again
    assert _invoices_reported(out) == ["INV-2026-0016"]  # 0015 counts as issued: 0016 follows it
    ledger = origin_ledger(origin, tmp_path)
    recorded = sent_stages(ledger)
    assert recorded[("INV-2026-0015", "invoice")] == recorded[("INV-2026-0016", "invoice")] == 1
    assert cases(ledger, "delivery_unknown") == ["INV-2026-0015"]
    (case,) = [c for c in ledger.exceptions if c.reason == "delivery_unknown"]
    assert case.id in out["exceptions_opened"] and first in (case.note or "")
