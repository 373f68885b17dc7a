"""`ledgerops policy impact` end to end: a policy edit in a real git repository, against a ref
or a file, and the replay of the example ledger's own history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.impact import Action, compare, policy_impact
from ledgerops.core.queue import ENGINE
from tests.conftest import REPO, copy_example, example_repo, run_cli

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = date(2026, 11, 27)


def test_replaying_the_example_under_its_own_policy_gives_its_recorded_history() -> None:
    ledger = load(Context(REPO, TODAY)).ledger
    assert ledger is not None
    impact = policy_impact(ledger, ledger.policy, ledger.policy, TODAY, 30)
    start = impact.replay_start
    recorded = [
        *(Action("message", inv.id, r.stage, r.sent_at.date())
          for inv in ledger.invoices for r in inv.reminders if r.sent_at.date() >= start),
        *(Action("late_fee", inv.id, None, f.date, f.amount, inv.currency)
          for inv in ledger.invoices for f in inv.late_fees if f.date >= start),
        *(Action("escalation", c.invoice, "final_notice", c.opened_at)
          for c in ledger.exceptions if c.source == ENGINE and c.opened_at >= start),
    ]  # fmt: skip
    assert len(recorded) == len(impact.before.replay) > 20
    assert compare(recorded, impact.before.replay) == ()


def _later_overdue_14(policy: Path) -> None:
    text = policy.read_text()
    policy.write_text(
        text.replace("{stage: overdue_14, offset_days: 14}", "{stage: overdue_14, offset_days: 21}")
    )


def test_impact_of_an_edited_policy_against_main(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "books")
    _later_overdue_14(root / "policy.yaml")
    result = run_cli(
        "policy", "impact", "--ledger", str(root), "--today", "2026-11-27", "--against", "main", "--days", "10",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["before"], payload["after"]) == ("main:policy.yaml", "the working tree")
    assert payload["next_days"]["changes"] == [
        {"change": "moved", "kind": "message", "invoice": "INV-2026-0009", "stage": "overdue_14",
         "before": "2026-11-30", "after": "2026-12-04", "amount_before": None, "amount_after": None,
         "currency": None},
        {"change": "dropped", "kind": "message", "invoice": "INV-2026-0007", "stage": "overdue_14",
         "before": "2026-12-04", "after": None, "amount_before": None, "amount_after": None, "currency": None},
    ]  # fmt: skip
    replay = payload["replay"]
    assert (replay["from"], replay["to"]) == ("2026-10-02", "2026-11-26")
    assert (replay["before"]["messages"], replay["after"]["messages"]) == (18, 17)
    assert replay["before"]["currencies"]["EUR"] == {
        "receivable": "24220.41",
        "dso": 88.6,
        "on_time_rate": 0.5,
    }

    text = run_cli("policy", "impact", "--ledger", str(root), "--today", "2026-11-27", "--days", "10")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("policy impact: HEAD:policy.yaml (before) -> the working tree (after)\n")
    assert "2026-11-30  INV-2026-0009  message overdue_14  moved 2026-11-30 -> 2026-12-04" in text.stdout


def test_impact_against_a_policy_file_needs_no_repository(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "plain")
    other = tmp_path / "proposed.yaml"
    other.write_text((root / "policy.yaml").read_text())
    _later_overdue_14(other)
    result = run_cli(
        "policy", "impact", "--ledger", str(root), "--today", "2026-11-27", "--policy", str(other)
    )
    assert result.returncode == 0, result.stderr
    # The file is the proposal ("after"): its 21 days move the overdue_14 messages later.
    assert result.stdout.startswith(f"policy impact: the working tree (before) -> {other} (after)\n")
    assert "moved 2026-11-30 -> 2026-12-04" in result.stdout
    assert "moved 2026-12-04 -> 2026-11-30" not in result.stdout


def test_a_moved_late_fee_shows_its_new_amount(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "plain")
    other = tmp_path / "proposed.yaml"
    text = (root / "policy.yaml").read_text()
    other.write_text(text.replace("value: 1.5, grace_days: 7", "value: 2, grace_days: 10"))
    result = run_cli(
        "policy", "impact", "--ledger", str(root), "--today", "2026-11-27", "--policy", str(other),
        "--days", "10", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    fee = next(
        c for c in json.loads(result.stdout)["next_days"]["changes"] if c["invoice"] == "INV-2026-0007"
    )
    assert (fee["change"], fee["amount_before"], fee["amount_after"]) == ("moved", "9600", "12800")
    text_out = run_cli(
        "policy",
        "impact",
        "--ledger",
        str(root),
        "--today",
        "2026-11-27",
        "--policy",
        str(other),
        "--days",
        "10",
    ).stdout
    line = next(row for row in text_out.splitlines() if "INV-2026-0007  late fee" in row)
    assert line.split()[4:] == ["12800", "JPY", "moved", "2026-11-27", "->", "2026-11-30,", "was", "9600"]


def test_removing_a_stage_that_was_sent_is_previewed(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "books")
    policy = root / "policy.yaml"
    policy.write_text(policy.read_text().replace("    - {stage: overdue_7, offset_days: 7}\n", ""))
    result = run_cli(
        "policy", "impact", "--ledger", str(root), "--today", "2026-11-27", "--against", "main", "--days", "10",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["next_days"]["changes"]
    assert {"dropped"} == {c["change"] for c in changes if c["stage"] == "overdue_7"} and changes


def test_impact_refuses_what_it_cannot_compare(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "books")
    broken = tmp_path / "broken.yaml"
    broken.write_text("company: {name: X, email: x@example.invalid}\nreminders: {min_gap_days: -1}\n")
    cases = [
        (["--against", "no-such-branch"], "no-such-branch"),
        (["--policy", str(tmp_path / "missing.yaml")], "cannot read"),
        (["--policy", str(broken)], "has errors"),
        (["--against", "main", "--policy", str(broken)], "not both"),
    ]
    for args, message in cases:
        result = run_cli("policy", "impact", "--ledger", str(root), "--today", "2026-11-27", *args)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
