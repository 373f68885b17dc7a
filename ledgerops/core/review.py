"""The weekly review as one value (docs/spec.md §7): the figures, their 8-week series and drift
alerts, the exception queue, the invoices awaiting a manual escalation, the week's overdue
reasons and one data-driven hint. The JSON report and the Markdown page both render it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ledgerops.core.amounts import balance
from ledgerops.core.cases import open_at
from ledgerops.core.metrics import (
    Aging,
    Alert,
    CurrencyMetrics,
    Priced,
    WeekPoint,
    counts_at,
    drift_alerts,
    paid_on_time,
    weekly_series,
)
from ledgerops.core.model import ExceptionCase, Invoice, Ledger
from ledgerops.core.policy import Policy
from ledgerops.core.queue import open_queue
from ledgerops.core.schedule import escalated_stages, next_stage, stage_date


@dataclass(frozen=True, slots=True)
class QueueLine:
    case: ExceptionCase
    age_days: int
    client: str | None
    broken_promise: bool  # its `until` has passed and the invoice is still unpaid


@dataclass(frozen=True, slots=True)
class AwaitingEscalation:
    invoice: str
    client: str
    currency: str
    stage: str
    stage_date: date
    days_past_due: int
    balance: Decimal
    reminders_off: bool  # the engine never escalates these: only a person will


@dataclass(frozen=True, slots=True)
class Hint:
    """The one control the data points at. kind: late_after_stage | segment |
    exception_reason | none; `count` of `of` is the evidence, `others` the comparison."""

    kind: str
    subject: str | None = None
    count: int = 0
    of: int = 0
    others: tuple[int, int] | None = None
    offset_days: int | None = None


@dataclass(frozen=True, slots=True)
class WeeklyReview:
    company: str
    as_of: date
    week: str
    week_start: date
    lookback_start: date  # first day of the series, the window of the hint
    dso_window_days: int
    on_time_window_days: int
    drift_weeks: int
    drift_min_dso_days: Decimal
    drift_min_on_time_points: Decimal
    aging: Aging
    weeks: tuple[WeekPoint, ...]
    alerts: tuple[Alert, ...]
    queue: tuple[QueueLine, ...]
    opened: tuple[ExceptionCase, ...]  # opened during the week
    opened_by_reason: tuple[tuple[str, int], ...]
    awaiting: tuple[AwaitingEscalation, ...]
    hint: Hint

    @property
    def currencies(self) -> tuple[CurrencyMetrics, ...]:
        return self.aging.currencies

    @property
    def previous(self) -> WeekPoint | None:
        return self.weeks[-2] if len(self.weeks) > 1 else None


def weekly_review(ledger: Ledger, policy: Policy, as_of: date) -> WeeklyReview:
    measured = weekly_series(ledger, policy, as_of)
    points = measured.points
    week_start = points[-1].end - timedelta(days=6)
    invoices = {inv.id: inv for inv in ledger.invoices}
    opened = opened_between(ledger.exceptions, week_start, as_of)
    return WeeklyReview(
        company=policy.company.name,
        as_of=as_of,
        week=points[-1].week,
        week_start=week_start,
        lookback_start=measured.start,
        dso_window_days=policy.review.dso_window_days,
        on_time_window_days=policy.review.on_time_window_days,
        drift_weeks=policy.review.drift_weeks,
        drift_min_dso_days=policy.review.drift_min_dso_days,
        drift_min_on_time_points=policy.review.drift_min_on_time_points,
        aging=measured.aging,
        weeks=points,
        alerts=drift_alerts(
            points,
            policy.review.drift_weeks,
            policy.review.drift_min_dso_days,
            policy.review.drift_min_on_time_points,
        ),
        queue=exception_queue(ledger.exceptions, invoices, as_of),
        opened=opened,
        opened_by_reason=reason_counts(opened, policy.exceptions.reasons),
        awaiting=awaiting_escalation(measured.active, ledger, policy, as_of),
        hint=tuning_hint(measured.active, ledger, policy, measured.start, as_of),
    )


def exception_queue(
    cases: Iterable[ExceptionCase], invoices: Mapping[str, Invoice], as_of: date
) -> tuple[QueueLine, ...]:
    """The cases open at `as_of`, oldest first, with their client and any broken promise."""
    lines = []
    for entry in open_queue(cases, as_of):
        case = entry.case
        invoice = invoices.get(case.invoice) if case.invoice else None
        unpaid = invoice is not None and counts_at(invoice, as_of) and balance(invoice, as_of) > 0
        broken = case.until is not None and case.until < as_of and unpaid
        lines.append(QueueLine(case, entry.age_days, invoice.client if invoice else None, broken))
    return tuple(lines)


def opened_between(cases: Iterable[ExceptionCase], start: date, end: date) -> tuple[ExceptionCase, ...]:
    return tuple(sorted((c for c in cases if start <= c.opened_at <= end), key=lambda c: (c.opened_at, c.id)))


def reason_counts(cases: Iterable[ExceptionCase], reasons: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Counts per reason, in the policy's order of reasons; reasons with no case left out."""
    counts = Counter(case.reason for case in cases)
    order = {reason: i for i, reason in enumerate(reasons)}
    return tuple(sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def awaiting_escalation(
    active: Iterable[Priced], ledger: Ledger, policy: Policy, as_of: date
) -> tuple[AwaitingEscalation, ...]:
    """Unpaid invoices whose next stage at `as_of`, by the engine's own rule, is a manual one
    that no final_escalation case has taken yet.

    `active`: the invoices that count at `as_of` (Measured.active). Held invoices and those
    paused by an open case are already in a person's hands.
    """
    known = [c for c in ledger.exceptions if c.opened_at <= as_of]
    cases: dict[str, list[ExceptionCase]] = {}
    for c in known:
        if c.invoice:
            cases.setdefault(c.invoice, []).append(c)
    # As of the date: a case resolved since still paused its invoice then.
    paused = {c.invoice for c in known if open_at(c, as_of) and (c.until is None or as_of <= c.until)}
    rows = []
    for invoice, total in ((p.invoice, p.total) for p in active):
        if invoice.id in paused or invoice.drafted_as in paused or invoice.hold:
            continue
        done = {r.stage for r in invoice.reminders if r.sent_at.date() <= as_of}
        if invoice.id in cases:
            done |= escalated_stages(invoice, policy, tuple(cases[invoice.id]))
        stage = next_stage(invoice, policy, done, as_of)
        if stage is None or not stage.manual:
            continue
        owed = balance(invoice, as_of, total)
        if owed <= 0:
            continue
        client = ledger.clients.get(invoice.client)
        rows.append(
            AwaitingEscalation(
                invoice.id,
                invoice.client,
                invoice.currency,
                stage.stage,
                stage_date(invoice, stage),
                (as_of - invoice.due_date).days,
                owed,
                client is not None and not client.reminders,
            )
        )
    return tuple(sorted(rows, key=lambda r: (r.stage_date, r.invoice)))


def tuning_hint(active: Sequence[Priced], ledger: Ledger, policy: Policy, start: date, as_of: date) -> Hint:
    """The first of these that the data from `start` to `as_of` supports, else 'none': the
    reminder stage after which most late payers paid; the segment that pays on time least;
    the most common reason for an exception."""
    return (
        _late_after_stage(active, policy, start, as_of)
        or _worst_segment(active, ledger, start, as_of)
        or _common_reason(ledger.exceptions, start, as_of)
        or Hint("none")
    )


def _late_after_stage(active: Iterable[Priced], policy: Policy, start: date, as_of: date) -> Hint | None:
    offsets = {stage.stage: stage.offset_days for stage in policy.reminders.sequence}
    stages: Counter[str] = Counter()
    late = 0
    for invoice, total in ((p.invoice, p.total) for p in active):
        paid = paid_on(invoice, total, as_of)
        if paid is None or not start <= paid <= as_of or paid <= invoice.due_date:
            continue
        late += 1
        before = [r for r in invoice.reminders if r.sent_at.date() <= paid and r.stage in offsets]
        if before:
            stages[max(before, key=lambda r: offsets[r.stage]).stage] += 1
    if not stages:
        return None
    stage, count = min(stages.items(), key=lambda item: (-item[1], offsets[item[0]]))
    if count < 2 or count * 2 <= late:
        return None
    return Hint("late_after_stage", stage, count, late, offset_days=offsets[stage])


def paid_on(invoice: Invoice, total: Decimal, as_of: date) -> date | None:
    """The day the invoice was paid in full, if it was by `as_of`."""
    for day in sorted({p.date for p in invoice.payments if p.date <= as_of}):
        if balance(invoice, day, total) <= 0:
            return day
    return None


def _worst_segment(active: Iterable[Priced], ledger: Ledger, start: date, as_of: date) -> Hint | None:
    tally: dict[str, list[int]] = {}
    for invoice, total in ((p.invoice, p.total) for p in active):
        client = ledger.clients.get(invoice.client)
        if client is None or not start <= invoice.due_date <= as_of:
            continue
        counts = tally.setdefault(client.segment, [0, 0])
        counts[0] += paid_on_time(invoice, total)
        counts[1] += 1
    if len(tally) < 2:
        return None
    segment, (on_time, due) = min(tally.items(), key=lambda item: (item[1][0] / item[1][1], item[0]))
    rest_on_time = sum(c[0] for s, c in tally.items() if s != segment)
    rest_due = sum(c[1] for s, c in tally.items() if s != segment)
    if due < 2 or on_time * rest_due >= rest_on_time * due:
        return None
    return Hint("segment", segment, on_time, due, others=(rest_on_time, rest_due))


def _common_reason(cases: Iterable[ExceptionCase], start: date, as_of: date) -> Hint | None:
    recent = opened_between(cases, start, as_of)
    counts = Counter(case.reason for case in recent)
    if not counts:
        return None
    reason, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    if count < 2 or count * 2 <= len(recent):
        return None
    return Hint("exception_reason", reason, count, len(recent))
