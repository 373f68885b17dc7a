"""A credit note written by a person stops the reminders of its invoice in the daily run
(another clone, a bare origin, a real SMTP server), and a second run sends nothing more."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli

from .ledgers import DAY, git, message_ids, smtp_env, with_origin

pytestmark = pytest.mark.slow  # ledgerops processes, a bare origin and an SMTP server


def test_a_credited_invoice_gets_no_reminder(tmp_path, smtp_server) -> None:  # type: ignore[no-untyped-def]
    origin, (person, bot) = with_origin(tmp_path, clones=2)
    done = run_cli("credit", "INV-2026-0013", "--full", "--reason", "cancellation", "--ledger", str(person),
                   "--today", DAY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pushed to origin/main" in done.stdout  # the run in the other clone sees it
    server = smtp_server()
    env = smtp_env(server)
    first = run_cli("run", "--ledger", str(bot), "--today", DAY, "--transport", "smtp", env=env)
    assert first.returncode == 0, first.stderr
    sent = message_ids(server)
    assert "<INV-2026-0012.due@lindqvist-design.example>" in sent  # the other reminders still go
    assert not any("INV-2026-0013" in message_id for message_id in sent)
    second = run_cli("run", "--ledger", str(bot), "--today", DAY, "--transport", "smtp", env=env)
    assert second.returncode == 0, second.stderr
    assert message_ids(server) == sent
    assert git(bot, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")
    states = run_cli("invoices", "--ledger", str(bot), "--today", DAY).stdout
    assert any(line.startswith("INV-2026-0013") and " credited " in line for line in states.splitlines())


def test_a_reminder_of_a_partly_credited_invoice_says_what_was_credited(tmp_path, smtp_server) -> None:  # type: ignore[no-untyped-def]
    _, (person, bot) = with_origin(tmp_path, clones=2)
    done = run_cli("credit", "INV-2026-0007", "--amount", "100000", "--reason", "discount", "--ledger", str(person),
                   "--today", DAY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    server = smtp_server()
    first = run_cli("run", "--ledger", str(bot), "--today", DAY, "--transport", "smtp", env=smtp_env(server))
    assert first.returncode == 0, first.stderr
    [reminder] = [r.message for r in server.received if "INV-2026-0007" in str(r.message["Message-ID"])]
    text = reminder.get_body(("plain",)).get_content()
    # 640,000 billed, 100,000 credited, 9,600 late fee: the client reads how the amount is made up
    assert (
        "- Amount due: ￥549,600 (after a credit of ￥100,000, and including a late fee of ￥9,600)" in text
    )
