"""daily.yml: the scheduled run sends through SMTP with the repository's variables and secret,
records everything, and pushes the bot's commits; it re-plans when the founder pushed meanwhile."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import run_cli
from tests.github_standin import GitHubStandIn
from tests.mailserver import MailServer
from tests.test_stripe_sync_cli import KEY as STRIPE_KEY
from tests.test_stripe_sync_cli import Stripe as StripeStandIn
from tests.test_stripe_sync_cli import at
from tests.test_stripe_sync_cli import paid_session as stripe_session
from tests.workflows.conftest import workflow
from tests.workflows.harness import FOUNDER, Repository, git

# The test server asks for a password without TLS, as a local relay may: aiosmtpd warns.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
DAILY = workflow("daily.yml")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "s3cret-app-password"
SECRETS = {"LEDGEROPS_SMTP_PASSWORD": PASSWORD}


@pytest.fixture
def stripe_server() -> Iterator[HTTPServer]:
    """Stripe's API on a server of its own (GitHub's stand-in answers on the shared one)."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(smtp_server: Callable[..., MailServer]) -> MailServer:
    return smtp_server(user="jane", password=PASSWORD)


def _variables(server: MailServer) -> dict[str, str]:
    return {
        "LEDGEROPS_SMTP_HOST": "localhost",
        "LEDGEROPS_SMTP_PORT": str(server.controller.port),
        "LEDGEROPS_SMTP_TLS": "none",
        "LEDGEROPS_SMTP_USER": "jane",
        "LEDGEROPS_TODAY": "2026-11-27",
    }


def _sent(server: MailServer) -> list[str]:
    """The invoices clients were emailed about (the founder's alerts left out)."""
    subjects = [str(r.message["Subject"]) for r in server.received]
    return sorted(
        re.search(r"INV-\d{4}-\d{4}", s).group() for s in subjects if not s.startswith("Action needed")
    )


def test_the_scheduled_run_sends_records_and_pushes(example_repo: Repository, server: MailServer) -> None:
    before = len(example_repo.log())
    run = example_repo.run(DAILY, "schedule", variables=_variables(server), secrets=SECRETS)
    assert run.conclusion == "success", run.log
    # docs/example-ledger.md: the approved draft, then three reminders; one escalation, one fee
    assert _sent(server) == ["INV-2026-0007", "INV-2026-0012", "INV-2026-0013", "INV-2026-0015"]
    commits = example_repo.log()[: len(example_repo.log()) - before]
    assert {(c.author, c.email, c.body) for c in commits} == {
        ("ledgerops[bot]", "ledgerops-bot@users.noreply.github.com", "[skip ci]")
    }
    assert "status: sent" in example_repo.read("invoices/2026/INV-2026-0015.yaml")
    assert "stage: overdue_7" in example_repo.read("invoices/2026/INV-2026-0007.yaml")
    opened = [f for c in commits for f in c.files if f.startswith("exceptions/EXC-20261127-")]
    assert len(opened) == 1 and "reason: final_escalation" in example_repo.read(opened[0])
    assert "sent      INV-2026-0015  invoice email" in run.summary
    assert PASSWORD not in run.log + run.summary


def test_a_manual_run_is_a_dry_run_unless_unticked(example_repo: Repository, server: MailServer) -> None:
    before = example_repo.log()
    run = example_repo.run(
        DAILY,
        "workflow_dispatch",
        inputs={"today": "2026-11-27"},
        variables=_variables(server),
        secrets=SECRETS,
    )
    assert run.conclusion == "success", run.log
    assert server.received == [] and example_repo.log() == before
    assert "INV-2026-0013" in run.summary


def test_without_smtp_settings_the_run_fails_clearly_and_changes_nothing(example_repo: Repository) -> None:
    before = example_repo.log()
    run = example_repo.run(DAILY, "schedule", variables={"LEDGEROPS_TODAY": "2026-11-27"})
    assert run.conclusion == "failure"
    assert "LEDGEROPS_SMTP_HOST" in run.summary
    assert example_repo.log() == before


