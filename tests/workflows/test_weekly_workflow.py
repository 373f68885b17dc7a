"""weekly.yml: the report is written, committed by the bot and pushed, even when the founder
pushed at the same moment."""

from __future__ import annotations

import pytest

from tests.workflows.conftest import workflow
from tests.workflows.harness import FOUNDER, Repository, git

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

WEEKLY = workflow("weekly.yml")
PINNED = {"LEDGEROPS_TODAY": "2026-11-27"}
REPORT = "reports/weekly/2026-W48.md"


def test_the_scheduled_run_commits_the_report_and_pushes_it(example_repo: Repository) -> None:
    before = example_repo.log()
    run = example_repo.run(WEEKLY, "schedule", variables=PINNED)
    assert run.conclusion == "success", run.log
    new = example_repo.log()[: len(example_repo.log()) - len(before)]
    assert [(c.author, c.email, c.subject) for c in new] == [
        ("ledgerops[bot]", "ledgerops-bot@users.noreply.github.com", "report: 2026-W48 as of 2026-11-27")
    ]
    assert sorted(new[0].files) == ["reports/README.md", REPORT]
    assert new[0].body == "[skip ci]"  # push-triggered workflows skip the bot's commits
    page = example_repo.read(REPORT)
    assert "| EUR      |       88.6 |" in page
    assert "Weekly review 2026-W48" in run.summary


def test_a_push_by_the_founder_meanwhile_is_kept_and_counted_in_the_report(example_repo: Repository) -> None:
    founder = example_repo.clone()
    invoice = founder / "invoices/2026/INV-2026-0014.yaml"
    invoice.write_text(invoice.read_text() + "payments:\n  - {date: 2026-11-27, amount: 3711.16}\n")
    git("commit", "-qam", "INV-2026-0014 paid", cwd=founder, identity=FOUNDER)
    bot = {"LEDGEROPS_BOT_NAME": "Billing Robot", "LEDGEROPS_BOT_EMAIL": "robot@janedoe.example"}
    run = example_repo.run(
        WEEKLY, "workflow_dispatch", inputs={"as-of": "2026-11-27"}, variables=bot, pushed_meanwhile=founder
    )
    assert run.conclusion == "success", run.log
    report, payment = example_repo.log()[:2]
    assert (payment.subject, payment.author) == ("INV-2026-0014 paid", "Jane Doe")
    assert (report.subject, report.author, report.email) == (
        "report: 2026-W48 as of 2026-11-27",
        "Billing Robot",
        "robot@janedoe.example",
    )
    assert "| EUR      |       88.6 |" not in example_repo.read(REPORT)  # written again with the payment
    assert "20,509.25" in example_repo.read(REPORT)


def test_with_smtp_the_founder_gets_the_digest_once(example_repo: Repository, smtp_server) -> None:
    server = smtp_server()
    variables = {**PINNED, "LEDGEROPS_SMTP_HOST": "localhost", "LEDGEROPS_SMTP_PORT": str(server.controller.port),
                 "LEDGEROPS_SMTP_TLS": "none"}  # fmt: skip
    run = example_repo.run(WEEKLY, "schedule", variables=variables)
    assert run.conclusion == "success", run.log
    digests = [r.message for r in server.received if str(r.message["Subject"]).startswith("Week 2026-W48")]
    assert len(digests) == 1
    text = digests[0].get_body(("plain",)).get_content()
    assert "https://github.com/janedoe/billing/blob/HEAD/reports/weekly/2026-W48.md" in text
    assert run.summary.startswith("## Needs you\n")
    again = example_repo.run(WEEKLY, "schedule", variables=variables)
    assert again.conclusion == "success", again.log
    assert len([r for r in server.received if str(r.message["Subject"]).startswith("Week")]) == 1
