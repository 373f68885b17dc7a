"""`ledgerops draft`: a draft invoice file from a milestone-completion event.

The draft is written, never committed: approval is the merge, so it goes to a branch and
a pull request (the workflow does that), not straight onto the approval branch.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ledgerops.app.load import load, load_ledger, valid_in
from ledgerops.app.records import create_record, errors_in
from ledgerops.context import Context
from ledgerops.core.checks import LEGAL_CONTENT_CODES
from ledgerops.core.diagnostics import Diagnostic, Source, diag
from ledgerops.core.drafting import DraftResult, plan_draft
from ledgerops.core.errors import UsageError
from ledgerops.core.events import (
    COMMAND_LINE,
    MilestoneEvent,
    ParsedEvent,
    event_from_github,
    event_from_mapping,
)
from ledgerops.edge import clock, store
from ledgerops.yamlfile.read import read_data
from ledgerops.yamlfile.schema import INVOICE


@dataclass(frozen=True)
class EventSource:
    """Exactly one of: the ids on the command line, an event file, a GitHub payload."""

    client: str | None = None
    project: str | None = None
    milestone: str | None = None
    event_file: Path | None = None
    github_event: Path | None = None
    date: date | None = None  # the issue date; overrides the event's own date
    po_number: str | None = None  # overrides the event's


def run(ctx: Context, source: EventSource) -> DraftResult:
    if source.po_number is not None and not (source.po_number.strip() and source.po_number.isprintable()):
        raise UsageError("--po must be the PO number on one line")
    parsed = _parse(source)
    if parsed.ignored:
        return DraftResult("ignored", ignored=parsed.ignored)
    if parsed.event is None:
        return DraftResult("invalid", problems=parsed.diagnostics)
    event = parsed.event
    loaded = load_ledger(ctx, valid_in(f"clients/{event.client}.yaml"))
    ledger = loaded.ledger
    event = dataclasses.replace(
        event,
        completed_on=source.date or event.completed_on or _local_day(event, ledger.policy.timezone),
        po_number=source.po_number or event.po_number,
    )
    plan = plan_draft(ledger, event, loaded.today)
    if plan.existing is not None:
        return DraftResult("exists", plan.existing, plan.existing.path)
    if plan.draft is None:
        return DraftResult("invalid", problems=plan.problems)
    path = plan.draft.path
    written = create_record(ctx.ledger_dir, path, plan.draft, INVOICE)
    missing = _verify(ctx, written, path)
    return DraftResult("drafted", plan.draft, path, (*plan.notes, *missing),
                       needs_review=plan.needs_review or bool(missing))  # fmt: skip


def _parse(source: EventSource) -> ParsedEvent:
    given = [source.client or source.project or source.milestone, source.event_file, source.github_event]
    if sum(bool(g) for g in given) != 1:
        raise UsageError(
            "give one event: --client/--project/--milestone, --event FILE or --github-event FILE"
        )
    if source.event_file or source.github_event:
        path = source.event_file or source.github_event
        data, problems = _read_event(path)  # type: ignore[arg-type]
        if problems:
            return ParsedEvent(None, tuple(problems))
        where = Source(str(path))
        return event_from_mapping(data, where) if source.event_file else event_from_github(data, where)
    missing = [f"--{name}" for name in ("client", "project", "milestone") if not getattr(source, name)]
    if missing:
        raise UsageError(
            f"{', '.join(missing)} missing: a milestone is named by client, project and milestone"
        )
    fields = {"client": source.client, "project": source.project, "milestone": source.milestone}
    return event_from_mapping(fields, COMMAND_LINE)


def _read_event(path: Path) -> tuple[object, list[Diagnostic]]:
    """JSON (what GitHub and most relays write) or YAML (what a person writes)."""
    try:
        data = store.read_bytes(Path.cwd(), str(path))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error
    if data.lstrip()[:1] in (b"{", b"["):
        try:
            return json.loads(data, parse_float=Decimal), []
        except ValueError as error:
            return None, [diag("event-invalid", Source(str(path)), f"not valid JSON: {error}")]
    return read_data(str(path), data)


def _local_day(event: MilestoneEvent, timezone: str) -> date | None:
    """GitHub's closed_at is UTC; the invoice is dated in the policy's time zone."""
    if event.completed_at is None:
        return None
    zone = clock.zone(timezone)
    return event.completed_at.astimezone(zone).date() if zone else event.completed_at.date()


def _verify(ctx: Context, written: Path, path: str) -> list[str]:
    """The new file must pass check; if it does not (a bug), take it back. What the invoice
    must still state before it is sent (docs/spec.md §4.5) is for the reviewer: a note each."""
    diagnostics = load(ctx).diagnostics
    missing = [f"before it is sent: {d.message}" for d in diagnostics
               if d.code in LEGAL_CONTENT_CODES and d.severity == "error"]  # fmt: skip
    problems = [d for d in errors_in(diagnostics, path) if d.code not in LEGAL_CONTENT_CODES]
    if problems:
        written.unlink()
        raise AssertionError(f"the draft {path} did not pass check: {problems[0].message}")
    return missing
