"""The weekly review's figures as of a date (docs/spec.md §7): aging, DSO, on-time rate, sales, and
their weekly series, per currency, from the dated facts of the ledger only.

Every figure is a function of (ledger, policy, as_of): payments, late fees, voidings and
sendings dated after `as_of` are ignored, so any past week can be recomputed exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from ledgerops.core.amounts import balance, credited_amount, invoice_total, paid_amount
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.money import ZERO
from ledgerops.core.policy import WEEKDAYS, Policy

SERIES_WEEKS = 8
_DSO_STEP = Decimal("0.1")
_RATE_STEP = Decimal("0.001")
_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CurrencyMetrics:
    """One currency's figures at one date. `aging` has one amount per bucket label."""

    currency: str
    receivable: Decimal
    aging: tuple[Decimal, ...]
    sales: Decimal
    dso: Decimal | None  # days, rounded to 0.1; None without sales
    on_time_rate: Decimal | None  # fraction, rounded to 0.001; None when nothing fell due
    on_time_paid: int
    on_time_due: int

    @property
    def overdue(self) -> Decimal:
        return self.receivable - self.aging[0]


@dataclass(frozen=True, slots=True)
class ClientAging:
    client: str
    currency: str
    receivable: Decimal
    aging: tuple[Decimal, ...]

    @property
    def overdue(self) -> Decimal:
        return self.receivable - self.aging[0]


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """A week of the series, named by the ISO week of its last day; measured as of `as_of`
    (its last day, or the report date for the week still running)."""

    week: str
    end: date
    as_of: date
    currencies: tuple[CurrencyMetrics, ...]

    def currency(self, code: str) -> CurrencyMetrics | None:
        return next((m for m in self.currencies if m.currency == code), None)


@dataclass(frozen=True, slots=True)
class Aging:
    """Receivable by days past due at one date, per currency and per client."""

    as_of: date
    labels: tuple[str, ...]
    currencies: tuple[CurrencyMetrics, ...]
    clients: tuple[ClientAging, ...]  # per currency, largest overdue first


@dataclass(frozen=True, slots=True)
class Priced:
    """An invoice with its total, which is the costly part to compute."""

    invoice: Invoice
    total: Decimal


@dataclass(frozen=True, slots=True)
class Measured:
    points: tuple[WeekPoint, ...]
    aging: Aging  # at the last point
    start: date  # the first day of the series' first week
    # Invoices that count at the last point, except those settled in full before `start`
    # and outside every window since: what the review's lists and hint look at.
    active: tuple[Priced, ...]


def bucket_labels(edges: Sequence[int]) -> tuple[str, ...]:
    """[30, 60, 90] -> current, 1-30, 31-60, 61-90, 90+ (the last one means 'more than 90')."""
    lows = (0, *edges)
    return ("current", *(f"{lo + 1}-{hi}" for lo, hi in zip(lows, edges, strict=False)), f"{edges[-1]}+")


def bucket_index(days_past_due: int, edges: Sequence[int]) -> int:
    """0 for current (not yet past due), then one bucket per edge, then the open-ended one."""
    return 0 if days_past_due <= 0 else 1 + bisect_left(edges, days_past_due)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_end(as_of: date, weekday: str) -> date:
    """The last day of the review week that contains `as_of`."""
    return as_of + timedelta(days=(WEEKDAYS.index(weekday) - as_of.weekday()) % 7)


def series_dates(as_of: date, policy: Policy) -> tuple[tuple[date, date], ...]:
    """(week end, measured as of) for each week of the series, oldest first.

    At least 8 weeks, more when `drift_weeks` needs them to have enough steps.
    """
    count = max(SERIES_WEEKS, policy.review.drift_weeks + 1)
    last_end = week_end(as_of, policy.review.weekday)
    ends = [last_end - _WEEK * back for back in range(count - 1, -1, -1)]
    return tuple((end, min(end, as_of)) for end in ends)


def sent_on(invoice: Invoice) -> date | None:
    """The day an invoice became a claim on the client: the date of its sent_at as written."""
    if invoice.status not in ("sent", "void") or invoice.sent_at is None:
        return None
    return invoice.sent_at.date()


