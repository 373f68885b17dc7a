"""At most once (docs/spec.md §6.7): claim -> send -> record, one message at a time. `send`,
`remind` and `run` deliver every email through here; they differ only in their planner.

Each step is one commit: the outcome of the previous message, whatever is due that sends
nothing (late fees, escalations, claims left by dead runs), and the claim of the next
message (for an approved draft, with the draft issued: numbered and renamed). The commit is pushed before the message leaves; a rejected push means another run
got there first, so this run takes the remote's state, plans again from it and never sends
what it had claimed. A claim that outlives its run becomes a `delivery_unknown` case.
docs/reminders.md explains the protocol and why it is safe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from ledgerops.app.exception import NewCase, write_cases
from ledgerops.app.load import READABLE, VALID, Ready, load, load_ledger, reread
from ledgerops.app.records import edited, move_record, write_edited
from ledgerops.context import Context
from ledgerops.core.claims import is_stale, unknown_note
from ledgerops.core.errors import GitError, LedgeropsError, UsageError
from ledgerops.core.immutable import issued_digest
from ledgerops.core.model import Claim, ExceptionCase, Invoice, Ledger
from ledgerops.core.queue import ENGINE
from ledgerops.core.schedule import Escalate, LateFeeDue, ReminderPlan, escalation_note, plan_reminders
from ledgerops.core.sending import CannotIssue, issued
from ledgerops.edge import clock, gitrepo, lock, process, store
from ledgerops.edge.mail import Outcome, Transport, open_transport, recipients, smtp_configured
from ledgerops.yamlfile.edit import AppendItem, Change, EditRefused, RemoveKey, Scalar, SetValue
from ledgerops.yamlfile.schema import INVOICE

INVOICE_STAGE = "invoice"  # the claim stage of the invoice email itself
MAX_REJECTED_PUSHES = 20  # in a row, before a run gives up on a remote that keeps moving


@dataclass(frozen=True)
class Outgoing:
    """A composed message, ready to be claimed and sent."""

    invoice: str
    stage: str  # a reminder stage, or INVOICE_STAGE
    message: EmailMessage
    message_id: str
    to: str
    subject: str
    amount_due: str
    currency: str
    draft: str | None = None  # the draft this invoice was issued from, in this run


@dataclass(frozen=True)
class Failure:
    """Something this run could not do for one invoice (the others carry on)."""

    invoice: str
    stage: str
    detail: str
    retry: bool = False  # nothing was tried: the next run may send it


@dataclass(frozen=True)
class Pending:
    """A message due on the current ledger; `build` composes it only when it is its turn,
    for the invoice as the client will get it (a draft: as issued, with its number)."""

    invoice: str
    stage: str
    build: Callable[[Invoice], Outgoing]
    issue: bool = False  # a draft: it takes its number in the step that claims its email


# What a run asks of the caller: the messages due on a ledger, given today's reminder plan
# and the moment the run acts at (its date is the run's `today`); a Failure where a whole
# kind of message cannot be planned.
Planner = Callable[[Ledger, ReminderPlan, datetime], Sequence[Pending | Failure]]


@dataclass(frozen=True)
class Delivery:
    outgoing: Outgoing
    status: str  # accepted | not_sent | unknown
    detail: str
    at: datetime
    retry: bool = False  # not sent, and trying again later may work
    via: str = ""  # the transport's kind


@dataclass
class RunState:
    """What this run did, as it goes; the summary is made from it."""

    first_plan: ReminderPlan
    deliveries: list[Delivery] = field(default_factory=list)
    unrecorded: list[Delivery] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    late_fees: list[LateFeeDue] = field(default_factory=list)
    escalated: list[Escalate] = field(default_factory=list)
    opened: list[ExceptionCase] = field(default_factory=list)  # the cases this run opened
    commit: str | None = None  # the last commit this run made
    recovered: list[str] = field(default_factory=list)  # what it put right after a killed run

    def attempted(self) -> set[tuple[str, str]]:
        done = {(d.outgoing.invoice, d.outgoing.stage) for d in self.deliveries}
        return done | {(f.invoice, f.stage) for f in self.failures}

    def fail(self, failure: Failure) -> None:
        """Once per (invoice, stage): a planner meets the same problem at every step. A message
        handed over whose record then fails is reported too (its claim stays)."""
        if (failure.invoice, failure.stage) not in {(f.invoice, f.stage) for f in self.failures}:
            self.failures.append(failure)


@dataclass(frozen=True)
class Options:
    push: bool
    transport: Callable[[], Transport]
    command: str = "run"  # names the commits
    commit: bool = True  # False: write the records only; no commit, fetch or push
    engine: bool = True  # also the reminder engine's own records: late fees and escalations
    precondition: Callable[[Ledger], None] | None = None  # raises when the run must not start


class NotOnApprovalBranch(LedgeropsError):
    pass


def require_approval_branch(ledger_dir: Path, ledger: Ledger) -> None:
    """No email leaves from another branch: its records would live on that branch, and the
    approval branch would send the same messages again."""
    if not gitrepo.is_repository(ledger_dir):
        return
    branch = gitrepo.current_branch(ledger_dir)
    approval = ledger.policy.approval_branch
    if branch != approval:
        raise NotOnApprovalBranch(
            f"emails are sent only from the approval branch '{approval}', and this is "
            f"{repr(branch) if branch else 'a detached HEAD'}; nothing was sent (--dry-run previews "
            "on any branch)"
        )


def on_approval_branch(ctx: Context) -> Callable[[Ledger], None]:
    return lambda ledger: require_approval_branch(ctx.ledger_dir, ledger)


def transport_kind(ctx: Context, asked: str | None) -> str:
    """The transport a sending command uses when none is named: SMTP when it is configured;
    the outbox only in a ledger with no remote (a trial: nobody else reads its records).
    A shared ledger must say which, so that no `.eml` file is ever recorded as an email sent
    to a client by accident."""
    if asked is not None:
        return asked
    if smtp_configured():
        return "smtp"
    if not gitrepo.has_remote(ctx.ledger_dir):
        return "outbox"
    raise UsageError(
        "this ledger has a remote, so what it records is shared: choose --transport smtp (with the "
        "LEDGEROPS_SMTP_* settings) or --transport outbox (.eml files in outbox/, recorded as written "
        "there, not as sent); nothing was sent"
    )


def transport_factory(ctx: Context, kind: str) -> Callable[[], Transport]:
    """The transport named on the command line, opened when the run starts sending."""
    return lambda: open_transport(kind, ctx.ledger_dir)


class Journal:
    """What a step has written and not committed yet, kept in .git beside the run's lock.

    A run killed between writing and committing leaves its edits in the work tree; the next
    run finds them here, sees they are still exactly what was written (nobody edited them
    since), and puts the files back as committed: none of it was pushed, so no message of
    it left. Any other uncommitted change is a person's, and stops the run as before."""

    def __init__(self, path: Path, ledger_dir: Path) -> None:
        self.path, self.ledger_dir = path, ledger_dir

    def expect(self, contents: dict[str, bytes | None]) -> None:
        """Before the step writes: the bytes each file will hold (None: removed)."""
        written = self.read()
        written.update({path: _digest(data) for path, data in contents.items()})
        store.write_atomic(self.path, json.dumps(written, indent=1).encode())

    def note(self, paths: Sequence[str]) -> None:
        """After the step wrote files whose bytes it did not know before (new case files)."""
        self.expect({path: _read_or_none(self.ledger_dir / path) for path in paths})

    def read(self) -> dict[str, str | None]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def leftovers(self) -> list[str]:
        """The journaled files still exactly as the tool wrote them (or removed them)."""
        return [
            path
            for path, digest in self.read().items()
            if _digest(_read_or_none(self.ledger_dir / path)) == digest
        ]


