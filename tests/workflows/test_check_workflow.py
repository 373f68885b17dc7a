"""check.yml, run by the harness on pull requests against the example ledger: inline
annotations, and a summary that previews what merging would do."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli
from tests.workflows.conftest import commit_change, workflow
from tests.workflows.harness import FOUNDER, Repository, git

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

CHECK = workflow("check.yml")
PINNED = {"LEDGEROPS_TODAY": "2026-11-26"}  # a Thursday: the preview is of Friday's run
INVOICE = "invoices/2026/INV-2026-0013.yaml"


def test_a_new_draft_passes_and_the_summary_previews_what_the_next_run_sends(
    example_repo: Repository,
) -> None:
    clone = example_repo.clone()
    git("switch", "-q", "-c", "draft-m3", cwd=clone)
    drafted = run_cli("draft", "--ledger", str(clone), "--client", "harbor-pine", "--project", "CAT27",
                      "--milestone", "M3", "--today", "2026-11-26")  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    git("add", "-A", cwd=clone)
    git("commit", "-qm", "Draft CAT27/M3", cwd=clone, identity=FOUNDER)
    git("push", "-q", "origin", "draft-m3", cwd=clone)
    run = example_repo.run(
        CHECK, "pull_request", example_repo.open_pull_request("draft-m3"), variables=PINNED
    )
    assert run.conclusion == "success", run.log
    assert [a for a in run.annotations if a.level == "error"] == []
    summary = run.summary
    assert "## What merging this pull request would do" in summary
    assert "### The next daily run (2026-11-27)" in summary
    assert "send INV-2026-0016 invoice email  1900.00 USD" in summary  # the new draft, once merged
    assert re.search(r"\nsend +INV-2026-0013 +pre_due ", summary)  # a reminder due tomorrow
    assert "### Validation" in summary
    assert "policy.yaml changed" not in summary


def test_an_error_fails_the_check_with_an_inline_annotation_and_still_writes_the_summary(
    example_repo: Repository,
) -> None:
    clone = example_repo.clone()
    text = (clone / INVOICE).read_text().replace("currency: USD", "currency: CHF")
    commit_change(clone, "typo", {INVOICE: text}, "Oops")
    run = example_repo.run(CHECK, "pull_request", example_repo.open_pull_request("typo"), variables=PINNED)
    assert run.conclusion == "failure"
    assert run.step("Check the ledger").outcome == "failure"
    (error,) = [a for a in run.annotations if a.level == "error"]
    assert (error.file, error.title) == (INVOICE, "unknown-currency")
    assert text.splitlines()[error.line - 1].startswith("currency: CHF")
    assert run.step("Preview what merging would do").outcome == "success"
    assert "unknown-currency" in run.summary


def test_a_policy_change_shows_its_impact(example_repo: Repository) -> None:
    clone = example_repo.clone()
    policy = (clone / "policy.yaml").read_text()
    assert "min_gap_days: 2" in policy
    commit_change(
        clone, "gap", {"policy.yaml": policy.replace("min_gap_days: 2", "min_gap_days: 5")}, "Longer gap"
    )
    run = example_repo.run(CHECK, "pull_request", example_repo.open_pull_request("gap"), variables=PINNED)
    assert run.conclusion == "success", run.log
    impact = run.summary.split("### policy.yaml changed: its impact", 1)[1]
    assert "origin/main:policy.yaml (before) -> the working tree (after)" in impact
    assert "2026-11-27  INV-2026-0012  message due         moved 2026-11-27 -> 2026-11-30" in impact
    assert re.search(r"\nskip +INV-2026-0012 +due +min_gap", run.summary)  # tomorrow, merged
