"""`ledgerops notify` about what no case file says: an approved draft that cannot be sent
(and why), and a daily run that stopped running. The real command, the outbox or aiosmtpd,
ledgers in git with a bare origin."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.reminders.ledgers import DAY, commit_all, git, smtp_env, with_origin
from tests.test_notify import notify

pytestmark = pytest.mark.slow
DRAFT = "DRAFT-nordlicht-BRAND-M4"
WAITS_FOR_PO = f"waiting:{DRAFT}:send-po-missing"
ON_HOLD = f"waiting:{DRAFT}:send-on-hold"


def keys(result: dict, kind: str) -> list[tuple[str, str]]:
    return [(n["key"], n["status"]) for n in result["notices"] if n["kind"] == kind]


def origin_file(origin: Path, path: str) -> dict:
    return json.loads(git(origin, "show", f"main:{path}"))


def _draft_without_po(ledger: Path, hold: str | None = None) -> None:
    text = (
        f"id: {DRAFT}\nclient: nordlicht\nproject: BRAND\nmilestone: M4\n"
        "issue_date: 2026-11-26\ndue_date: 2026-12-26\nservice_date: 2026-11-26\ncurrency: EUR\n"
        "lines:\n  - description: Brand guidelines, second edition\n    quantity: 1\n"
        "    unit_price: 2400.00\n    tax_rate: 19\nstatus: draft\n"
    )
    if hold:
        text += f"hold: {hold}\n"
    (ledger / f"invoices/drafts/{DRAFT}.yaml").write_text(text)
    commit_all(ledger, "approve the Nordlicht draft")


def test_a_draft_waiting_for_its_po_is_one_alert_with_the_reason_and_the_fix(
    tmp_path: Path, smtp_server
) -> None:
    origin, (ledger,) = with_origin(tmp_path)
    _draft_without_po(ledger)
    server = smtp_server()
    code, result, err = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert code == 0, err
    assert keys(result, "waiting") == [(WAITS_FOR_PO, "sent")]
    (subject,) = [n["subject"] for n in result["notices"] if n["kind"] == "waiting"]
    assert subject == (
        f"Action needed: {DRAFT} (Nordlicht Energie GmbH, 2,856.00 EUR) cannot be sent: no PO number"
    )
    message = next(r.message for r in server.received if r.message["Subject"] == subject)
    text = message.get_body(("plain",)).get_content()
    assert "client 'nordlicht' requires a PO number" in text  # the reason
    assert "po_number" in text  # the fix: the diagnostic's hint
    assert origin_file(origin, "reports/notifications.json")["notices"][WAITS_FOR_PO]["status"] == "sent"
    # not twice
    sent = len(server.received)
    code, again, _ = notify(ledger, "--transport", "smtp", env=smtp_env(server))
    assert code == 0 and again["notices"] == [] and len(server.received) == sent


def test_a_second_reason_for_the_same_draft_is_a_new_alert(tmp_path: Path) -> None:
    _, (ledger,) = with_origin(tmp_path)
    _draft_without_po(ledger)
    assert keys(notify(ledger)[1], "waiting") == [(WAITS_FOR_PO, "sent")]
    _draft_without_po(ledger, hold="waiting for Julia's sign-off on the scope")
    code, result, err = notify(ledger)
    assert code == 0, err
    assert keys(result, "waiting") == [(ON_HOLD, "sent")]
    eml = ledger / "outbox" / f"{DRAFT}.send-on-hold.waiting@lindqvist-design.example.eml"
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["Subject"].endswith("cannot be sent: on hold")
    assert "on hold: waiting for Julia's sign-off" in message.get_body(("plain",)).get_content()
    assert notify(ledger)[1]["notices"] == []


def test_a_draft_that_only_waits_for_monday_says_nothing(tmp_path: Path) -> None:
    _, (ledger,) = with_origin(tmp_path)
    code, result, err = notify(ledger, day="2026-11-28")  # a Saturday: the example draft waits
    assert code == 0, err
    assert keys(result, "waiting") == []


def _beat(ledger: Path, day: str) -> None:
    code, _, err = notify(ledger, "--heartbeat", day=day)
    assert code == 0, err


def test_the_heartbeat_alert_goes_once_when_the_daily_run_stopped(tmp_path: Path) -> None:
    origin, (ledger,) = with_origin(tmp_path)
    _beat(ledger, "2026-11-23")
    assert origin_file(origin, "reports/heartbeat.json") == {"daily_run_completed": "2026-11-23"}
    # three days later is within notify.heartbeat_days (3): nothing
    assert keys(notify(ledger, day="2026-11-26")[1], "heartbeat") == []
    # four days later, the weekly notify (no --heartbeat) says so, once
    code, result, err = notify(ledger)
    assert code == 0, err
    assert keys(result, "heartbeat") == [("heartbeat:2026-11-23", "sent")]
    (subject,) = [n["subject"] for n in result["notices"] if n["kind"] == "heartbeat"]
    assert subject == "Action needed: the daily run has not run since 2026-11-23"
    eml = ledger / "outbox" / "daily-run-2026-11-23.heartbeat@lindqvist-design.example.eml"
    text = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default).get_body(("plain",))
    assert "Enable workflow" in text.get_content() and "4 days ago" in text.get_content()
    assert keys(notify(ledger, day="2026-11-30")[1], "heartbeat") == []  # once per gap
    # the daily run completes again; a later gap is a new alert
    _beat(ledger, "2026-12-01")
    assert keys(notify(ledger, day="2026-12-03")[1], "heartbeat") == []
    assert keys(notify(ledger, day="2026-12-05")[1], "heartbeat") == [("heartbeat:2026-12-01", "sent")]


def test_a_recent_daily_run_gives_no_heartbeat_alert_and_its_day_is_committed(tmp_path: Path) -> None:
    origin, (ledger,) = with_origin(tmp_path)
    policy = ledger / "policy.yaml"
    policy.write_text(policy.read_text() + "notify:\n  heartbeat_days: 1\n")
    commit_all(ledger, "a short heartbeat")
    _beat(ledger, "2026-11-26")
    code, result, err = notify(ledger, "--heartbeat")  # the daily run completed today
    assert code == 0, err
    assert keys(result, "heartbeat") == []
    assert origin_file(origin, "reports/heartbeat.json") == {"daily_run_completed": DAY}
    assert git(ledger, "status", "--porcelain") == ""
    # a quiet day still records the run, in a commit of its own
    code, _, err = notify(ledger, "--heartbeat", day="2026-11-28")
    assert code == 0, err
    assert git(origin, "log", "-1", "--format=%s", "main").startswith(
        "ledgerops notify 2026-11-28: the daily run completed"
    )


def test_no_heartbeat_alert_before_the_daily_run_ever_recorded_one(tmp_path: Path) -> None:
    _, (ledger,) = with_origin(tmp_path)
    assert keys(notify(ledger, "--dry-run")[1], "heartbeat") == []


def test_a_heartbeat_of_zero_days_is_a_check_error(tmp_path: Path) -> None:
    _, (ledger,) = with_origin(tmp_path)
    policy = ledger / "policy.yaml"
    policy.write_text(policy.read_text() + "notify:\n  heartbeat_days: 0\n")
    done = run_cli("check", "--ledger", str(ledger))
    assert done.returncode == 1
    assert (
        "invalid-policy" in done.stdout
        and "heartbeat_days is 0; it must be between 1 and 3650" in done.stdout
    )
