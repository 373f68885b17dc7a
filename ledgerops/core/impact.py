"""What a policy change would do, with evidence: the reminder schedule run day by day under
two policies over the next days, and the last weeks replayed under each.

The replay keeps what clients did (payments, people's cases) and takes back what the engine
did since it began (reminders, late fees, escalations, claims), so the difference between
the two replays is the policy's alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ledgerops.core.amounts import balance
from ledgerops.core.cases import open_at
from ledgerops.core.metrics import CurrencyMetrics, metrics_at, sent_on
from ledgerops.core.model import ExceptionCase, Invoice, Ledger
from ledgerops.core.policy import Policy
from ledgerops.core.queue import ENGINE
from ledgerops.core.schedule import ReminderPlan, apply_plan, plan_reminders

REPLAY_DAYS = 56  # the 8 weeks of the weekly review
_RUN_TIME = time(9, 0, tzinfo=UTC)  # only the date of a simulated run matters to the schedule


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the engine does on a day."""

    kind: str  # message | escalation | late_fee
    invoice: str
    stage: str | None  # the reminder stage; None for a late fee
    day: date
    amount: Decimal | None = None  # late fees only
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Difference:
    change: str  # added | dropped | moved | changed (a late fee's amount)
    kind: str
    invoice: str
    stage: str | None
    before: Action | None
    after: Action | None


@dataclass(frozen=True, slots=True)
class Side:
    """One policy's runs: the next days, the replay, and the replay's figures at its last day."""

    forward: tuple[Action, ...]
    replay: tuple[Action, ...]
    figures: tuple[CurrencyMetrics, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    today: date
    days: int
    replay_start: date
    replay_end: date
    before: Side
    after: Side
    forward: tuple[Difference, ...]
    replay: tuple[Difference, ...]


def policy_impact(ledger: Ledger, before: Policy, after: Policy, today: date, days: int) -> Impact:
    """`before` (the policy in force, say main's) against `after` (the proposed one)."""
    replay_start, replay_end = today - timedelta(days=REPLAY_DAYS), today - timedelta(days=1)
    past = undo_engine(ledger, replay_start)

    def side(policy: Policy) -> Side:
        forward = simulate(replace(ledger, policy=policy), today, days)[1]
        replayed, replay = simulate(replace(past, policy=policy), replay_start, REPLAY_DAYS)
        return Side(forward, replay, metrics_at(replayed, policy, replay_end))

    old, new = side(before), side(after)
    return Impact(
        today, days, replay_start, replay_end, old, new,
        compare(old.forward, new.forward), compare(old.replay, new.replay),
    )  # fmt: skip


def simulate(ledger: Ledger, start: date, days: int) -> tuple[Ledger, tuple[Action, ...]]:
    """The daily runs from `start` for `days` days, each recording its plan before the next
    plans; returns the ledger afterwards and what the runs did.

    Only invoices the engine can act on take part (sent and unpaid at `start`, or sent since):
    a paid invoice stays paid, because the engine adds fees only to unpaid ones.
    """
    busy = [i for i, inv in enumerate(ledger.invoices) if _engine_may_act(inv, start)]
    book = replace(ledger, invoices=tuple(ledger.invoices[i] for i in busy))
    cases = list(ledger.exceptions)
    actions: list[Action] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        seen = _cases_on(cases, day)
        plan = plan_reminders(replace(book, exceptions=seen), day)
        actions.extend(_actions(plan))
        book = apply_plan(replace(book, exceptions=seen), plan, datetime.combine(day, _RUN_TIME))
        cases.extend(book.exceptions[len(seen) :])
    invoices = list(ledger.invoices)
    for index, invoice in zip(busy, book.invoices, strict=True):
        invoices[index] = invoice
    return replace(ledger, invoices=tuple(invoices), exceptions=tuple(cases)), tuple(actions)


def _cases_on(cases: Sequence[ExceptionCase], day: date) -> tuple[ExceptionCase, ...]:
    """The cases as a run on `day` saw them: opened by then, and open if resolved later."""
    return tuple(
        c if c.status == "open" or not open_at(c, day) else replace(c, status="open", resolved_at=None)
        for c in cases
        if c.opened_at <= day
    )


def _engine_may_act(invoice: Invoice, start: date) -> bool:
    sent = sent_on(invoice)
    return invoice.status == "sent" and sent is not None and (sent >= start or balance(invoice, start) > 0)


def undo_engine(ledger: Ledger, start: date) -> Ledger:
    """The ledger without what the engine recorded from `start` on: the replay's starting point."""
    invoices = tuple(_undo(invoice, start) for invoice in ledger.invoices)
    cases = tuple(c for c in ledger.exceptions if not (c.source == ENGINE and c.opened_at >= start))
    return replace(ledger, invoices=invoices, exceptions=cases)


def _undo(invoice: Invoice, start: date) -> Invoice:
    reminders = tuple(r for r in invoice.reminders if r.sent_at.date() < start)
    fees = tuple(f for f in invoice.late_fees if f.date < start)
    claims = tuple(c for c in invoice.claims if c.claimed_at.date() < start)
    if (len(reminders), len(fees), len(claims)) == (
        len(invoice.reminders), len(invoice.late_fees), len(invoice.claims),
    ):  # fmt: skip
        return invoice
    return replace(invoice, reminders=reminders, late_fees=fees, claims=claims)


def _actions(plan: ReminderPlan) -> Iterable[Action]:
    day = plan.today
    for send in plan.send:
        yield Action("message", send.invoice, send.stage, day)
    for item in plan.escalate:
        yield Action("escalation", item.invoice, item.stage, day)
    for fee in plan.late_fees:
        yield Action("late_fee", fee.invoice, None, day, fee.amount, fee.currency)


def compare(before: Sequence[Action], after: Sequence[Action]) -> tuple[Difference, ...]:
    """Each (kind, invoice, stage) happens at most once in a run (docs/spec.md §6: once per stage,
    one late fee); what differs between the runs, in date order."""
    old = {(a.kind, a.invoice, a.stage): a for a in before}
    new = {(a.kind, a.invoice, a.stage): a for a in after}
    found = []
    for key in old.keys() | new.keys():
        was, now = old.get(key), new.get(key)
        if was is None or now is None:
            change = "added" if was is None else "dropped"
        elif was.day != now.day:
            change = "moved"
        elif was.amount != now.amount:
            change = "changed"
        else:
            continue
        found.append(Difference(change, key[0], key[1], key[2], was, now))
    return tuple(sorted(found, key=_order))


def _order(d: Difference) -> tuple[date, str, str, str]:
    first = min(a.day for a in (d.before, d.after) if a is not None)
    return (first, d.invoice, d.kind, d.stage or "")
