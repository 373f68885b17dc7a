"""At most once (SPEC §6.7): claim -> send -> record, one message at a time.

Each step is one commit: the outcome of the previous message, whatever is due that sends
nothing (late fees, escalations, claims left by dead runs), and the claim of the next
message. The commit is pushed before the message leaves; a rejected push means another run
got there first, so this run takes the remote's state, plans again from it and never sends
what it had claimed. A claim that outlives its run becomes a `delivery_unknown` case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage

from ledgerops.app import recordfiles
from ledgerops.app.exceptions import NewCase, write_cases
from ledgerops.app.load import load, require_valid, reread
from ledgerops.context import Context
from ledgerops.core.claims import is_stale, unknown_note
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.model import Claim, Invoice, Ledger
from ledgerops.core.queue import ENGINE
from ledgerops.core.schedule import Escalate, LateFeeDue, ReminderPlan, escalation_note, plan_reminders
from ledgerops.edge import clock, gitrepo, lock, process
from ledgerops.edge.mail import Outcome, Transport
from ledgerops.errors import LedgerHasErrors
from ledgerops.yamlfile.edit import AppendItem, Change, RemoveKey, SetValue

INVOICE_STAGE = "invoice"  # the claim stage of the invoice email itself
MAX_STEPS_WITHOUT_PROGRESS = 20  # rejected pushes in a row before a run gives up


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


@dataclass(frozen=True)
class Delivery:
    outgoing: Outgoing
    status: str  # accepted | not_sent | unknown
    detail: str
    claimed_at: datetime
    at: datetime


@dataclass(frozen=True)
class Failure:
    invoice: str
    stage: str
    detail: str


@dataclass(frozen=True)
class Pending:
    """A message due on the current ledger; `build` composes it only when it is its turn."""

    invoice: str
    stage: str
    build: Callable[[], Outgoing]


# What a run asks of the caller: the messages due on a ledger, given today's reminder plan
# and the moment the run acts at (its date is the run's `today`).
Planner = Callable[[Ledger, ReminderPlan, datetime], Sequence[Pending]]


@dataclass
class RunState:
    """What this run did, as it goes: the report is made from it."""

    first_plan: ReminderPlan | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    unrecorded: list[Delivery] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    late_fees: list[LateFeeDue] = field(default_factory=list)
    escalated: list[Escalate] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)  # exception ids this run opened
    commits: int = 0

    def attempted(self) -> set[tuple[str, str]]:
        return {(d.outgoing.invoice, d.outgoing.stage) for d in self.deliveries} | {
            (f.invoice, f.stage) for f in self.failures
        }


@dataclass(frozen=True)
class Options:
    push: bool
    transport: Callable[[], Transport]


class _Step:
    """The files one step writes, and what they mean, kept until the step is published."""

    def __init__(self, ctx: Context, ledger: Ledger, today: date, now: datetime) -> None:
        self.ctx, self.ledger, self.today, self.now = ctx, ledger, today, now
        self.paths: list[str] = []
        self.summary: list[str] = []
        self.late_fees: list[LateFeeDue] = []
        self.escalated: list[Escalate] = []
        self.opened: list[str] = []

    def published(self, state: RunState) -> None:
        state.late_fees += self.late_fees
        state.escalated += self.escalated
        state.opened += self.opened
        state.unrecorded.clear()

    def edit(self, invoice: Invoice, changes: Sequence[Change], summary: str) -> None:
        recordfiles.edit(self.ctx.ledger_dir, invoice.path, "invoice", changes)
        self.paths.append(invoice.path)
        self.summary.append(summary)

    def open_cases(self, cases: list[NewCase], summary: str) -> None:
        written = write_cases(self.ctx, self.ledger, cases, self.today)
        self.paths.extend(case.path for case in written)
        self.summary.append(summary)
        self.opened.extend(case.id for case in written)
        self.ledger = reread(self.ctx, self.ledger, [case.path for case in written])

    def refresh(self) -> Ledger:
        self.ledger = reread(self.ctx, self.ledger, self.paths)
        return self.ledger


def run(ctx: Context, options: Options, planner: Planner) -> RunState:
    root = ctx.ledger_dir
    loaded = require_valid(ctx)
    checkout = gitrepo.open_checkout(root, options.push)
    lock_path = checkout.lock_path if checkout else root / ".ledgerops-run.lock"
    state = RunState()
    with lock.exclusive(lock_path):
        if checkout is not None:
            gitrepo.ensure_clean(checkout, root)
            gitrepo.sync(checkout)
            loaded = require_valid(ctx)
        ledger, today = loaded.ledger, loaded.today
        assert ledger is not None
        me = process.run_id()
        sending = True
        with options.transport() as transport:
            stalled = 0
            while stalled < MAX_STEPS_WITHOUT_PROGRESS:
                step = _Step(ctx, ledger, today, clock.moment(today, ledger.policy.timezone))
                outgoing = _prepare(step, state, me, planner if sending else None)
                if not step.paths:
                    break
                if not _publish(checkout, step, state):
                    stalled += 1
                    gitrepo.start_over(checkout)  # type: ignore[arg-type]
                    ledger, sending = _reload(ctx, state)
                    continue
                stalled = 0
                step.published(state)
                ledger = step.ledger
                if outgoing is not None:
                    _send(transport, outgoing, step.now, ledger.policy.timezone, today, state)
            else:
                state.failures.append(Failure("-", "-", "gave up: the remote kept changing under this run"))
    return state


def _reload(ctx: Context, state: RunState) -> tuple[Ledger, bool]:
    """The remote's state after a rejected push; with errors in it, record but send no more."""
    loaded = load(ctx)
    if loaded.ledger is None:
        raise LedgerHasErrors("policy.yaml on the remote cannot be read; stopping")
    if has_errors(loaded.diagnostics):
        state.failures.append(Failure("-", "-", "the remote's ledger has errors; stopped sending"))
        return loaded.ledger, False
    return loaded.ledger, True


