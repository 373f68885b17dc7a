"""`ledgerops exception sync-github`: every case becomes a GitHub issue that reaches a person,
kept in step with its case file (git is the source of truth; the issue is its mirror).

One issue per case whatever the overlap: syncs on one clone take turns (a lock in .git);
each create is preceded by a fresh list of the issues, so a sync that ran meanwhile is seen;
and a sync ends by listing again and closing any later duplicate, so two syncs on different
machines that both created in the same instant converge on the first issue at once.
docs/github.md explains the residual window.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ledgerops.app.load import READABLE, load_ledger
from ledgerops.context import Context
from ledgerops.core import issues as core
from ledgerops.core.issues import Done, SyncResult
from ledgerops.edge import gitrepo, lock
from ledgerops.edge.github import GitHub, GitHubSettings, Issue
from ledgerops.render import issue as render

LOCK_NAME = "ledgerops-sync-github.lock"
LABEL_COLORS = {"ledgerops": "5319e7"}
REASON_COLOR = "d93f0b"


def run(ctx: Context, dry_run: bool, environ: Mapping[str, str] | None = None) -> SyncResult:
    ready = load_ledger(ctx, READABLE)
    settings = GitHubSettings.from_environment(os.environ if environ is None else environ, not dry_run)
    github = GitHub(settings)
    facts = {f.case.id: f for f in core.open_cases_first(core.case_facts(ready.ledger, ready.today))}
    wanted = [core.wanted(f, render.body(f, github.file_url)) for f in facts.values()]
    result = SyncResult(settings.repository, dry_run, has_errors=ready.has_errors)
    if dry_run:
        plan = core.plan_sync(wanted, [_existing(i) for i in github.issues(core.LABEL)])
        result.done = [Done(a.kind, a.case_id, a.number) for a in plan.actions]
        result.unchanged = list(plan.unchanged)
        return result
    with lock.exclusive(gitrepo.lock_file(ctx.ledger_dir, LOCK_NAME)):
        listed = github.issues(core.LABEL)
        plan = core.plan_sync(wanted, [_existing(i) for i in listed])
        if plan.actions:
            _ensure_labels(github, wanted)
        by_number = {i.number: i for i in listed}
        for action in plan.actions:
            result.done.append(_apply(github, action, facts[action.case_id], by_number))
        if any(d.kind == "create" for d in result.done):
            result.done += _close_duplicates(github, wanted, facts)
        result.unchanged = list(plan.unchanged)
    result.writes = github.writes
    return result


def _existing(issue: Issue) -> core.Existing:
    return core.Existing(issue.number, issue.state == "open", issue.body)


def _ensure_labels(github: GitHub, wanted: list[core.Wanted]) -> None:
    """Create the labels the issues use, once per repository (GitHub would create missing
    ones without a colour or a description)."""
    needed = sorted({label for want in wanted for label in want.labels})
    have = github.labels()
    for name in needed:
        if name not in have:
            reason = name.split(":", 1)[-1].replace("_", " ")
            description = "a ledgerops case" if name == core.LABEL else f"ledgerops case: {reason}"
            github.create_label(name, LABEL_COLORS.get(name, REASON_COLOR), description)


def _labels(wanted: core.Wanted, current: Issue | None) -> list[str]:
    """The case's labels, plus any a person added by hand (kept)."""
    own = [label for label in (current.labels if current else ()) if not label.startswith(core.LABEL)]
    return [*wanted.labels, *own]


def _apply(github: GitHub, action: core.Action, facts: core.CaseFacts, by_number: dict[int, Issue]) -> Done:
    want, number = action.wanted, action.number
    current = by_number.get(number) if number is not None else None
    fields = {"title": want.title, "body": want.body, "labels": _labels(want, current)}
    if action.kind == "create":
        # another sync may have created it since the list: look again right before creating
        found = _issue_of(github.issues(core.LABEL), want.case_id)
        if found is not None:
            return Done("found", want.case_id, found.number, found.url)
        made = github.create_issue(want.title, want.body, want.labels)
        return Done("create", want.case_id, made.number, made.url)
    assert number is not None
    if action.kind == "update":
        made = github.update_issue(number, **fields)
    elif action.kind == "close":
        github.comment(number, render.resolved_comment(facts))
        made = github.update_issue(number, **fields, state="closed", state_reason="completed")
    elif action.kind == "reopen":
        github.comment(number, render.reopened_comment(facts))
        made = github.update_issue(number, **fields, state="open")
    else:  # duplicate
        github.comment(number, render.duplicate_comment(action.keep or 0))
        made = github.update_issue(number, state="closed", state_reason="not_planned")
    return Done(action.kind, want.case_id, made.number, made.url)


def _issue_of(listed: list[Issue], case_id: str) -> Issue | None:
    mine = sorted((i for i in listed if core.case_of(i.body) == case_id), key=lambda i: i.number)
    return mine[0] if mine else None


def _close_duplicates(
    github: GitHub, wanted: list[core.Wanted], facts: dict[str, core.CaseFacts]
) -> list[Done]:
    """After creating: list once more and close any second issue of a case (a sync on
    another machine created it in the same moment)."""
    plan = core.plan_sync(wanted, [_existing(i) for i in github.issues(core.LABEL)])
    duplicates = [a for a in plan.actions if a.kind == "duplicate"]
    return [_apply(github, a, facts[a.case_id], {}) for a in duplicates]
