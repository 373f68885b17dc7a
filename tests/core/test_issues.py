"""Cases as issues: which requests a sync makes, decided without GitHub."""

from __future__ import annotations

from datetime import date

import pytest

from ledgerops.core.issues import CaseFacts, Existing, Wanted, case_of, plan_sync, wanted
from ledgerops.core.model import ExceptionCase


def _case(status: str = "open", note: str = "call them") -> ExceptionCase:
    resolved = {"resolved_at": date(2026, 12, 1), "resolution": "paid"} if status == "resolved" else {}
    return ExceptionCase("EXC-2026-0001", "INV-2026-0001", "dispute", date(2026, 11, 2), status,
                         note=note, path="exceptions/EXC-2026-0001.yaml", **resolved)  # fmt: skip


def _wanted(status: str = "open", note: str = "call them") -> Wanted:
    facts = CaseFacts(_case(status, note), None, None, "100.00", "EUR", (), False)
    return wanted(facts, f"body: {note}\n")


def _issue(number: int, want: Wanted, is_open: bool = True) -> Existing:
    return Existing(number, is_open, want.body)


@pytest.mark.parametrize(
    ("want", "existing", "kinds"),
    [
        (_wanted(), [], ["create"]),
        (_wanted(), [_issue(3, _wanted())], []),
        (_wanted(note="new"), [_issue(3, _wanted())], ["update"]),
        (_wanted("resolved"), [_issue(3, _wanted())], ["close"]),
        (_wanted("resolved"), [_issue(3, _wanted("resolved"), is_open=False)], []),
        (_wanted("resolved"), [], []),
        (_wanted(), [_issue(3, _wanted(), is_open=False)], ["reopen"]),
        (_wanted(), [_issue(4, _wanted()), _issue(3, _wanted())], ["duplicate"]),
        (_wanted(), [_issue(3, _wanted()), _issue(4, _wanted(), is_open=False)], []),
        (_wanted(), [Existing(3, True, "a person's own issue")], ["create"]),
    ],
    ids=[
        "new",
        "same",
        "changed",
        "resolved",
        "resolved-closed",
        "resolved-never-had-one",
        "closed-by-hand",
        "duplicate",
        "closed-duplicate",
        "unmarked",
    ],
)
def test_plan(want: Wanted, existing: list[Existing], kinds: list[str]) -> None:
    plan = plan_sync([want], existing)
    assert [a.kind for a in plan.actions] == kinds
    if kinds == ["duplicate"]:
        assert (plan.actions[0].number, plan.actions[0].keep) == (4, 3)


def test_the_marker_the_sync_wrote_wins_over_one_quoted_in_a_note() -> None:
    want = _wanted(note="see <!-- ledgerops-case: EXC-2026-0999 -->")
    assert case_of(want.body) == "EXC-2026-0001"