def _prepare(step: _Step, state: RunState, me: str, planner: Planner | None) -> Outgoing | None:
    """Write one step: records of sent messages, claims of dead runs, fees, escalations,
    then the claim of the next message (returned)."""
    _record_outcomes(step, state, me)
    if planner is None:
        return None
    _settle_stale_claims(step, me)
    plan = plan_reminders(step.refresh(), step.today)
    if state.first_plan is None:
        state.first_plan = plan
    _record_fees(step, plan)
    _escalate(step, plan)
    ledger = step.refresh()
    done = state.attempted()
    for pending in planner(ledger, plan_reminders(ledger, step.today), step.now):
        if (pending.invoice, pending.stage) in done:
            continue
        try:
            item = pending.build()
        except Exception as error:  # one message that cannot be composed must not stop the others
            state.failures.append(Failure(pending.invoice, pending.stage, f"cannot compose: {error}"))
            continue
        claim = {"stage": item.stage, "claimed_at": step.now, "run": me, "message_id": item.message_id}
        step.edit(_invoice(ledger, item.invoice), [AppendItem.of("claims", claim)],
                  f"claim {item.invoice} {item.stage}")  # fmt: skip
        step.refresh()
        return item
    return None


def _invoice(ledger: Ledger, invoice_id: str) -> Invoice:
    return next(inv for inv in ledger.invoices if inv.id == invoice_id)


def _without_claim(invoice: Invoice, claim: Claim) -> list[Change]:
    """The claims list minus one claim (removed entirely when it was the last)."""
    rest = [c for c in invoice.claims if c != claim]
    changes: list[Change] = [RemoveKey("claims")]
    for other in rest:
        values = {"stage": other.stage, "claimed_at": other.claimed_at, "run": other.run,
                  "message_id": other.message_id}  # fmt: skip
        changes.append(AppendItem.of("claims", values))
    return changes


