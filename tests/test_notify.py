"""`ledgerops notify` end to end: the real command, a real SMTP server (aiosmtpd) or the
outbox, ledgers in git with a bare origin, as the workflows run it."""

from __future__ import annotations

import email
import email.policy
import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot
from tests.reminders.ledgers import (
    DAY,
    commit_all,
    example_repo,
    git,
    kill_after_accepting,
    smtp_env,
    with_origin,
)

pytestmark = pytest.mark.slow
ALERT = "Action needed: Final escalation on INV-2026-0005 (Kaze Robotics K.K., 488,723 JPY)"
FOUNDER = "mara@lindqvist-design.example"


def notify(
    ledger: Path, *extra: str, env: dict[str, str] | None = None, day: str = DAY
) -> tuple[int, dict, str]:
    transport = () if "--transport" in extra else ("--transport", "outbox")  # a clone of origin must choose
    done = run_cli(
        "notify", "--ledger", str(ledger), "--today", day, "--format", "json", *transport, *extra, env=env
    )
    assert "Traceback" not in done.stderr
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else {}), done.stderr


def record(ledger: Path) -> dict:
    return json.loads((ledger / "reports/notifications.json").read_text())["notices"]


def origin_record(origin: Path) -> dict:
    text = git(origin, "show", "main:reports/notifications.json")
    return json.loads(text)["notices"]


def _founder_address(ledger: Path) -> None:
    policy = ledger / "policy.yaml"
    policy.write_text(policy.read_text() + f"notify:\n  email: {FOUNDER}\n")
    commit_all(ledger, "notify the founder")


def test_an_alert_is_sent_once_to_the_notify_address_and_recorded_on_origin(
    tmp_path: Path, smtp_server
) -> None:
    origin, (ledger,) = with_origin(tmp_path)
    _founder_address(ledger)
    server = smtp_server()
    code, result, err = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert code == 0, err
    assert result["to"] == FOUNDER
    assert [(n["key"], n["status"], n["subject"]) for n in result["notices"]] == [
        ("EXC-2026-0001", "sent", ALERT)
    ]
    (received,) = server.received
    message = received.message
    assert received.recipients == [FOUNDER]
    assert message["From"] == "Mara Lindqvist Design <billing@lindqvist-design.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    assert "Call Kaze accounting" in text and "ledgerops exception resolve EXC-2026-0001" in text
    assert "<html" in message.get_body(("html",)).get_content()
    # claimed, then recorded as sent, both pushed
    entry = origin_record(origin)["EXC-2026-0001"]
    assert entry["status"] == "sent" and entry["message_id"] == message["Message-ID"]
    subjects = git(origin, "log", "--format=%s", "-3", "main").splitlines()
    assert subjects[:2] == [
        f"ledgerops notify {DAY}: record notices",
        f"ledgerops notify {DAY}: claim EXC-2026-0001",
    ]
    assert git(ledger, "status", "--porcelain") == ""
    # the next run has nothing to say
    code, again, _ = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert code == 0 and again["notices"] == [] and len(server.received) == 1


