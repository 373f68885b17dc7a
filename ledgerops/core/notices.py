"""The founder's emails: an alert for each case a person must act on now, and the weekly
digest once the week's report is committed. Each is sent at most once, recorded in the
ledger (reports/notifications.json) the way client emails are: claimed before it leaves.

Pure: which notices are due, given the ledger, the day and what the record says was sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ledgerops.core.claims import is_stale
from ledgerops.core.errors import LedgeropsError
from ledgerops.core.model import Claim, ExceptionCase, Ledger
from ledgerops.core.review import exception_queue
from ledgerops.core.sending import SendPlan

# The reasons that cannot wait for the weekly digest (a broken promise to pay is the fifth).
ALERT_REASONS = ("dispute", "payment_failed", "delivery_unknown", "final_escalation")
BROKEN_PROMISE = "broken_promise"
DIGEST_PREFIX = "digest:"
WAITING_PREFIX = "waiting:"
HEARTBEAT_PREFIX = "heartbeat:"
# Why an approved draft waits, not worth an email: the weekend and a future issue date pass
# by themselves; uncommitted changes are not an approved draft yet (approval is the merge).
QUIET_WAITS = ("send-weekend", "send-future-issue", "send-not-approved")

CLAIMED, SENT, UNKNOWN = "claimed", "sent", "unknown"


@dataclass(frozen=True, slots=True)
class Notice:
    """One email to the founder. `key` names what it is about (a case id, or
    `digest:<week>`); `digest` changes when what it says changes."""

    key: str
    kind: str  # alert | waiting | heartbeat | digest
    digest: str
    case: ExceptionCase | None = None
    why: str = ""  # the alert's reason: a case reason, broken_promise, or a send-* code
    week: str = ""  # the digest's week
    invoice: str = ""  # the waiting draft
    detail: str = ""  # why it waits (the send planner's message)
    fix: str = ""  # what to do about it (the diagnostic's hint)
    since: date | None = None  # the heartbeat: the day the daily run last completed


@dataclass(frozen=True, slots=True)
class Sent:
    """A notice as reports/notifications.json records it."""

    key: str
    kind: str
    digest: str
    status: str  # claimed (in flight) | sent | unknown (claimed by a run that died)
    at: datetime
    run: str
    message_id: str


def alerts(ledger: Ledger, today: date) -> list[Notice]:
    """The open cases that need a person now, oldest first."""
    invoices = {inv.id: inv for inv in ledger.invoices}
    found = []
    for line in exception_queue(ledger.exceptions, invoices, today):
        case = line.case
        why = BROKEN_PROMISE if line.broken_promise else case.reason
        if why not in (*ALERT_REASONS, BROKEN_PROMISE):
            continue
        facts = "\n".join(str(v) for v in (case.id, case.invoice, why, case.note, case.until, case.status))
        found.append(Notice(case.id, "alert", _digest(facts), case, why))
    return found


def waiting(plan: SendPlan) -> list[Notice]:
    """One alert per approved draft the send planner holds back, and per reason: a draft
    that waits for another reason later is a new alert. The reasons that resolve by
    themselves (QUIET_WAITS) say nothing."""
    found = []
    for blocked in plan.blocked:
        code = blocked.reason.code
        if blocked.invoice.numbered or code in QUIET_WAITS:
            continue
        key = f"{WAITING_PREFIX}{blocked.invoice.id}:{code}"
        found.append(
            Notice(
                key,
                "waiting",
                _digest(key),
                why=code,
                invoice=blocked.invoice.id,
                detail=blocked.reason.message,
                fix=blocked.reason.hint,
            )
        )
    return found


def heartbeat(last: date | None, today: date, limit_days: int) -> list[Notice]:
    """An alert when the daily run last completed more than `limit_days` ago: once per gap
    (the key is the last day it completed). Nothing before it ever completed."""
    if last is None or (today - last).days <= limit_days:
        return []
    key = HEARTBEAT_PREFIX + last.isoformat()
    return [Notice(key, "heartbeat", _digest(key), since=last)]


def parse_heartbeat(text: str, path: str) -> date | None:
    """The day `notify --heartbeat` last recorded, from reports/heartbeat.json."""
    fix = f"restore it with 'git checkout -- {path}'"
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise RecordProblem(
            f"{path}:{error.lineno}:{error.colno}: notifications-record: {error.msg}; {fix}"
        ) from None
    try:
        last = data.get("daily_run_completed")
        return None if last is None else date.fromisoformat(str(last))
    except (TypeError, ValueError, AttributeError) as error:
        raise RecordProblem(
            f"{path}:1:1: notifications-record: not the tool's record ({error}); {fix}"
        ) from None


def heartbeat_json(day: date) -> str:
    return json.dumps({"daily_run_completed": day.isoformat()}, indent=2) + "\n"


def weekly_digest(week: str) -> Notice:
    """The week's digest: one per week, whatever the report says (it is sent with it)."""
    return Notice(DIGEST_PREFIX + week, "digest", _digest(week), week=week)


def due(notices: Sequence[Notice], record: Mapping[str, Sent]) -> list[Notice]:
    """What has not been sent: never recorded, or an alert whose case changed since. A
    notice in flight or of unknown outcome is never sent again blindly."""
    pending = []
    for notice in notices:
        sent = record.get(notice.key)
        if sent is None or (sent.status == SENT and notice.kind == "alert" and sent.digest != notice.digest):
            pending.append(notice)
    return pending


def stale(record: Mapping[str, Sent], now: datetime, alive: Mapping[str, bool | None], me: str) -> list[str]:
    """Keys claimed by runs that are gone: their outcome is unknown."""
    return [
        key
        for key, sent in record.items()
        if sent.status == CLAIMED
        and sent.run != me
        and is_stale(Claim(key, sent.at, sent.run, sent.message_id), now, alive.get(sent.run))
    ]


@dataclass
class NotifyResult:
    """What a notify run did: one item per notice (key, kind, status, subject, message_id)."""

    dry_run: bool
    to: str
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item["status"] in ("sent", "would send") for item in self.items)


class RecordProblem(LedgeropsError):
    """reports/notifications.json cannot be read as the tool wrote it."""


def parse_record(text: str, path: str) -> dict[str, Sent]:
    """The record as written by `record_json`; a damaged one stops the run (sending on
    without it could repeat every alert)."""
    fix = f"restore it with 'git checkout -- {path}'"
    try:
        data = json.loads(text) if text.strip() else {"notices": {}}
    except json.JSONDecodeError as error:
        raise RecordProblem(
            f"{path}:{error.lineno}:{error.colno}: notifications-record: {error.msg}; {fix}"
        ) from None
    try:
        return {
            key: Sent(
                key,
                str(item["kind"]),
                str(item["digest"]),
                str(item["status"]),
                datetime.fromisoformat(str(item["at"])),
                str(item["run"]),
                str(item["message_id"]),
            )
            for key, item in dict(data["notices"]).items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordProblem(
            f"{path}:1:1: notifications-record: not the tool's record ({error}); {fix}"
        ) from None


def record_json(record: Mapping[str, Sent]) -> str:
    """Sorted and indented, so each notice is a few lines of a reviewable diff."""
    notices = {
        key: {
            "kind": s.kind,
            "digest": s.digest,
            "status": s.status,
            "at": s.at.isoformat(),
            "run": s.run,
            "message_id": s.message_id,
        }
        for key, s in sorted(record.items())
    }
    return json.dumps({"notices": notices}, indent=2, ensure_ascii=False) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