def _as_sent(claim: Claim, at: datetime) -> list[Change]:
    if claim.stage == INVOICE_STAGE:
        return [SetValue("status", "sent"), SetValue("sent_at", at)]
    values = {"stage": claim.stage, "sent_at": at, "message_id": claim.message_id}
    return [AppendItem.of("reminders", values)]


def _record_outcomes(step: _Step, state: RunState, me: str) -> None:
    """This run's own claims whose outcome is known (again, after a rejected push)."""
    unknown: list[NewCase] = []
    for delivery in state.unrecorded:
        out = delivery.outgoing
        invoice = _invoice(step.ledger, out.invoice)
        claim = next((c for c in invoice.claims if c.run == me and c.stage == out.stage), None)
        if claim is None:
            continue  # already recorded by this run, or settled by another as unknown
        changes = _without_claim(invoice, claim)
        if delivery.status == "accepted":
            changes += _as_sent(claim, delivery.at)
        elif delivery.status == "unknown":
            changes += _as_sent(claim, claim.claimed_at)
            unknown.append(NewCase(out.invoice, "delivery_unknown", unknown_note(claim, out.invoice), ENGINE))
        step.edit(invoice, changes, f"record {out.invoice} {out.stage} ({delivery.status})")
    if unknown:
        step.open_cases(unknown, "open delivery_unknown")


def _settle_stale_claims(step: _Step, me: str) -> None:
    """Claims left by runs that died: recorded as sent, and routed to a person."""
    cases: list[NewCase] = []
    for invoice in step.ledger.invoices:
        for claim in invoice.claims:
            if claim.run == me or not is_stale(claim, step.now, process.owner_alive(claim.run)):
                continue
            fresh = _invoice(step.refresh(), invoice.id)
            step.edit(fresh, _without_claim(fresh, claim) + _as_sent(claim, claim.claimed_at),
                      f"settle {invoice.id} {claim.stage} (delivery unknown)")  # fmt: skip
            cases.append(NewCase(invoice.id, "delivery_unknown", unknown_note(claim, invoice.id), ENGINE))
    if cases:
        step.open_cases(cases, "open delivery_unknown")


def _record_fees(step: _Step, plan: ReminderPlan) -> None:
    for fee in plan.late_fees:
        invoice = _invoice(step.ledger, fee.invoice)
        values = {"date": step.today, "amount": fee.amount, "rule": "late_fee"}
        step.edit(invoice, [AppendItem.of("late_fees", values)], f"late fee {fee.invoice}")
        step.late_fees.append(fee)


def _escalate(step: _Step, plan: ReminderPlan) -> None:
    cases = [
        NewCase(item.invoice, "final_escalation", escalation_note(item), ENGINE) for item in plan.escalate
    ]
    if cases:
        step.open_cases(cases, "escalate " + ", ".join(item.invoice for item in plan.escalate))
        step.escalated += plan.escalate


def _publish(checkout: gitrepo.Checkout | None, step: _Step, state: RunState) -> bool:
    """Commit the step and push it; False when the remote moved on first."""
    if checkout is None:
        return True
    message = f"ledgerops run {step.today}: " + "; ".join(step.summary)
    gitrepo.commit(step.ctx.ledger_dir, [step.ctx.ledger_dir / path for path in step.paths], message)
    state.commits += 1
    return gitrepo.push(checkout)


def _send(
    transport: Transport, out: Outgoing, claimed_at: datetime, tz: str, today: date, state: RunState
) -> None:
    try:
        outcome = transport.send(out.message)
    except Exception as error:  # a transport bug must not leave the claim looking sent
        outcome = Outcome("unknown", f"{type(error).__name__}: {error}")
    delivery = Delivery(out, outcome.status, outcome.detail, claimed_at, clock.moment(today, tz))
    state.deliveries.append(delivery)
    state.unrecorded.append(delivery)