def _digest(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class _Step:
    """The files one step writes, and what they mean, kept until the step is published."""

    def __init__(
        self, ctx: Context, state: RunState, ready: Ready, now: datetime, journal: Journal | None = None
    ) -> None:
        self.ctx, self.state, self.ready, self.today, self.now = ctx, state, ready, ready.today, now
        self.journal = journal
        self.paths: list[str] = []
        self.summary: list[str] = []
        self.late_fees: list[LateFeeDue] = []
        self.escalated: list[Escalate] = []
        self.opened: list[ExceptionCase] = []

    @property
    def ledger(self) -> Ledger:
        return self.ready.ledger

    def published(self) -> None:
        self.state.late_fees += self.late_fees
        self.state.escalated += self.escalated
        self.state.opened += self.opened
        self.state.unrecorded.clear()

    def edit(self, invoice: Invoice, stage: str, changes: Sequence[Change], summary: str) -> bool:
        """One invoice's edit; a file that cannot be edited fails that invoice only."""
        read_as = self.ready.read_as(invoice.path)
        try:
            data = edited(self.ctx.ledger_dir, invoice.path, changes, INVOICE, read_as)
            if self.journal is not None:
                self.journal.expect({invoice.path: data})
            write_edited(self.ctx.ledger_dir, invoice.path, data, read_as)
        except (EditRefused, store.ChangedSinceRead, OSError) as error:
            self.state.fail(Failure(invoice.id, stage, f"cannot write {invoice.path}: {error}"))
            return False
        self.wrote([invoice.path], summary)
        return True

    def wrote(self, paths: list[str], summary: str) -> None:
        self.paths += paths
        self.summary.append(summary)
        self.ready = reread(self.ctx, self.ready, paths)

    def issue(self, draft: Invoice, numbered: Invoice) -> bool:
        """The draft written as its numbered invoice, in the folder of its issue year."""
        changes: list[Change] = [
            SetValue("id", numbered.id),
            SetValue("drafted_as", draft.id),
            SetValue("issue_date", numbered.issue_date),
            SetValue("due_date", numbered.due_date),
            SetValue("issued_digest", issued_digest(numbered)),
        ]
        read_as = self.ready.read_as(draft.path)
        try:
            data = edited(self.ctx.ledger_dir, draft.path, changes, INVOICE, read_as)
            if self.journal is not None:
                self.journal.expect({numbered.path: data, draft.path: None})
            move_record(self.ctx.ledger_dir, draft.path, numbered.path, data, read_as)
        except (EditRefused, LedgeropsError, OSError) as error:
            self.state.fail(Failure(draft.id, INVOICE_STAGE, f"cannot issue {draft.path}: {error}"))
            return False
        self.wrote([draft.path, numbered.path], f"issue {draft.id} as {numbered.id}")
        return True

    def open_cases(self, cases: list[NewCase], summary: str) -> None:
        written = write_cases(self.ctx, self.ledger, cases, self.today)
        if self.journal is not None:
            self.journal.note([case.path for case in written])
        self.opened.extend(written)
        self.wrote([case.path for case in written], summary)


def run(ctx: Context, options: Options, planner: Planner) -> RunState:
    root = ctx.ledger_dir
    checkout = gitrepo.open_checkout(root, options.push and options.commit)
    journal = (
        Journal(gitrepo.lock_file(root, "ledgerops-journal.json"), root)
        if checkout and options.commit
        else None
    )
    if journal is None or not journal.path.exists():
        _ready(ctx, options)  # refuse before touching anything, even the lock
    elif options.precondition is not None:  # a killed run's files may be what fails the check
        options.precondition(load_ledger(ctx, READABLE).ledger)
    # Without commits the run still takes the clone's lock, so it takes turns with the others.
    with lock.exclusive(checkout.lock_path if checkout else root / ".ledgerops-run.lock"):
        publish = checkout if options.commit else None
        recovered = _recover(publish, journal, root) if publish and journal else []
        if publish is not None:
            gitrepo.sync(publish)
        ready = _ready(ctx, options)
        state = RunState(plan_reminders(ready.ledger, ready.today), recovered=recovered)
        me, sending, rejected = process.run_id(), True, 0
        with options.transport() as transport:
            while rejected < MAX_REJECTED_PUSHES:
                now = clock.moment(ready.today, ready.ledger.policy.timezone)
                step = _Step(ctx, state, ready, now, journal)
                outgoing = _prepare(step, me, planner if sending else None, options.engine)
                if not step.paths:
                    return state
                if publish is not None and not _publish(publish, step, options.command, journal):
                    rejected += 1
                    gitrepo.start_over(publish)
                    ready, valid = _reload(ctx, state, ready.today)
                    sending = sending and valid
                    continue
                rejected = 0
                step.published()
                ready = step.ready
                if outgoing is not None:
                    _send(transport, outgoing, ready.today, ready.ledger.policy.timezone, state)
                    if transport.broken and sending:  # every later message would fail the same way
                        sending = False  # record what happened, claim nothing more, issue no draft
                        detail = state.deliveries[-1].detail
                        state.fail(Failure("-", "-", f"stopped sending: {detail}"))
    state.fail(Failure("-", "-", "gave up: the remote kept changing under this run"))
    return state


STALE_INDEX_LOCK_SECONDS = 60  # git holds index.lock for milliseconds; a minute means its process died


def _recover(checkout: gitrepo.Checkout, journal: Journal, root: Path) -> list[str]:
    """Undo what a run killed half-way left in this clone, where it is only the tool's own:
    git's lock of a killed git process, edits never committed, commits never pushed. None of
    it reached origin, and a message leaves only after its claim is on origin, so none of it
    was sent; what was pushed stays, and a claim left there is settled as usual."""
    done = []
    index_lock = gitrepo.stale_index_lock(checkout, clock.epoch(), STALE_INDEX_LOCK_SECONDS)
    if index_lock is not None:
        index_lock.unlink(missing_ok=True)
        done.append("removed git's index.lock left by a killed git process")
    leftovers = journal.leftovers()
    if leftovers:
        gitrepo.restore(root, leftovers)
        done.append(f"put back {len(leftovers)} file(s) a killed run had written and not committed: "
                    + ", ".join(leftovers))  # fmt: skip
    journal.clear()
    gitrepo.ensure_clean(checkout, root)  # a person's change: never touched, the run stops
    unpushed = gitrepo.unpushed_commits(checkout)
    bot = gitrepo.bot_identity()
    if unpushed and all(
        (name, email) == bot and subject.startswith("ledgerops ") for name, email, subject in unpushed
    ):
        gitrepo.start_over(checkout)
        done.append(f"dropped {len(unpushed)} commit(s) of a killed run that never reached origin "
                    "(nothing of them was sent)")  # fmt: skip
    return done


def _ready(ctx: Context, options: Options) -> Ready:
    """The valid ledger, or why the run must not start: before anything is written, and
    again after catching up with the remote."""
    ready = load_ledger(ctx, VALID)
    if options.precondition is not None:
        options.precondition(ready.ledger)
    return ready


def _reload(ctx: Context, state: RunState, today: date) -> tuple[Ready, bool]:
    """The remote's state after a rejected push, for the day the run started; with errors
    in it, record but send no more."""
    loaded = load(ctx)
    if loaded.ledger is None:
        raise LedgeropsError("policy.yaml on the remote cannot be read; stopping")
    ready = Ready(loaded.ledger, loaded.diagnostics, today, loaded.versions)
    if ready.has_errors:
        state.fail(Failure("-", "-", "the remote's ledger has errors; stopped sending"))
        return ready, False
    return ready, True


def _prepare(step: _Step, me: str, planner: Planner | None, engine: bool) -> Outgoing | None:
    """Write one step: records of sent messages, claims of dead runs, fees and escalations
    (with `engine`), then the claim of the next message (returned)."""
    _record_outcomes(step, me)
    if planner is None:
        return None
    _settle_stale_claims(step, me)
    if engine:
        plan = plan_reminders(step.ledger, step.today)
        _record_fees(step, plan)
        _escalate(step, plan)
    done = step.state.attempted()
    for pending in planner(step.ledger, plan_reminders(step.ledger, step.today), step.now):
        if (pending.invoice, pending.stage) in done:
            continue
        if isinstance(pending, Failure):
            step.state.fail(pending)
            continue
        current = _invoice(step.ledger, pending.invoice)
        try:
            # The number is taken from the ledger as this step found it on origin; a rejected
            # push discards it with the step, and the next step takes the next free one.
            invoice = issued(step.ledger, current, step.today) if pending.issue else current
        except CannotIssue as error:
            step.state.fail(Failure(pending.invoice, pending.stage, f"not issued: {error}"))
            continue
        try:
            item = pending.build(invoice)
        except Exception as error:  # one message that cannot be composed must not stop the others
            step.state.fail(Failure(pending.invoice, pending.stage, f"cannot compose: {error}"))
            continue
        if pending.issue:
            if not step.issue(current, invoice):
                continue
            item = replace(item, draft=current.id)
        claim: dict[str, Scalar | None] = {
            "stage": item.stage,
            "claimed_at": step.now,
            "run": me,
            "message_id": item.message_id,
        }
        if step.edit(
            _invoice(step.ledger, item.invoice), item.stage, [AppendItem.of("claims", claim)],
            f"claim {item.invoice} {item.stage}",
        ):  # fmt: skip
            return item
    return None


def _invoice(ledger: Ledger, invoice_id: str) -> Invoice:
    return next(inv for inv in ledger.invoices if inv.id == invoice_id)


def _without_claim(invoice: Invoice, claim: Claim) -> list[Change]:
    """The claims list minus one claim (the key goes when it was the last)."""
    changes: list[Change] = [RemoveKey("claims")]
    for other in invoice.claims:
        if other != claim:
            values: dict[str, Scalar | None] = {"stage": other.stage, "claimed_at": other.claimed_at, "run": other.run,
                      "message_id": other.message_id}  # fmt: skip
            changes.append(AppendItem.of("claims", values))
    return changes


def _as_sent(claim: Claim, at: datetime, delivery: Delivery | None = None) -> list[Change]:
    """The claim's message recorded as sent; with how it left and to whom when this run sent
    it (a claim settled for a dead run records neither: nobody knows)."""
    how: dict[str, str] = {}
    if delivery is not None:
        how = {"via": delivery.via, "to": ", ".join(recipients(delivery.outgoing.message))}
    if claim.stage == INVOICE_STAGE:
        return [SetValue("status", "sent"), SetValue("sent_at", at),
                *(SetValue(f"sent_{key}", value) for key, value in how.items())]  # fmt: skip
    values: dict[str, Scalar | None] = {
        "stage": claim.stage,
        "sent_at": at,
        "message_id": claim.message_id,
        **how,
    }
    return [AppendItem.of("reminders", values)]


def _record_outcomes(step: _Step, me: str) -> None:
    """This run's own claims whose outcome is known (again, after a rejected push).

    Accepted: recorded as sent. Unknown: recorded as sent too (it may well have arrived,
    and a second copy is the embarrassing mistake), with a delivery_unknown case. Not sent:
    the claim goes, so the next run tries again."""
    unknown: list[NewCase] = []
    for delivery in step.state.unrecorded:
        out = delivery.outgoing
        invoice = _invoice(step.ledger, out.invoice)
        claim = next((c for c in invoice.claims if c.run == me and c.stage == out.stage), None)
        if claim is None:
            continue  # already recorded by this run, or settled by another as unknown
        changes = _without_claim(invoice, claim)
        if delivery.status == "accepted":
            changes += _as_sent(claim, delivery.at, delivery)
        elif delivery.status == "unknown":
            changes += _as_sent(claim, claim.claimed_at, delivery)
        outcome = (
            "written to the outbox"
            if delivery.via == "outbox" and delivery.status == "accepted"
            else delivery.status
        )
        if not step.edit(invoice, out.stage, changes, f"record {out.invoice} {out.stage} ({outcome})"):
            continue
        if delivery.status == "unknown":
            note = unknown_note(claim, out.invoice, delivery.detail)
            unknown.append(NewCase(out.invoice, "delivery_unknown", note, ENGINE))
    if unknown:
        step.open_cases(unknown, "open delivery_unknown")


def _settle_stale_claims(step: _Step, me: str) -> None:
    """Claims left by runs that died: recorded as sent, and routed to a person."""
    cases: list[NewCase] = []
    for invoice in step.ledger.invoices:
        for claim in invoice.claims:
            if claim.run == me or not is_stale(claim, step.now, process.owner_alive(claim.run)):
                continue
            fresh = _invoice(step.ledger, invoice.id)
            summary = f"settle {invoice.id} {claim.stage} (delivery unknown)"
            if step.edit(
                fresh, claim.stage, _without_claim(fresh, claim) + _as_sent(claim, claim.claimed_at), summary
            ):
                cases.append(NewCase(invoice.id, "delivery_unknown", unknown_note(claim, invoice.id), ENGINE))
    if cases:
        step.open_cases(cases, "open delivery_unknown")


def _record_fees(step: _Step, plan: ReminderPlan) -> None:
    for fee in plan.late_fees:
        values: dict[str, Scalar | None] = {"date": step.today, "amount": fee.amount, "rule": "late_fee"}
        invoice = _invoice(step.ledger, fee.invoice)
        if step.edit(invoice, "late_fee", [AppendItem.of("late_fees", values)], f"late fee {fee.invoice}"):
            step.late_fees.append(fee)


def _escalate(step: _Step, plan: ReminderPlan) -> None:
    cases = [
        NewCase(item.invoice, "final_escalation", escalation_note(item), ENGINE) for item in plan.escalate
    ]
    if cases:
        step.open_cases(cases, "escalate " + ", ".join(item.invoice for item in plan.escalate))
        step.escalated += plan.escalate


def _publish(checkout: gitrepo.Checkout, step: _Step, command: str, journal: Journal | None) -> bool:
    """Commit the step and push it; False when the remote moved on first. A push that fails
    otherwise (a refusing pre-push hook, the network) takes the commit back before saying so:
    its claim never reached origin, so the clone is left as it was, ready for the next run."""
    message = f"ledgerops {command} {step.today}: " + "; ".join(step.summary)
    sha = gitrepo.commit(
        step.ctx.ledger_dir, [step.ctx.ledger_dir / path for path in dict.fromkeys(step.paths)], message
    )
    if journal is not None:
        journal.clear()
    try:
        pushed = gitrepo.push(checkout)
    except GitError:
        gitrepo.undo_last_commit(checkout)
        raise
    if not pushed:
        return False
    step.state.commit = sha
    return True


def _send(transport: Transport, out: Outgoing, today: date, timezone: str, state: RunState) -> None:
    try:
        outcome = transport.send(out.message)
    except Exception as error:  # after the hand-over began, a crash means: maybe sent
        outcome = Outcome("unknown", f"{type(error).__name__}: {error}")
    delivery = Delivery(out, outcome.status, outcome.detail, clock.moment(today, timezone), outcome.retry,
                        transport.kind)  # fmt: skip
    state.deliveries.append(delivery)
    state.unrecorded.append(delivery)
