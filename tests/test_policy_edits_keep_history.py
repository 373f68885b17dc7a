"""A policy edit shapes future drafts and messages; it never turns issued invoices into errors
(docs/spec.md §4.6). Each test edits the example ledger's policy as a user would, then runs the
real `ledgerops check` and `ledgerops run --dry-run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_example, run_cli

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process

TODAY = "2026-11-30"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _check(root: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """The exit code and the diagnostics beyond the example's own warnings (a long hold)."""
    result = run_cli("check", "--ledger", str(root), "--today", TODAY, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    found = json.loads(result.stdout)["diagnostics"]
    return result.returncode, [
        (d["code"], d["severity"], d["file"]) for d in found if d["code"] != "long-hold"
    ]


def _planned_sends(root: Path) -> int:
    planned = run_cli("run", "--ledger", str(root), "--today", TODAY, "--dry-run", "--format", "json")
    assert planned.returncode == 0, planned.stderr
    return len(json.loads(planned.stdout)["send"])


def test_shorter_default_terms_keep_issued_and_paid_invoices_valid(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "books")
    _edit(root / "policy.yaml", "default_days: 30", "default_days: 14")
    assert _check(root) == (0, [])
    assert _planned_sends(root) >= 2


def test_a_draft_still_follows_the_terms_in_force(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "books")
    draft = root / "invoices/drafts/DRAFT-harbor-pine-SOCIAL-M2.yaml"
    text = draft.read_text()
    due = next(line for line in text.splitlines() if line.startswith("due_date:"))
    _edit(draft, due, "due_date: 2099-01-01")
    code, found = _check(root)
    assert (
        code == 1 and ("due-date-terms", "error", "invoices/drafts/DRAFT-harbor-pine-SOCIAL-M2.yaml") in found
    )


def test_a_stage_removed_after_it_was_sent_is_no_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "books")
    _edit(root / "policy.yaml", "    - {stage: overdue_7, offset_days: 7}\n", "")
    assert _check(root) == (0, [])
    assert _planned_sends(root) >= 1


def test_a_reason_removed_from_the_policy_matters_only_for_open_cases(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "books")
    _edit(root / "policy.yaml", "    - promise_to_pay\n", "")  # the example's resolved case
    assert _check(root) == (0, [])
    _edit(root / "policy.yaml", "    - dispute\n", "")
    case = root / "exceptions/EXC-2099-0001.yaml"
    case.write_text(
        "id: EXC-2099-0001\ninvoice: INV-2026-0009\nreason: dispute\nopened_at: 2026-11-29\n"
        "source: mara\nstatus: open\n"
    )
    code, found = _check(root)
    assert code == 1 and found == [("unknown-reason", "error", "exceptions/EXC-2099-0001.yaml")]


def test_a_client_that_now_requires_a_po_gets_a_warning_for_invoices_already_sent(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "books")
    client = next(p for p in (root / "clients").glob("*.yaml") if "po_required" not in p.read_text())
    client.write_text(client.read_text() + "po_required: true\n")
    code, found = _check(root)
    assert code == 0
    assert found and {(c, s) for c, s, _ in found} <= {("po-required", "warning"), ("po-missing", "warning")}