def test_a_push_by_the_founder_meanwhile_is_fetched_and_the_run_plans_again(
    example_repo: Repository, server: MailServer
) -> None:
    founder = example_repo.clone()
    invoice = founder / "invoices/2026/INV-2026-0012.yaml"
    invoice.write_text(invoice.read_text() + "payments:\n  - {date: 2026-11-27, amount: 5400.00}\n")
    git("commit", "-qam", "INV-2026-0012 paid this morning", cwd=founder, identity=FOUNDER)
    run = example_repo.run(
        DAILY, "schedule", variables=_variables(server), secrets=SECRETS, pushed_meanwhile=founder
    )
    assert run.conclusion == "success", run.log
    assert _sent(server) == ["INV-2026-0007", "INV-2026-0013", "INV-2026-0015"]  # no reminder: it was paid
    subjects = [c.subject for c in example_repo.log()]
    assert "INV-2026-0012 paid this morning" in subjects
    assert not any(
        "INV-2026-0012" in s for s in subjects[: subjects.index("INV-2026-0012 paid this morning")]
    )


@pytest.mark.parametrize("name", ["daily.yml", "weekly.yml", "draft.yml"])
def test_one_repository_variable_pauses_every_automatic_run(example_repo: Repository, name: str) -> None:
    before = example_repo.log()
    event = "milestone" if name == "draft.yml" else "schedule"
    run = example_repo.run(workflow(name), event, variables={"LEDGEROPS_PAUSED": "true"})
    assert (run.conclusion, run.steps) == ("skipped", ())
    assert example_repo.log() == before and example_repo.branches() == ["main"]


def test_the_founder_hears_of_each_case_by_email_and_as_an_issue(
    example_repo: Repository, server: MailServer, github_api: GitHubStandIn
) -> None:
    run = example_repo.run(DAILY, "schedule", variables=_variables(server), secrets=SECRETS)
    assert run.conclusion == "success", run.log
    alerts = sorted(
        str(r.message["Subject"]) for r in server.received if str(r.message["Subject"]).startswith("Action")
    )
    assert alerts == [
        "Action needed: Final escalation on INV-2026-0005 (Kaze Robotics K.K., 488,723 JPY)",
        "Action needed: Final escalation on INV-2026-0006 (Nordlicht Energie GmbH, 11,474.58 EUR)",
    ]
    assert '"status": "sent"' in example_repo.read("reports/notifications.json")
    # the heartbeat: the run completed today, so a stopped schedule is noticed later
    assert '"daily_run_completed": "2026-11-27"' in example_repo.read("reports/heartbeat.json")
    # the issues job saw the run's push: the escalation it opened has an issue too
    titles = sorted(issue["title"] for issue in github_api.open_issues())
    assert [t.split(" · ")[0] for t in titles] == ["INV-2026-0005", "INV-2026-0006"]
    assert run.summary.startswith("## Needs you\n")
    assert re.search(r"EXC-20261127-[0-9a-f]{6} +INV-2026-0006", run.summary.split("## ledgerops run")[0])
    assert "## Cases as GitHub issues" in run.summary and "opened #" in run.summary
    # a second run has nothing new to say: no email, no write request to GitHub
    github_api.log.clear()
    received = len(server.received)
    again = example_repo.run(DAILY, "schedule", variables=_variables(server), secrets=SECRETS)
    assert again.conclusion == "success", again.log
    assert github_api.writes() == [] and len(server.received) == received


def test_a_draft_that_waits_is_under_needs_you_with_its_reason(
    example_repo: Repository, server: MailServer
) -> None:
    clone = example_repo.clone()
    drafted = run_cli("draft", "--ledger", str(clone), "--today", "2026-11-27", "--client", "nordlicht",
                      "--project", "WEB", "--milestone", "M1")  # fmt: skip  # nordlicht requires a PO
    assert drafted.returncode == 0, drafted.stderr
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", "approve WEB/M1 before its PO came", cwd=clone, identity=FOUNDER)
    git("push", "-q", "origin", "main", cwd=clone)
    run = example_repo.run(DAILY, "schedule", variables=_variables(server), secrets=SECRETS)
    assert run.conclusion == "success", run.log
    needs_you = run.summary.split("## ledgerops run")[0]
    assert "waiting   DRAFT-nordlicht-WEB-M1  send-po-missing" in needs_you


