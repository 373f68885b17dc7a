"""check.yml, run by the harness on pull requests against the example ledger."""

from __future__ import annotations

from tests.workflows.conftest import commit_change, workflow
from tests.workflows.harness import Repository

CHECK = workflow("check.yml")
PINNED = {"LEDGEROPS_TODAY": "2026-11-27"}
INVOICE = "invoices/2026/INV-2026-0013.yaml"


def test_a_valid_change_passes_and_the_summary_previews_the_merge(example_repo: Repository) -> None:
    clone = example_repo.clone()
    text = (clone / INVOICE).read_text() + "payments:\n  - {date: 2026-11-26, amount: 400.00, method: card}\n"
    commit_change(clone, "payment", {INVOICE: text}, "Record a card payment")
    run = example_repo.run(CHECK, "pull_request", example_repo.open_pull_request("payment"), variables=PINNED)
    assert run.conclusion == "success", run.log
    assert [a for a in run.annotations if a.level == "error"] == []
    assert "## What merging this pull request would do" in run.summary
    assert "### Validation" in run.summary


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
