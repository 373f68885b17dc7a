"""A ledger made by `ledgerops init`, on a simulated GitHub, through its first week: a closed
milestone becomes a pull request, the check previews it, the merge approves it, the first
daily run sends it and the first weekly run reports it — all pushed by the bot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.mailserver import MailServer
from tests.workflows.conftest import new_ledger, workflow
from tests.workflows.harness import Repository, event_payload

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = {"LEDGEROPS_TODAY": "2026-11-27"}
BOT = ("ledgerops[bot]", "ledgerops-bot@users.noreply.github.com")


def test_the_first_week_of_a_new_ledger(
    github: Repository, tmp_path: Path, smtp_server: Callable[..., MailServer]
) -> None:
    github.publish(new_ledger(tmp_path / "new", example_data=False))
    milestone = event_payload("milestone")
    milestone["milestone"]["title"] = "example-client/SITE/M1"

    drafted = github.run(workflow("draft.yml"), "milestone", milestone, variables=TODAY)
    assert drafted.conclusion == "success", drafted.log
    assert [call["args"][:2] for call in drafted.gh_calls] == [["pr", "create"], ["pr", "merge"]]

    pull_request = github.open_pull_request("ledgerops/draft/DRAFT-example-client-SITE-M1")
    checked = github.run(workflow("check.yml"), "pull_request", pull_request, variables=TODAY)
    assert checked.conclusion == "success", checked.log
    # tomorrow is a Saturday: the preview says the invoice waits for Monday (the real run today sends it)
    assert "waiting   DRAFT-example-client-SITE-M1  send-weekend" in checked.summary
    github.merge_pull_request(pull_request)  # auto-merge, once the check passed

    server = smtp_server()
    smtp = {"LEDGEROPS_SMTP_HOST": "localhost", "LEDGEROPS_SMTP_PORT": str(server.controller.port),
            "LEDGEROPS_SMTP_TLS": "none"}  # fmt: skip
    daily = github.run(workflow("daily.yml"), "schedule", variables={**TODAY, **smtp})
    assert daily.conclusion == "success", daily.log
    assert [r.recipients for r in server.received] == [["accounts@client.example"]]

    weekly = github.run(workflow("weekly.yml"), "schedule", variables=TODAY)
    assert weekly.conclusion == "success", weekly.log

    history = [(c.author, c.email, c.subject) for c in github.log()]
    assert history[0] == (*BOT, "report: 2026-W48 as of 2026-11-27")
    assert history[1] == (*BOT, "ledgerops notify 2026-11-27: the daily run completed")  # the heartbeat
    sent = history[2 : history.index(next(h for h in history if h[2].startswith("Merge ")))]
    assert sent and all(h[:2] == BOT and "INV-2026-0001" in h[2] for h in sent), history
    assert history[-1][2] == "A new ledger"
    assert "status: sent" in github.read("invoices/2026/INV-2026-0001.yaml")
    report = github.read("reports/weekly/2026-W48.md")
    assert "| example-client | EUR      |   1,000.00 |" in report  # receivable: the invoice just sent