@pytest.mark.slow
def test_a_payment_stripe_took_before_the_run_stops_its_reminder(
    example_repo: Repository, server: MailServer, stripe_server: HTTPServer
) -> None:
    """The sync step records (and pushes) the card payment before the run plans reminders:
    INV-2026-0007 would get its overdue_7 reminder today."""
    httpserver = stripe_server
    stripe = StripeStandIn(httpserver)
    paid = stripe_session("evt_1", "pi_0007", at("2026-11-27", 5), amount=640000, ref="INV-2026-0007")
    paid["data"]["object"]["currency"] = "jpy"
    stripe.events = [paid]
    variables = {**_variables(server), "LEDGEROPS_STRIPE_API_BASE": httpserver.url_for("").rstrip("/")}
    run = example_repo.run(
        DAILY, "schedule", variables=variables, secrets={**SECRETS, "STRIPE_API_KEY": STRIPE_KEY}
    )
    assert run.conclusion == "success", run.log
    assert _sent(server) == ["INV-2026-0012", "INV-2026-0013", "INV-2026-0015"]
    assert "import_id: pi_0007" in example_repo.read("invoices/2026/INV-2026-0007.yaml")
    assert "stage: overdue_7" not in example_repo.read("invoices/2026/INV-2026-0007.yaml")
    assert '"event": "evt_1"' in example_repo.read("reports/stripe.json")
    [synced] = [c for c in example_repo.log() if c.subject.startswith("payments sync stripe")]
    assert (synced.author, synced.body) == ("ledgerops[bot]", "[skip ci]")
    assert STRIPE_KEY not in run.log
    assert "## Payments from Stripe" in run.summary


@pytest.mark.slow
def test_without_the_stripe_secret_the_sync_step_does_nothing(
    example_repo: Repository, server: MailServer
) -> None:
    run = example_repo.run(DAILY, "schedule", variables=_variables(server), secrets=SECRETS)
    assert run.conclusion == "success", run.log
    assert "no STRIPE_API_KEY secret" in run.step("Sync payments from Stripe").stdout


@pytest.mark.slow
def test_a_statement_committed_to_imports_is_recorded_before_the_reminders(
    example_repo: Repository, server: MailServer
) -> None:
    """INV-2026-0012 is due today; the founder committed the bank statement that pays it."""
    founder = example_repo.clone()
    (founder / "imports").mkdir()
    shutil.copy(FIXTURES / "camt053-inv-0012.xml", founder / "imports/2026-11-26.xml")
    git("add", "imports", cwd=founder)
    git("commit", "-qm", "statement of 2026-11-26", cwd=founder, identity=FOUNDER)
    git("push", "-q", "origin", "main", cwd=founder)
    run = example_repo.run(DAILY, "schedule", variables=_variables(server), secrets=SECRETS)
    assert run.conclusion == "success", run.log
    assert _sent(server) == ["INV-2026-0007", "INV-2026-0013", "INV-2026-0015"]  # no reminder: it was paid
    assert 'import_id: "2026112600301"' in example_repo.read("invoices/2026/INV-2026-0012.yaml")
    [imported] = [c for c in example_repo.log() if c.subject.startswith("payments import")]
    assert set(imported.files) == {
        "imports/done/2026-11-26.xml",
        "invoices/2026/INV-2026-0012.yaml",
    }  # a rename
    tree = git("ls-tree", "-r", "--name-only", "main", "imports", cwd=example_repo.origin).split()
    assert tree == ["imports/done/2026-11-26.xml"]
    assert "2026112600301" in example_repo.read("imports/done/2026-11-26.xml")
    assert "## Bank statements" in run.summary