def void_from(invoice: Invoice) -> date | None:
    """The first day an invoice no longer counts; before its voided_at it was a live claim."""
    if invoice.status != "void":
        return None
    return invoice.voided_at or date.min


def counts_at(invoice: Invoice, as_of: date) -> bool:
    """Sent by `as_of` and not voided by then: a claim on the client that day."""
    sent = sent_on(invoice)
    voided = void_from(invoice)
    return sent is not None and sent <= as_of and (voided is None or voided > as_of)


def paid_on_time(invoice: Invoice, total: Decimal) -> bool:
    """Payments and credit notes dated on or before the due date cover the total (late fees
    aside): an invoice settled by a credit note is settled on the credit note's date."""
    due = invoice.due_date
    return paid_amount(invoice, due) + (credited_amount(invoice, due) if invoice.credited else ZERO) >= total


def _credited_between(invoice: Invoice, first: date, last: date) -> Decimal:
    """Credit notes dated in [first, last]: sales are net of them, by their own date."""
    return sum((c.amount for c in invoice.credited if first <= c.date <= last), ZERO)


def weekly_series(ledger: Ledger, policy: Policy, as_of: date) -> Measured:
    """The weekly series ending with the week of `as_of`, and the aging at `as_of`."""
    return measure(ledger, policy, series_dates(as_of, policy))


def aging(ledger: Ledger, policy: Policy, as_of: date) -> Aging:
    return measure(ledger, policy, ((week_end(as_of, policy.review.weekday), as_of),)).aging


def metrics_at(ledger: Ledger, policy: Policy, as_of: date) -> tuple[CurrencyMetrics, ...]:
    """The figures of each currency as of the end of `as_of`."""
    return aging(ledger, policy, as_of).currencies


def measure(ledger: Ledger, policy: Policy, dates: Sequence[tuple[date, date]]) -> Measured:
    """The figures at each (week end, as of) of `dates` (ascending), in one pass over the invoices.

    An invoice settled before the series began and outside every window since is skipped after
    one balance, so a ledger's long paid history costs little.
    """
    review = policy.review
    edges = review.aging_buckets
    days = tuple(d for _, d in dates)
    as_of, last = days[-1], len(days) - 1
    start = dates[0][0] - timedelta(days=6)
    dso_window = timedelta(days=review.dso_window_days - 1)
    on_time_window = timedelta(days=review.on_time_window_days - 1)
    sold_before, due_before = days[0] - dso_window, min(start, days[0] - on_time_window)
    currencies = _currencies(ledger.invoices, policy, as_of)
    acc = {c: [_Acc(len(edges) + 2) for _ in days] for c in currencies}
    clients: dict[tuple[str, str], _Acc] = {}
    active = []
    for invoice in ledger.invoices:
        sent = sent_on(invoice)
        voided = void_from(invoice)
        if sent is None or sent > as_of or (voided is not None and voided <= days[0]):
            continue
        total = invoice_total(invoice)
        settled = _settled_by(invoice, total, start)
        if (settled and invoice.issue_date < sold_before and invoice.due_date < due_before
                and all(c.date < sold_before for c in invoice.credited)):  # fmt: skip
            continue
        if voided is None or voided > as_of:
            active.append(Priced(invoice, total))
        moves = not settled and bool(invoice.payments or invoice.late_fees or invoice.credited)
        slots = acc[invoice.currency]
        for k, day in enumerate(days):
            if sent > day:
                continue
            if voided is not None and voided <= day:
                break
            slot = slots[k]
            if day - dso_window <= invoice.issue_date <= day:
                slot.sales += total
            if invoice.credited:
                slot.sales -= _credited_between(invoice, day - dso_window, day)
            if day - on_time_window <= invoice.due_date <= day:
                slot.due += 1
                slot.on_time += paid_on_time(invoice, total)
            owed = ZERO if settled else balance(invoice, day, total) if moves else total
            if owed > 0:
                bucket = bucket_index((day - invoice.due_date).days, edges)
                slot.add(bucket, owed)
                if k == last:
                    client = clients.get((invoice.currency, invoice.client))
                    if client is None:
                        client = clients[(invoice.currency, invoice.client)] = _Acc(len(edges) + 2)
                    client.add(bucket, owed)
    points = tuple(
        WeekPoint(
            iso_week(end), end, day, tuple(acc[c][k].metrics(c, review.dso_window_days) for c in currencies)
        )
        for k, (end, day) in enumerate(dates)
    )
    order = {c: i for i, c in enumerate(currencies)}
    client_rows = sorted(
        (ClientAging(client, cur, a.receivable, tuple(a.aging)) for (cur, client), a in clients.items()),
        key=lambda r: (order[r.currency], -r.overdue, -r.receivable, r.client),
    )
    aged = Aging(as_of, bucket_labels(edges), points[-1].currencies, tuple(client_rows))
    return Measured(points, aged, start, tuple(active))


