"""`ledgerops draft --format github`: the step outputs draft.yml relies on, and the rule that
decides which drafts the automation may merge by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.workflows.harness import key_values


def _draft(ledger: Path, client: str, project: str, milestone: str, *extra: str) -> dict[str, str]:
    done = run_cli("draft", "--ledger", str(ledger), "--client", client, "--project", project,
                   "--milestone", milestone, "--today", "2026-11-27", "--format", "github", *extra)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return key_values(done.stdout)


@pytest.mark.parametrize(
    ("client", "project", "milestone", "po_required", "extra", "needs_review"),
    [
        ("harbor-pine", "CAT27", "M3", False, (), "false"),  # standard segment, nothing missing
        ("kaze-robotics", "IREX", "M2", False, (), "true"),  # strategic, and on hold (terms exception)
        ("harbor-pine", "CAT27", "M3", True, (), "true"),  # send would block it: no PO yet
        ("harbor-pine", "CAT27", "M3", True, ("--po", "PO-88"), "false"),
    ],
)
def test_only_a_draft_that_needs_no_review_may_merge_by_itself(
    example: Path, client: str, project: str, milestone: str, po_required: bool, extra: tuple[str, ...],
    needs_review: str,
) -> None:  # fmt: skip
    if po_required:
        path = example / f"clients/{client}.yaml"
        path.write_text(path.read_text() + "po_required: true\n")
    outputs = _draft(example, client, project, milestone, *extra)
    draft_id = f"DRAFT-{client}-{project}-{milestone}"
    assert (outputs["status"], outputs["invoice"]) == ("drafted", draft_id)
    assert outputs["path"] == f"invoices/drafts/{draft_id}.yaml"
    assert outputs["needs_review"] == needs_review
    assert outputs["summary"].startswith(f"drafted {draft_id} for {client} {project}/{milestone}")


def test_a_second_draft_of_the_same_milestone_says_which_invoice_covers_it(example: Path) -> None:
    _draft(example, "harbor-pine", "CAT27", "M3")
    again = _draft(example, "harbor-pine", "CAT27", "M3")
    assert (again["status"], again["invoice"]) == ("exists", "DRAFT-harbor-pine-CAT27-M3")
    assert "already invoiced by DRAFT-harbor-pine-CAT27-M3" in again["summary"]
