"""`ledgerops tone suggest`: a language model's wording for one reminder stage and segment,
checked like `check` checks templates, and written as a template on a new branch for a pull
request. The model sees the stage, the segment, the company's name, the current wording and
the brief; never a client's data. The facts stay the tool's (core/tone.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ledgerops.app.load import load_ledger, valid_in
from ledgerops.app.records import require_committed
from ledgerops.app.templatecheck import suggestion_problems
from ledgerops.context import Context
from ledgerops.core.errors import UsageError
from ledgerops.core.policy import Stage
from ledgerops.core.template_names import INVOICE_STAGE, invoice_email_template_names, reminder_template_names
from ledgerops.core.tone import StageInfo, Suggested, check_answer, prompt_messages
from ledgerops.edge import gitrepo, llm, store

BRANCH_PREFIX = "ledgerops/tone/"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
MAX_BRIEF = 500


def suggest(
    ctx: Context,
    stage: str,
    segment: str,
    brief: str | None,
    *,
    dry_run: bool,
    environ: Mapping[str, str] | None = None,
) -> Suggested:
    from ledgerops.render.invoice_email import invoice_email_template
    from ledgerops.render.reminder import template_for
    from ledgerops.render.templates import environment, source

    settings = llm.LlmSettings.from_environment(os.environ if environ is None else environ)
    if brief is not None and len(brief) > MAX_BRIEF:
        raise UsageError(f"--brief is {len(brief)} characters long; keep it to {MAX_BRIEF}")
    loaded = load_ledger(ctx, valid_in())
    ledger = loaded.ledger
    policy = ledger.policy
    invoice = stage == INVOICE_STAGE
    info = StageInfo(stage, 0, invoice=True) if invoice else _stage(policy.reminders.sequence, stage)
    if segment not in policy.segments:
        raise UsageError(f"segment '{segment}' is not in policy.segments ({', '.join(policy.segments)})")
    if not _NAME.match(segment):
        raise UsageError(f"segment '{segment}' cannot name a template file; use letters, digits, _ and -")

    name = (invoice_email_template_names(segment) if invoice else reminder_template_names(stage, segment))[0]
    path = f"templates/{name}"
    env = environment(ctx.ledger_dir)
    based_on = invoice_email_template(env, segment) if invoice else template_for(env, stage, segment)
    messages = prompt_messages(info, segment, policy.company.name, source(env, based_on), brief)
    answer = llm.complete(settings, messages)

    checked = check_answer(answer, info, policy.currencies)
    shown = Suggested(stage, segment, path, based_on, checked.template, checked.reasons)
    if checked.template is None:
        return shown
    problems = suggestion_problems(
        ctx.ledger_dir, policy, stage, segment, name, checked.template, loaded.today
    )
    if problems:
        return replace(shown, template=None, reasons=tuple(problems))
    target = ctx.ledger_dir / path
    if target.is_file() and target.read_text(encoding="utf-8") == checked.template:
        return replace(shown, template=None, reasons=(f"the suggestion is the wording {path} already has",))
    if dry_run:
        return shown
    return _write(ctx, shown, checked.template)


def _stage(sequence: Sequence[Stage], stage: str) -> StageInfo:
    for item in sequence:
        if item.stage != stage:
            continue
        if item.manual:
            raise UsageError(
                f"stage '{stage}' is manual: no email is sent, so there is no wording to suggest"
            )
        if not _NAME.match(stage):
            raise UsageError(f"stage '{stage}' cannot name a template file; use letters, digits, _ and -")
        return StageInfo(stage, item.offset_days)
    emailed = ", ".join(s.stage for s in sequence if not s.manual)
    raise UsageError(
        f"no stage '{stage}' in policy.reminders.sequence (emailed stages: {emailed}; "
        f"'{INVOICE_STAGE}' for the invoice email)"
    )


def _write(ctx: Context, shown: Suggested, template: str) -> Suggested:
    """The template on a new branch, committed; or written only, outside a git repository.
    Anything failing on the way leaves the files and the checked-out branch as they were."""
    target = ctx.ledger_dir / shown.path
    if not gitrepo.is_repository(ctx.ledger_dir):
        store.write_atomic(target, template.encode("utf-8"))
        return replace(shown, written=True)
    require_committed(ctx.ledger_dir, [shown.path], commit=True)
    before = target.read_bytes() if target.is_file() else None
    created = [p for p in (target.parent, target.parent.parent) if not p.exists()]
    branch, previous = gitrepo.start_branch(ctx.ledger_dir, f"{BRANCH_PREFIX}{shown.stage}-{shown.segment}")
    try:
        store.write_atomic(target, template.encode("utf-8"))
        message = f"tone: {shown.stage} wording for segment {shown.segment}\n\nSuggested by `ledgerops tone suggest`."
        sha = gitrepo.commit(ctx.ledger_dir, [target], message)
    except BaseException:
        if before is None:
            target.unlink(missing_ok=True)
            for folder in created:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
        else:
            store.write_atomic(target, before)
        gitrepo.abandon_branch(ctx.ledger_dir, branch, previous)
        raise
    return replace(shown, written=True, branch=branch, previous_branch=previous, commit=sha)
