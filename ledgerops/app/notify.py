"""`ledgerops notify`: the founder's alerts (a case that needs a person now) and the weekly
digest (once the week's report is committed), by email, through the client emails' mail code.

At most once, with the client emails' discipline (app/delivery.py): each notice is claimed
in reports/notifications.json, committed and pushed before it leaves; the outcome is
recorded in the next commit. With `heartbeat`, the run also records that the daily run
completed today (reports/heartbeat.json); any run alerts when that day is too long ago. A rejected push means another run got there first: this run
takes the remote's state and plans again. A claim whose run died is recorded as `unknown`
and never sent again blindly. An alert is sent again only when its case changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from email.message import EmailMessage

from ledgerops.app import send
from ledgerops.app.delivery import MAX_REJECTED_PUSHES, transport_factory, transport_kind
from ledgerops.app.load import READABLE, Ready, load_ledger
from ledgerops.context import Context
from ledgerops.core import notices as core
from ledgerops.core.errors import GitError
from ledgerops.core.review import WeeklyReview, weekly_review
from ledgerops.edge import clock, gitrepo, lock, process, store
from ledgerops.edge.mail import Outcome, Transport
from ledgerops.render.notice import notice_email, notice_id
from ledgerops.render.templates import environment

RECORD = "reports/notifications.json"
HEARTBEAT = "reports/heartbeat.json"
WEEKLY_DIR = "reports/weekly"


class _Plan:
    """The notices due on one state of the ledger, and how to compose each."""

    def __init__(
        self,
        ctx: Context,
        ready: Ready,
        record: dict[str, core.Sent],
        link: Callable[[str], str | None],
        heartbeat: bool,
    ):
        self.ctx, self.ready, self.record, self.link = ctx, ready, record, link
        self.env = environment(ctx.ledger_dir)
        ledger, today = ready.ledger, ready.today
        self.review = weekly_review(ledger, ledger.policy, today)
        wanted = core.alerts(ledger, today)
        wanted += core.waiting(send.plan(ctx.ledger_dir, ledger, today))
        last = today if heartbeat else _last_daily_run(ctx)
        wanted += core.heartbeat(last, today, ledger.policy.notify.heartbeat_days)
        if (ctx.ledger_dir / WEEKLY_DIR / f"{self.review.week}.md").is_file():
            wanted.append(core.weekly_digest(self.review.week))
        self.due = core.due(wanted, record)

    def compose(self, notice: core.Notice, now: datetime) -> EmailMessage:
        review: WeeklyReview | None = self.review if notice.kind == "digest" else None
        return notice_email(self.env, self.ready.ledger, notice, now, self.link, review)


def run(
    ctx: Context,
    transport: str | None,
    dry_run: bool,
    push: bool = True,
    environ: Mapping[str, str] | None = None,
    heartbeat: bool = False,
) -> core.NotifyResult:
    """`heartbeat`: this is the daily workflow, after `ledgerops run` completed."""
    link = _linker(os.environ if environ is None else environ)
    ready = load_ledger(ctx, READABLE)
    result = core.NotifyResult(dry_run, ready.ledger.policy.notify_email)
    if dry_run:
        plan = _Plan(ctx, ready, _read(ctx), link, heartbeat)
        now = clock.moment(ready.today, ready.ledger.policy.timezone)
        for notice in plan.due:
            _item(result, notice, plan.compose(notice, now), "would send")
        return result
    transport = transport_kind(ctx, transport)
    root = ctx.ledger_dir
    checkout = gitrepo.open_checkout(root, push)
    with lock.exclusive(gitrepo.lock_file(root, "ledgerops-run.lock")):
        if checkout is not None:
            gitrepo.ensure_clean(checkout, root)
            gitrepo.sync(checkout)
        with transport_factory(ctx, transport)() as mail:
            _deliver(ctx, checkout, mail, link, result, heartbeat)
    return result


def _deliver(
    ctx: Context,
    checkout: gitrepo.Checkout | None,
    mail: Transport,
    link: Callable[[str], str | None],
    result: core.NotifyResult,
    heartbeat: bool,
) -> None:
    me = process.run_id()
    tried: set[str] = set()
    outcomes: dict[str, core.Sent | None] = {}  # this run's results not yet committed
    rejected = 0
    while rejected < MAX_REJECTED_PUSHES:
        ready = load_ledger(ctx, READABLE)
        record = _read(ctx)
        now = clock.moment(ready.today, ready.ledger.policy.timezone)
        changed = _apply_outcomes(record, outcomes, me)
        alive = {s.run: process.owner_alive(s.run) for s in record.values()}
        settled = core.stale(record, now, alive, me)
        for key in settled:
            record[key] = replace(record[key], status=core.UNKNOWN)
            changed = True
        beat = heartbeat and _last_daily_run(ctx) != ready.today
        changed = changed or beat
        plan = _Plan(ctx, ready, record, link, heartbeat)
        notice, message = _next(plan, tried, now, result)
        if notice is not None:
            sender = ready.ledger.policy.company.email
            record[notice.key] = core.Sent(
                notice.key, notice.kind, notice.digest, core.CLAIMED, now, me, notice_id(notice, sender)
            )
            changed = True
        if not changed:
            return
        what = f"claim {notice.key}" if notice is not None else "record notices"
        if beat and notice is None and not outcomes and not settled:
            what = "the daily run completed"
        day = ready.today if beat else None
        if not _publish(ctx, checkout, record, f"ledgerops notify {ready.today}: {what}", day):
            rejected += 1
            if notice is not None:
                tried.discard(notice.key)
            continue
        rejected = 0
        outcomes.clear()
        for key in settled:  # claimed by a run that died: recorded as unknown, never sent again
            result.items.append(
                {
                    "key": key,
                    "kind": record[key].kind,
                    "status": "unknown",
                    "subject": f"claimed by {record[key].run}, which stopped",
                    "message_id": record[key].message_id,
                }
            )
        if notice is None or message is None:
            return
        at = clock.moment(ready.today, ready.ledger.policy.timezone)
        outcomes[notice.key] = _send(mail, message, notice, record[notice.key], at, result)
    raise GitError("gave up: the remote kept changing under this notify run")


def _next(
    plan: _Plan, tried: set[str], now: datetime, result: core.NotifyResult
) -> tuple[core.Notice | None, EmailMessage | None]:
    """The next notice this run has not tried, composed; one that cannot be composed is
    reported and skipped, and the others go on."""
    for notice in plan.due:
        if notice.key in tried:
            continue
        tried.add(notice.key)
        try:
            return notice, plan.compose(notice, now)
        except Exception as error:
            result.items.append(
                {
                    "key": notice.key,
                    "kind": notice.kind,
                    "status": "not_sent",
                    "subject": f"cannot compose: {error}",
                    "message_id": "",
                }
            )
    return None, None


def _apply_outcomes(record: dict[str, core.Sent], outcomes: dict[str, core.Sent | None], me: str) -> bool:
    """This run's outcomes, onto a record that may be the remote's after a rejected push:
    only where our claim is still there."""
    changed = False
    for key, outcome in outcomes.items():
        claim = record.get(key)
        if claim is None or claim.run != me or claim.status != core.CLAIMED:
            continue
        if outcome is None:
            del record[key]
        else:
            record[key] = outcome
        changed = True
    return changed


def _send(
    mail: Transport,
    message: EmailMessage,
    notice: core.Notice,
    claim: core.Sent,
    at: datetime,
    result: core.NotifyResult,
) -> core.Sent | None:
    """The claim's outcome: sent, unknown (never retried), or None when nothing left (the
    claim goes, and the next run tries again)."""
    try:
        outcome = mail.send(message)
    except Exception as error:  # after the hand-over began, a crash means: maybe sent
        outcome = Outcome("unknown", f"{type(error).__name__}: {error}")
    status = {"accepted": core.SENT, "unknown": core.UNKNOWN}.get(outcome.status)
    shown = "sent" if status == core.SENT else outcome.status
    subject = str(message["Subject"]) + (
        f" ({outcome.detail})" if status != core.SENT and outcome.detail else ""
    )
    result.items.append(
        {
            "key": notice.key,
            "kind": notice.kind,
            "status": shown,
            "subject": subject,
            "message_id": claim.message_id,
        }
    )
    if status is None:
        return None
    return replace(claim, status=status, at=at if status == core.SENT else claim.at)


def _publish(
    ctx: Context,
    checkout: gitrepo.Checkout | None,
    record: dict[str, core.Sent],
    message: str,
    heartbeat: date | None = None,
) -> bool:
    """Write the record (and the heartbeat's day); commit and push them when the ledger is
    in git. False: the remote moved on first, and this run now stands on the remote's state."""
    path = ctx.ledger_dir / RECORD
    store.write_atomic(path, core.record_json(record).encode("utf-8"))
    paths = [path]
    if heartbeat is not None:
        paths.append(ctx.ledger_dir / HEARTBEAT)
        store.write_atomic(paths[-1], core.heartbeat_json(heartbeat).encode("utf-8"))
    if checkout is None:
        return True
    gitrepo.commit(ctx.ledger_dir, paths, message)
    if gitrepo.push(checkout):
        return True
    gitrepo.start_over(checkout)
    return False


def _read(ctx: Context) -> dict[str, core.Sent]:
    try:
        text = (ctx.ledger_dir / RECORD).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return core.parse_record(text, RECORD)


def _last_daily_run(ctx: Context) -> date | None:
    try:
        text = (ctx.ledger_dir / HEARTBEAT).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return core.parse_heartbeat(text, HEARTBEAT)


def _item(result: core.NotifyResult, notice: core.Notice, message: EmailMessage, status: str) -> None:
    result.items.append(
        {
            "key": notice.key,
            "kind": notice.kind,
            "status": status,
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
        }
    )


def _linker(environ: Mapping[str, str]) -> Callable[[str], str | None]:
    """Links into the repository on GitHub when the run knows it (GitHub Actions sets both)."""
    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    if not server or not repository:
        return lambda path: None
    return lambda path: f"{server}/{repository}/blob/HEAD/{path}"