def _settled_by(invoice: Invoice, total: Decimal, day: date) -> bool:
    """Paid (or credited) in full by `day`, with no payment, late fee or credit dated after it."""
    if not invoice.payments and not invoice.credited:
        return False
    facts = (*(p.date for p in invoice.payments), *(f.date for f in invoice.late_fees),
             *(c.date for c in invoice.credited))  # fmt: skip
    return max(facts) <= day and balance(invoice, day, total) <= 0


def _currencies(invoices: Iterable[Invoice], policy: Policy, as_of: date) -> tuple[str, ...]:
    """The policy's currencies in its order, then any other one invoiced by `as_of`."""
    seen = dict.fromkeys((policy.currency, *policy.currencies))
    extra = sorted(
        {inv.currency for inv in invoices if (s := sent_on(inv)) is not None and s <= as_of} - set(seen)
    )
    return (*seen, *extra)


class _Acc:
    """Running sums for one currency (or client) at one date; mutable only inside measure()."""

    __slots__ = ("aging", "due", "on_time", "receivable", "sales")

    def __init__(self, buckets: int) -> None:
        self.aging = [ZERO] * buckets
        self.receivable = ZERO
        self.sales = ZERO
        self.due = 0
        self.on_time = 0

    def add(self, bucket: int, amount: Decimal) -> None:
        self.aging[bucket] += amount
        self.receivable += amount

    def metrics(self, currency: str, window_days: int) -> CurrencyMetrics:
        return CurrencyMetrics(
            currency,
            self.receivable,
            tuple(self.aging),
            self.sales,
            dso(self.receivable, self.sales, window_days),
            on_time_rate(self.on_time, self.due),
            self.on_time,
            self.due,
        )


def dso(receivable: Decimal, sales: Decimal, window_days: int) -> Decimal | None:
    if sales <= 0:
        return None
    return (receivable / sales * window_days).quantize(_DSO_STEP, rounding=ROUND_HALF_UP)


def on_time_rate(on_time: int, due: int) -> Decimal | None:
    if due == 0:
        return None
    return (Decimal(on_time) / Decimal(due)).quantize(_RATE_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Alert:
    """A metric that got worse in each of the last `drift_weeks` week-over-week steps."""

    currency: str
    metric: str  # dso | on_time_rate
    weeks: tuple[str, ...]
    values: tuple[Decimal, ...]


def drift_alerts(
    points: Sequence[WeekPoint],
    drift_weeks: int,
    min_dso_days: Decimal = Decimal(0),
    min_on_time_points: Decimal = Decimal(0),
) -> tuple[Alert, ...]:
    """Compares the rounded figures the report shows, so an alert never reads '88.6 -> 88.6';
    a run of small steps alerts only when the whole move reaches the minimum (a DSO rise in
    days, an on-time fall in percentage points)."""
    least = {"dso": min_dso_days, "on_time_rate": min_on_time_points / 100}
    tail = points[-(drift_weeks + 1) :]
    if len(tail) < drift_weeks + 1:
        return ()
    alerts = []
    for metrics in tail[-1].currencies:
        for metric, sign in (("dso", 1), ("on_time_rate", -1)):
            found = [getattr(point.currency(metrics.currency), metric, None) for point in tail]
            values: list[Decimal] = [value for value in found if value is not None]
            if len(values) < len(found):
                continue
            worse = all((later - earlier) * sign > 0 for earlier, later in pairwise(values))
            if worse and (values[-1] - values[0]) * sign >= least[metric]:
                weeks = tuple(point.week for point in tail)
                alerts.append(Alert(metrics.currency, metric, weeks, tuple(values)))
    return tuple(alerts)
