"""draft.yml: each trigger drafts with `ledgerops draft --github-event`, pushes a branch and
opens a pull request; only drafts that need no review are set to auto-merge."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.conftest import workflow
from tests.workflows.harness import Repository, event_payload

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

DRAFT = workflow("draft.yml")
PINNED = {"LEDGEROPS_TODAY": "2026-11-27"}
NEW = "invoices/drafts/DRAFT-harbor-pine-CAT27-M3.yaml"
HELD = "invoices/drafts/DRAFT-kaze-robotics-IREX-M2.yaml"


def _pr_calls(calls: tuple[dict[str, Any], ...]) -> list[list[str]]:
    return [call["args"][:2] for call in calls]


def test_a_closed_milestone_becomes_a_pull_request_set_to_auto_merge(example_repo: Repository) -> None:
    run = example_repo.run(DRAFT, "milestone", variables=PINNED)  # harbor-pine/CAT27/M3, standard segment
    assert run.conclusion == "success", run.log
    (commit,) = example_repo.log("ledgerops/draft/DRAFT-harbor-pine-CAT27-M3")[:1]
    assert commit.files == (NEW,)
    assert (commit.author, commit.email) == ("ledgerops[bot]", "ledgerops-bot@users.noreply.github.com")
    assert commit.subject.startswith(
        "drafted DRAFT-harbor-pine-CAT27-M3 for harbor-pine CAT27/M3: 1900.00 USD"
    )
    assert "status: draft" in example_repo.read(NEW, "ledgerops/draft/DRAFT-harbor-pine-CAT27-M3")
    create, merge = run.gh_calls
    assert (create["base"], create["head"]) == ("main", "ledgerops/draft/DRAFT-harbor-pine-CAT27-M3")
    assert "INVOICE DRAFT-harbor-pine-CAT27-M3" in create["body"] and "$1,900.00" in create["body"]
    assert merge["args"][:2] == ["pr", "merge"] and "--auto" in merge["args"]
    assert NEW not in {f for c in example_repo.log() for f in c.files}  # main waits for the merge
    assert "merges itself once the check passes" in run.summary


def test_a_draft_on_hold_for_a_strategic_client_waits_for_review(example_repo: Repository) -> None:
    run = example_repo.run(DRAFT, "repository_dispatch", variables=PINNED)  # kaze-robotics: strategic
    assert run.conclusion == "success", run.log
    assert _pr_calls(run.gh_calls) == [["pr", "create"]]
    assert "hold:" in example_repo.read(HELD, "ledgerops/draft/DRAFT-kaze-robotics-IREX-M2")
    assert "waits for your review" in run.summary
    assert "segment 'strategic' needs a review" in run.gh_calls[0]["body"]


def test_only_issues_labelled_billable_draft_anything(example_repo: Repository) -> None:
    unlabelled = event_payload("issues")
    unlabelled["issue"]["labels"] = [{"name": "bug"}]
    skipped = example_repo.run(DRAFT, "issues", unlabelled, variables=PINNED)
    assert (skipped.conclusion, skipped.gh_calls) == ("skipped", ())
    run = example_repo.run(DRAFT, "issues", variables=PINNED)  # brotwerk SHOP/M2
    assert run.conclusion == "success", run.log
    assert _pr_calls(run.gh_calls) == [["pr", "create"], ["pr", "merge"]]


def test_a_milestone_already_invoiced_opens_nothing(example_repo: Repository) -> None:
    inputs = {"client": "harbor-pine", "project": "CAT27", "milestone": "M1"}
    run = example_repo.run(DRAFT, "workflow_dispatch", inputs=inputs, variables=PINNED)
    assert run.conclusion == "success", run.log
    assert (run.gh_calls, example_repo.branches()) == ((), ["main"])
    assert "is already invoiced by INV-" in run.summary


def test_a_bad_event_fails_the_run_with_the_reason_and_pushes_nothing(example_repo: Repository) -> None:
    inputs = {"client": "acme", "project": "WEB", "milestone": "M1"}
    run = example_repo.run(DRAFT, "workflow_dispatch", inputs=inputs, variables=PINNED)
    assert run.conclusion == "failure"
    assert "no client 'acme'" in run.summary
    assert (run.gh_calls, example_repo.branches()) == ((), ["main"])
