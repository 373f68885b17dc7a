"""`pay` and `run` on invoice files a person formatted by hand: each list indented its own
way, block and {...} items mixed. The tool adds its lines and changes no other byte."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from tests.conftest import example_repo, git, run_cli

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = "2026-11-27"


def _commit(ledger: Path, path: Path, text: str) -> None:
    path.write_text(text)
    git(ledger, "-c", "user.name=Mara", "-c", "user.email=mara@example.invalid", "commit", "-qam", "by hand")


def _added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails when it changes or drops one."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True), autojunk=False)
    assert all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes()), after
    return [line for tag, _, _, j1, j2 in matcher.get_opcodes() if tag == "insert"
            for line in after.splitlines(True)[j1:j2]]  # fmt: skip


def test_pay_appends_to_a_list_indented_unlike_the_first_one(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    path = ledger / "invoices/2026/INV-2026-0013.yaml"
    before = path.read_text() + "payments:\n- date: 2026-11-20\n  amount: 100.00\n"  # lines are at 2
    _commit(ledger, path, before)
    result = run_cli("pay", "INV-2026-0013", "--ledger", str(ledger), "--today", TODAY, "--amount", "10.00",
                     "--date", "2026-11-21", "--ref", "SEPA 77")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert path.read_text() == before + "- date: 2026-11-21\n  amount: 10.00\n  ref: SEPA 77\n"
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0


def test_run_records_on_a_list_indented_unlike_the_first_one(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    path = ledger / "invoices/2026/INV-2026-0007.yaml"
    first = '  - {stage: pre_due, sent_at: 2026-11-17T08:17:22+01:00, message_id: "<INV-2026-0007.pre_due@ledgerops.invalid>"}\n'
    by_hand = ('- stage: pre_due\n  sent_at: 2026-11-17T08:17:22+01:00\n'
               '  message_id: "<INV-2026-0007.pre_due@ledgerops.invalid>"\n')  # fmt: skip
    before = path.read_text().replace(first, by_hand).replace("  - {stage: due", "- {stage: due")
    _commit(ledger, path, before)

    result = run_cli("run", "--ledger", str(ledger), "--today", TODAY, "--no-push", "--format", "json")
    summary = json.loads(result.stdout)
    assert result.returncode == 0 and summary["errors"] == [], result.stdout
    assert ("INV-2026-0007", "overdue_7") in {(m["invoice"], m["stage"]) for m in summary["send"]}
    added = _added_lines(before, path.read_text())
    assert re.fullmatch(r"- \{stage: overdue_7, sent_at: 2026-11-27T\S+, message_id: "
                        r'"<INV-2026-0007\.overdue_7@lindqvist-design\.example>", via: outbox, to: "[^"]+"\}\n',
                        added[0])  # fmt: skip
    assert added[1:] == ["late_fees:\n", "  - {date: 2026-11-27, amount: 9600, rule: late_fee}\n"]
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0
