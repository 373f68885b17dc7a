"""`ledgerops remind` end to end on the example ledger (docs/example-ledger.md, 2026-11-27)."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

from .ledgers import DAY, example_repo, git

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

EXPECTED_SKIPS = {
    "INV-2025-0001": "paid", "INV-2025-0002": "paid", "INV-2026-0001": "paid", "INV-2026-0002": "paid",
    "INV-2026-0008": "paid", "INV-2026-0003": "void", "INV-2026-0004": "reminders_off",
    "INV-2026-0005": "exception", "INV-2026-0009": "min_gap", "INV-2026-0010": "not_due",
    "INV-2026-0014": "not_due", "INV-2026-0011": "hold", "DRAFT-harbor-pine-SOCIAL-M2": "draft",
}  # fmt: skip


def test_dry_run_json_is_the_documented_plan_and_writes_nothing(example: Path) -> None:
    before = snapshot(example)
    done = run_cli("remind", "--ledger", str(example), "--today", DAY, "--dry-run", "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert set(plan) >= {"today", "send", "escalate", "late_fees", "skipped"} and plan["today"] == DAY
    sends = {(s["invoice"], s["stage"], s["to"], s["amount_due"], s["currency"]) for s in plan["send"]}
    assert sends == {
        ("INV-2026-0007", "overdue_7", "keiri@kaze-robotics.example", "649600", "JPY"),
        ("INV-2026-0012", "due", "payables@harborandpine.example", "5400.00", "USD"),
        ("INV-2026-0013", "pre_due", "payables@harborandpine.example", "2400.00", "USD"),
    }
    assert all(s["subject"] and s["invoice"] in s["subject"] for s in plan["send"])
    assert plan["escalate"] == [{"invoice": "INV-2026-0006", "stage": "final_notice"}]
    assert plan["late_fees"] == [{"invoice": "INV-2026-0007", "amount": "9600", "currency": "JPY"}]
    assert {s["invoice"]: s["reason"] for s in plan["skipped"]} == EXPECTED_SKIPS
    assert snapshot(example) == before


def test_dry_run_text_is_a_table(example: Path) -> None:
    done = run_cli("remind", "--ledger", str(example), "--today", DAY, "--dry-run")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert any(line.split()[:3] == ["send", "INV-2026-0012", "due"] for line in lines)
    assert any(line.split()[:3] == ["escalate", "INV-2026-0006", "final_notice"] for line in lines)
    assert any(line.split()[:4] == ["skip", "INV-2026-0009", "overdue_14", "min_gap"] for line in lines)


def test_remind_sends_records_commits_and_a_second_run_sends_nothing(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    done = run_cli("remind", "--ledger", str(ledger), "--today", DAY, "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ok"] and [s["status"] for s in summary["send"]] == ["accepted"] * 3
    eml = sorted(p.name for p in (ledger / "outbox").iterdir())
    assert eml == [
        "INV-2026-0007.overdue_7@lindqvist-design.example.eml",
        "INV-2026-0012.due@lindqvist-design.example.eml",
        "INV-2026-0013.pre_due@lindqvist-design.example.eml",
    ]
    message = email.message_from_bytes((ledger / "outbox" / eml[0]).read_bytes(), policy=email.policy.default)
    assert message["In-Reply-To"] == "<INV-2026-0007.invoice@lindqvist-design.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    for fact in (
        "INV-2026-0007",
        "￥649,600",
        "2026/11/20",
        "https://pay.lindqvist-design.example/INV-2026-0007",
    ):
        assert fact in text  # the fee recorded in the same run is in the amount due
    invoice = (ledger / "invoices/2026/INV-2026-0007.yaml").read_text()
    assert "{date: 2026-11-27, amount: 9600, rule: late_fee}" in invoice
    assert "stage: overdue_7, sent_at: 2026-11-27T" in invoice and "claims" not in invoice
    assert "# paused 2026-11-19..25" in (ledger / "invoices/2026/INV-2026-0009.yaml").read_text()
    (case_file,) = (ledger / "exceptions").glob("EXC-20261127-*.yaml")
    case = case_file.read_text()
    assert "invoice: INV-2026-0006" in case and "reason: final_escalation" in case
    assert "source: reminder-engine" in case
    assert git(ledger, "status", "--porcelain") == ""
    assert run_cli("check", "--ledger", str(ledger), "--today", DAY).returncode == 0

    again = json.loads(run_cli("remind", "--ledger", str(ledger), "--today", DAY, "--format", "json").stdout)
    assert again["send"] == [] and again["escalate"] == [] and again["late_fees"] == []
    assert len(list((ledger / "outbox").iterdir())) == 3


def test_a_ledger_with_errors_sends_nothing_and_changes_nothing(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    policy = ledger / "policy.yaml"
    policy.write_text(policy.read_text().replace("min_gap_days: 2", "min_gap_days: two"))
    git(ledger, "commit", "-qam", "broken policy")
    before = snapshot(ledger)
    for args in ((), ("--dry-run",)):
        done = run_cli("remind", "--ledger", str(ledger), "--today", DAY, *args)
        assert done.returncode == 2 and "error" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(ledger) == before


def test_uncommitted_changes_refuse_a_run(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    target = ledger / "invoices/2026/INV-2026-0012.yaml"
    target.write_text(target.read_text() + "# a note\n")
    done = run_cli("remind", "--ledger", str(ledger), "--today", DAY)
    assert done.returncode == 2 and "uncommitted" in done.stderr
    assert not (ledger / "outbox").exists()


def test_a_ledger_outside_git_runs_with_files_only(example: Path) -> None:
    done = run_cli("remind", "--ledger", str(example), "--today", DAY)
    assert done.returncode == 0, done.stderr
    assert len(list((example / "outbox").iterdir())) == 3
    assert "stage: due, sent_at: 2026-11-27T" in (example / "invoices/2026/INV-2026-0012.yaml").read_text()
