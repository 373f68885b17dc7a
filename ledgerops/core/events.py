"""Milestone-completion events from an event file or a GitHub event payload.

Both arrive as plain data (JSON or YAML already parsed); this module turns them into one
`MilestoneEvent` or says, as diagnostics, why it cannot. A GitHub event that is not about
a delivered milestone (an issue closed as not planned, without the `billable` label, a
milestone titled some other way) is *ignored*, not an error: the workflow runs on every
closed milestone and issue of the repository.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledgerops.core.diagnostics import Diagnostic, Source, diag
from ledgerops.core.money import parse_amount
from ledgerops.core.text import has_break_or_control, is_id

EVENT_KEYS = ("client", "project", "milestone", "completed_on", "po_number", "amount")
_REQUIRED = ("client", "project", "milestone")
_TITLE = re.compile(r"\s*(?P<client>[^/\s]+)\s*/\s*(?P<project>[^/\s]+)\s*/\s*(?P<milestone>[^/\s]+)\s*\Z")
_KEY_LINE = re.compile(
    r"^[ \t>*-]*`?(?P<key>[A-Za-z_ ]+?)`?[ \t]*:[ \t]*`?(?P<value>[^`\n]*?)`?[ \t]*$", re.MULTILINE
)
_FORM_SECTION = re.compile(r"^#{2,4}[ \t]+(?P<key>[^\n]+?)[ \t]*\n+(?P<value>[^\n#][^\n]*)", re.MULTILINE)
_KEY_ALIASES = {"po": "po_number", "po number": "po_number", "purchase order": "po_number", "date": "completed_on",
                "completed": "completed_on", "completed on": "completed_on"}  # fmt: skip


COMMAND_LINE = Source("(command line)")


@dataclass(frozen=True, slots=True)
class MilestoneEvent:
    client: str
    project: str
    milestone: str
    completed_on: date | None = None
    completed_at: datetime | None = None  # GitHub's closed_at: its day depends on the time zone
    po_number: str | None = None
    amount: Decimal | None = None
    source: Source = COMMAND_LINE


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    event: MilestoneEvent | None
    diagnostics: tuple[Diagnostic, ...] = ()
    ignored: str | None = None  # why a GitHub event is not a billable milestone


def event_from_mapping(data: Any, source: Source) -> ParsedEvent:
    """An event file: {client, project, milestone, completed_on?, po_number?, amount?}."""
    if not isinstance(data, Mapping):
        return _invalid(source, "the event must be a mapping with client, project and milestone")
    problems = [
        diag("event-invalid", source, f"unknown key '{key}' in the event; allowed: {', '.join(EVENT_KEYS)}")
        for key in data
        if key not in EVENT_KEYS and not str(key).startswith("x-")
    ]
    return _build({k: data[k] for k in EVENT_KEYS if data.get(k) not in (None, "")}, source, problems)


def event_from_github(payload: Any, source: Source) -> ParsedEvent:
    """A GitHub event payload ($GITHUB_EVENT_PATH): `milestone` closed, `issues` closed with
    the `billable` label, or a dispatch (`repository_dispatch` client_payload,
    `workflow_dispatch` inputs) carrying the event keys."""
    if not isinstance(payload, Mapping):
        return _invalid(source, "a GitHub event payload is a JSON object")
    if isinstance(payload.get("client_payload"), Mapping):
        return event_from_mapping(payload["client_payload"], source)
    if isinstance(payload.get("inputs"), Mapping):
        return event_from_mapping(payload["inputs"], source)
    if isinstance(payload.get("issue"), Mapping):
        return _from_issue(payload, source)
    if isinstance(payload.get("milestone"), Mapping):
        return _from_milestone(payload, source)
    return _invalid(source, "not a milestone, issue or dispatch event payload")


def _from_milestone(payload: Mapping[str, Any], source: Source) -> ParsedEvent:
    milestone = payload["milestone"]
    if payload.get("action") != "closed":
        return ParsedEvent(None, ignored=f"milestone event '{payload.get('action')}', not 'closed'")
    title = str(milestone.get("title") or "")
    match = _TITLE.match(title)
    if not match:
        return ParsedEvent(None, ignored=f"milestone '{title}' is not titled <client>/<project>/<milestone>")
    fields: dict[str, Any] = match.groupdict()
    fields.update(_keys_in_text(str(milestone.get("description") or ""), ("po_number", "amount")))
    return _build(fields, source, [], milestone.get("closed_at"))


def _from_issue(payload: Mapping[str, Any], source: Source) -> ParsedEvent:
    issue = payload["issue"]
    labels = [
        label.get("name") if isinstance(label, Mapping) else label for label in issue.get("labels") or ()
    ]
    if payload.get("action") != "closed":
        return ParsedEvent(None, ignored=f"issue event '{payload.get('action')}', not 'closed'")
    if "billable" not in labels:
        return ParsedEvent(None, ignored=f"issue #{issue.get('number')} is not labelled 'billable'")
    if issue.get("state_reason") == "not_planned":
        return ParsedEvent(None, ignored=f"issue #{issue.get('number')} was closed as not planned")
    fields = _keys_in_text(str(issue.get("body") or ""), EVENT_KEYS)
    missing = [key for key in _REQUIRED if key not in fields]
    if missing:
        return _invalid(source, f"issue #{issue.get('number')} is labelled 'billable' but its body has no "
                        f"{', '.join(missing)} (write lines like 'client: acme')")  # fmt: skip
    return _build(fields, source, [], issue.get("closed_at"))


def _keys_in_text(text: str, wanted: tuple[str, ...]) -> dict[str, str]:
    """`key: value` lines (in lists, quotes or code) and issue-form sections (### Key)."""
    found: dict[str, str] = {}
    for pattern in (_FORM_SECTION, _KEY_LINE):
        for match in pattern.finditer(text):
            key = match["key"].strip().lower()
            key = _KEY_ALIASES.get(key, key.replace(" ", "_"))
            value = match["value"].strip()
            if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            if key in wanted and key not in found and value and value != "_No response_":
                found[key] = value
    return found


def _build(
    fields: Mapping[str, Any], source: Source, problems: list[Diagnostic], closed_at: Any = None
) -> ParsedEvent:
    for key in _REQUIRED:
        value = fields.get(key)
        if value is None:
            problems.append(diag("event-invalid", source, f"the event has no '{key}'"))
        elif not isinstance(value, str) or not is_id(value):
            problems.append(diag("event-invalid", source, f"'{key}' is {value!r}, not an id like WEB or M2"))
    po_number = fields.get("po_number")
    if po_number is not None and (
        not isinstance(po_number, (str, int)) or has_break_or_control(str(po_number))
    ):
        problems.append(diag("event-invalid", source, f"po_number {po_number!r} must be text on one line"))
    completed_on = _date(fields.get("completed_on"), source, problems)
    completed_at = _timestamp(closed_at, source, problems)
    amount = _amount(fields.get("amount"), source, problems)
    if problems:
        return ParsedEvent(None, tuple(problems))
    event = MilestoneEvent(
        client=fields["client"],
        project=fields["project"],
        milestone=fields["milestone"],
        completed_on=completed_on,
        completed_at=completed_at,
        po_number=str(po_number) if po_number is not None else None,
        amount=amount,
        source=source,
    )
    return ParsedEvent(event)


def _date(value: Any, source: Source, problems: list[Diagnostic]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(diag("event-invalid", source, f"completed_on '{value}' is not a date (YYYY-MM-DD)"))
        return None


def _timestamp(value: Any, source: Source, problems: list[Diagnostic]) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        problems.append(
            diag("event-invalid", source, f"closed_at '{value}' is not a timestamp with a time zone")
        )
        return None
    return stamp


def _amount(value: Any, source: Source, problems: list[Diagnostic]) -> Decimal | None:
    if value is None:
        return None
    text = str(value).strip()
    amount = None if isinstance(value, (float, bool)) else parse_amount(text)
    if amount is None:
        problems.append(
            diag("event-invalid", source, f"amount {value!r} is not a decimal number like 4000.00")
        )
    return amount


def _invalid(source: Source, message: str) -> ParsedEvent:
    return ParsedEvent(None, (diag("event-invalid", source, message),))