def test_an_alert_is_sent_again_only_when_its_case_changed(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    assert notify(ledger)[0] == 0
    case = ledger / "exceptions/EXC-2026-0001.yaml"
    case.write_text(case.read_text().replace("Call Kaze accounting", "Kaze's CFO promised an answer"))
    commit_all(ledger, "note")
    _, result, _ = notify(ledger)
    assert [(n["key"], n["status"]) for n in result["notices"]] == [("EXC-2026-0001", "sent")]
    emails = sorted(p.name for p in (ledger / "outbox").iterdir())
    assert len(emails) == 2  # a new Message-ID for the changed case
    assert notify(ledger)[1]["notices"] == []


def test_the_weekly_digest_goes_once_the_report_is_committed(tmp_path: Path) -> None:
    origin, (ledger,) = with_origin(tmp_path)
    assert [n["kind"] for n in notify(ledger)[1]["notices"]] == ["alert"]  # no report yet: no digest
    done = run_cli("report", "--ledger", str(ledger), "--as-of", DAY, "--write", "--push")
    assert done.returncode == 0, done.stderr
    code, result, err = notify(ledger)
    assert code == 0, err
    (digest,) = result["notices"]
    assert digest["key"] == "digest:2026-W48" and digest["subject"].startswith("Week 2026-W48: 1 open case")
    eml = ledger / "outbox" / "2026-W48.digest@lindqvist-design.example.eml"
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "EUR: DSO 88.6 days (+0.4)" in text  # the headline with its change
    assert "9 days: INV-2026-0005 (Kaze Robotics K.K.), final escalation (EXC-2026-0001)" in text
    assert "2026-11-26: INV-2026-0009 reminder overdue_7" in text  # sent this week
    assert "reports/weekly/2026-W48.md" in text
    assert origin_record(origin)["digest:2026-W48"]["status"] == "sent"
    assert notify(ledger)[1]["notices"] == []


def test_digest_links_point_at_github_in_a_workflow(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    env = {**os.environ, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "mara/billing"}
    assert notify(ledger, env=env)[0] == 0
    (eml,) = (ledger / "outbox").iterdir()
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    link = "https://github.com/mara/billing/blob/HEAD/exceptions/EXC-2026-0001.yaml"
    assert link in message.get_body(("html",)).get_content()


def test_a_refused_alert_is_not_recorded_and_is_tried_again(tmp_path: Path, smtp_server) -> None:
    ledger = example_repo(tmp_path / "ledger")
    policy = ledger / "policy.yaml"
    policy.write_text(policy.read_text() + "notify:\n  email: refuse550@lindqvist-design.example\n")
    commit_all(ledger, "notify")
    server = smtp_server()
    code, result, _ = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert code == 1 and result["notices"][0]["status"] == "not_sent"
    assert record(ledger) == {} and git(ledger, "status", "--porcelain") == ""
    policy.write_text(policy.read_text().replace("refuse550@", "mara@"))
    commit_all(ledger, "fix the address")
    code, result, _ = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert code == 0 and result["notices"][0]["status"] == "sent" and len(server.received) == 1


def test_a_run_killed_after_the_server_took_the_alert_never_sends_it_again(
    tmp_path: Path, smtp_server
) -> None:
    ledger = example_repo(tmp_path / "ledger")
    server = smtp_server()
    kill_after_accepting(server, 1, "notify", ledger)
    assert record(ledger)["EXC-2026-0001"]["status"] == "claimed"  # the claim was committed first
    code, result, _ = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert [(n["key"], n["status"]) for n in result["notices"]] == [("EXC-2026-0001", "unknown")]
    assert code == 1 and len(server.received) == 1
    assert record(ledger)["EXC-2026-0001"]["status"] == "unknown"
    assert notify(ledger, "--transport", "smtp", env=smtp_env(server))[1]["notices"] == []
    assert len(server.received) == 1


def test_dry_run_sends_and_writes_nothing(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    before = snapshot(ledger)
    code, result, _ = notify(ledger, "--dry-run")
    assert code == 0 and result["dry_run"] is True
    assert [(n["key"], n["status"], n["subject"]) for n in result["notices"]] == [
        ("EXC-2026-0001", "would send", ALERT)
    ]
    assert snapshot(ledger) == before


def test_a_damaged_record_stops_the_run_with_where_and_how_to_fix(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    (ledger / "reports").mkdir()
    (ledger / "reports/notifications.json").write_text('{"notices": {\n  "EXC-2026-0001": \n}\n')
    commit_all(ledger, "broken")
    code, _, err = notify(ledger)
    assert code == 2
    assert "reports/notifications.json:3:1: notifications-record:" in err
    assert "git checkout -- reports/notifications.json" in err
    assert not (ledger / "outbox").exists()


def test_a_bad_notify_address_is_a_check_error(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    policy = ledger / "policy.yaml"
    policy.write_text(policy.read_text() + "notify:\n  email: not-an-address\n")
    done = run_cli("check", "--ledger", str(ledger))
    assert done.returncode == 1 and "invalid-email" in done.stdout + done.stderr
