"""The weekly review as JSON (docs/spec.md §9.3, a public contract) and as a Markdown page for GitHub
(docs/spec.md §7.8's order), plus the aging table on its own for `ledgerops aging`."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

from ledgerops.core.metrics import Aging, Alert, ClientAging, CurrencyMetrics, WeekPoint
from ledgerops.core.money import money_str, round_money
from ledgerops.core.review import Hint, QueueLine, WeeklyReview
from ledgerops.render.tables import text_table

_TENTH = Decimal("0.1")
_METRIC_NAMES = {"dso": "DSO", "on_time_rate": "on-time rate"}


# --- JSON -----------------------------------------------------------------------------------


def review_json(review: WeeklyReview) -> str:
    return json.dumps(review_dict(review), indent=2, ensure_ascii=False) + "\n"


def review_dict(review: WeeklyReview) -> dict[str, Any]:
    previous = review.previous
    labels = review.aging.labels
    clients = _clients_by_currency(review.aging.clients)
    currencies = {}
    for m in review.currencies:
        before = previous.currency(m.currency) if previous else None
        currencies[m.currency] = {
            **metrics_dict(m, labels),
            "change": _change_dict(m, before),
            "clients": [client_dict(c, labels) for c in clients.get(m.currency, ())],
        }
    return {
        "as_of": review.as_of.isoformat(),
        "week": review.week,
        "week_start": review.week_start.isoformat(),
        "currencies": currencies,
        "weeks": [week_dict(point, labels) for point in review.weeks],
        "alerts": [alert_dict(alert) for alert in review.alerts],
        "exceptions": [queue_dict(entry) for entry in review.queue],
        "opened_this_week": {
            "by_reason": dict(review.opened_by_reason),
            "cases": [case.id for case in review.opened],
        },
        "awaiting_escalation": [
            {
                "invoice": row.invoice,
                "client": row.client,
                "currency": row.currency,
                "balance": money_str(row.balance, row.currency),
                "stage": row.stage,
                "stage_date": row.stage_date.isoformat(),
                "days_past_due": row.days_past_due,
                "reminders_off": row.reminders_off,
            }
            for row in review.awaiting
        ],
        "hint": {**_hint_dict(review.hint), "text": hint_text(review.hint, len(review.weeks))},
    }


def metrics_dict(m: CurrencyMetrics, labels: Sequence[str]) -> dict[str, Any]:
    return {
        "receivable": money_str(m.receivable, m.currency),
        "aging": _aging_dict(m.aging, labels, m.currency),
        "dso": number(m.dso),
        "on_time_rate": number(m.on_time_rate),
        "sales": money_str(m.sales, m.currency),
        "on_time": {"paid": m.on_time_paid, "due": m.on_time_due},
    }


def client_dict(c: ClientAging, labels: Sequence[str]) -> dict[str, Any]:
    return {
        "client": c.client,
        "receivable": money_str(c.receivable, c.currency),
        "overdue": money_str(c.overdue, c.currency),
        "aging": _aging_dict(c.aging, labels, c.currency),
    }


def week_dict(point: WeekPoint, labels: Sequence[str]) -> dict[str, Any]:
    return {
        "week": point.week,
        "end": point.end.isoformat(),
        "as_of": point.as_of.isoformat(),
        "currencies": {m.currency: metrics_dict(m, labels) for m in point.currencies},
    }


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "currency": alert.currency,
        "metric": alert.metric,
        "weeks": list(alert.weeks),
        "values": [number(v) for v in alert.values],
    }


def queue_dict(entry: QueueLine) -> dict[str, Any]:
    case = entry.case
    return {
        "id": case.id,
        "invoice": case.invoice,
        "client": entry.client,
        "reason": case.reason,
        "opened_at": case.opened_at.isoformat(),
        "age_days": entry.age_days,
        "source": case.source,
        "until": case.until.isoformat() if case.until else None,
        "broken_promise": entry.broken_promise,
        "note": case.note,
    }


def _aging_dict(aging: Sequence[Decimal], labels: Sequence[str], currency: str) -> dict[str, str]:
    return {label: money_str(amount, currency) for label, amount in zip(labels, aging, strict=True)}


def _change_dict(now: CurrencyMetrics, before: CurrencyMetrics | None) -> dict[str, Any]:
    return {
        "dso": number(_delta(now.dso, before.dso if before else None)),
        "on_time_rate": number(_delta(now.on_time_rate, before.on_time_rate if before else None)),
        "receivable": money_str(now.receivable - before.receivable, now.currency) if before else None,
    }


def _hint_dict(hint: Hint) -> dict[str, Any]:
    return {
        "kind": hint.kind,
        "subject": hint.subject,
        "count": hint.count,
        "of": hint.of,
        "others": list(hint.others) if hint.others else None,
    }


def number(value: Decimal | None) -> float | None:
    """Rounded figures as JSON numbers (88.6, 0.5); the rounding is done in core."""
    return None if value is None else float(value)


def _delta(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if now is None or before is None else now - before


def _clients_by_currency(rows: Sequence[ClientAging]) -> dict[str, list[ClientAging]]:
    grouped: dict[str, list[ClientAging]] = {}
    for row in rows:
        grouped.setdefault(row.currency, []).append(row)
    return grouped


# --- the hint, in words ----------------------------------------------------------------------


def hint_text(hint: Hint, weeks: int) -> str:
    span = f"the last {weeks} weeks"
    if hint.kind == "late_after_stage":
        return (
            f"Reminder stage `{hint.subject}` (due {hint.offset_days:+d} days): {hint.count} of the "
            f"{hint.of} invoices paid late in {span} were paid only after it. Consider moving it "
            f"earlier in `reminders.sequence`, or a firmer tone in the stage before it."
        )
    if hint.kind == "segment":
        rest_on_time, rest_due = hint.others or (0, 0)
        return (
            f"Segment `{hint.subject}`: {hint.count} of {hint.of} invoices due in {span} were paid "
            f"on time (other segments: {rest_on_time} of {rest_due}). Consider shorter terms, an "
            f"earlier first reminder or a firmer tone for this segment."
        )
    if hint.kind == "exception_reason":
        return (
            f"Exception reason `{hint.subject}`: {hint.count} of the {hint.of} cases opened in {span}. "
            f"Look for the control upstream that would prevent it (PO numbers, terms, delivery sign-off)."
        )
    return f"Nothing stands out in {span}: leave the policy as it is."


# --- Markdown ---------------------------------------------------------------------------------


def review_markdown(review: WeeklyReview) -> str:
    sections = [  # what needs action first, then the figures, the trend last
        _title(review),
        _headline(review),
        _queue(review),
        _awaiting(review),
        _aging_section(review),
        _reasons(review),
        _tune(review),
        _charts(review),
        f"_Generated by `ledgerops report --as-of {review.as_of.isoformat()}`; every figure can be "
        f"recomputed from the ledger as of that date._",
    ]
    return "\n\n".join(sections) + "\n"


def readme_markdown(review: WeeklyReview, link: str, page: str) -> str:
    """reports/README.md: GitHub shows it when the folder is opened, so it carries the latest page."""
    return (
        f"_The latest weekly review: [{review.week}]({link}), as of {review.as_of.isoformat()}. "
        f"Every week is in [weekly/](weekly/)._\n\n{page}"
    )


def written_text(paths: Sequence[str], commit: str | None) -> str:
    lines = [f"wrote {path}" for path in paths] or ["the report files are up to date"]
    lines.append(f"committed {commit}" if commit else "nothing committed")
    return "\n".join(lines) + "\n"


def written_json(paths: Sequence[str], commit: str | None) -> str:
    return json.dumps({"written": list(paths), "commit": commit}, indent=2) + "\n"


def _title(review: WeeklyReview) -> str:
    day = review.as_of
    to_date = " (to date)" if day < review.weeks[-1].end else ""
    return (
        f"# Weekly review {review.week}{to_date}: {_escape(review.company)}\n\n"
        f"As of {day:%A} {day.isoformat()} (end of day); the week runs "
        f"{review.week_start.isoformat()} to {review.weeks[-1].end.isoformat()}. "
        f"Amounts per currency, never converted."
    )


def _headline(review: WeeklyReview) -> str:
    previous = review.previous
    headers = (
        "Currency",
        "DSO (days)",
        "Δ week",
        "On-time rate",
        "Δ week",
        "Receivable",
        "Δ week",
        "Overdue",
    )
    rows = []
    for m in review.currencies:
        before = previous.currency(m.currency) if previous else None
        rows.append(
            (
                m.currency,
                _dso_cell(m.dso),
                _signed(_delta(m.dso, before.dso if before else None), "days"),
                _rate_cell(m),
                _signed(_delta(m.on_time_rate, before.on_time_rate if before else None), "pp"),
                _money(m.receivable, m.currency),
                _money_delta(m, before),
                _money(m.overdue, m.currency),
            )
        )
    since = review.previous.week if review.previous else review.week
    note = (
        f"DSO = receivable ÷ sales of the last {review.dso_window_days} days × {review.dso_window_days}; "
        f"on-time rate = share of the invoices due in the last {review.on_time_window_days} days that "
        f"were paid in full by their due date. Δ: change since {since}."
    )
    return (
        "## Headline\n\n"
        + md_table(headers, rows, right=range(1, 8))
        + "\n\n"
        + note
        + "\n\n"
        + _alerts(review)
    )


def _alerts(review: WeeklyReview) -> str:
    if not review.alerts:
        return (
            f"No drift alert: no DSO rose in each of the last {review.drift_weeks} weeks by "
            f"{_plain(review.drift_min_dso_days)} days or more in all, and no on-time rate fell in each "
            f"of them by {_plain(review.drift_min_on_time_points)} percentage points or more in all."
        )
    lines = ["> [!WARNING]"]
    for alert in review.alerts:
        worse = "rose" if alert.metric == "dso" else "fell"
        values = " → ".join(_alert_value(alert.metric, v) for v in alert.values)
        unit = " days" if alert.metric == "dso" else " %"
        lines.append(
            f"> **Drift: {alert.currency} {_METRIC_NAMES[alert.metric]} {worse} "
            f"{len(alert.values) - 1} weeks in a row**: {values}{unit} ({alert.weeks[0]} to {alert.weeks[-1]}).  "
        )
    lines[-1] = lines[-1].rstrip()
    return "\n".join(lines)


def _aging_section(review: WeeklyReview) -> str:
    aging = review.aging
    headers = ("Currency", "Receivable", *aging.labels)
    rows = [
        (m.currency, _money(m.receivable, m.currency), *(_money(a, m.currency) for a in m.aging))
        for m in aging.currencies
    ]
    parts = [
        "## Aging",
        "Balances > 0 of the invoices sent by the date, by days past due.",
        md_table(headers, rows, right=range(1, len(headers))),
        "### By client",
        _client_table(aging) if aging.clients else "_Nothing is receivable._",
    ]
    return "\n\n".join(parts)


def _client_table(aging: Aging) -> str:
    """Per currency, the client with the largest overdue amount first."""
    headers = ("Client", "Currency", "Receivable", "Overdue", *aging.labels)
    rows = [
        (
            _escape(c.client),
            c.currency,
            _money(c.receivable, c.currency),
            _money(c.overdue, c.currency),
            *(_money(a, c.currency) for a in c.aging),
        )
        for c in aging.clients
    ]
    return md_table(headers, rows, right=range(2, len(headers)))


def _charts(review: WeeklyReview) -> str:
    """One chart per currency, its DSO trend; the on-time rate and every other figure of each
    week are in the collapsed table below it, and the aging is in the tables above."""
    weeks = review.weeks
    parts = [f"## Trend: the last {len(weeks)} weeks"]
    for m in review.currencies:
        points = [(p.week, p.currency(m.currency)) for p in weeks]
        dso = [(week, x.dso) for week, x in points if x is not None and x.dso is not None]
        if not dso:
            parts.append(f"_{m.currency}: no sales in these weeks, so no DSO._")
            continue
        parts.append(_xychart(f"{m.currency} DSO (days)", "days", dso, "line"))
        if len(dso) < len(weeks):
            parts.append(f"_{m.currency}: weeks without sales have no DSO and are left out._")
    parts.append(_series_details(review))
    return "\n\n".join(parts)


# Explicit colours, so a chart reads the same on GitHub's light and dark themes: the chart
# brings its own white background, with near-black text and a saturated blue line (both
# above the WCAG contrast ratios on white), instead of the default theme's pale lavender.
CHART_THEME = {
    "theme": "base",
    "themeVariables": {
        "background": "#ffffff",
        "xyChart": {
            "backgroundColor": "#ffffff",
            "titleColor": "#1f2328",
            "xAxisLabelColor": "#1f2328",
            "xAxisTitleColor": "#1f2328",
            "xAxisTickColor": "#59636e",
            "xAxisLineColor": "#59636e",
            "yAxisLabelColor": "#1f2328",
            "yAxisTitleColor": "#1f2328",
            "yAxisTickColor": "#59636e",
            "yAxisLineColor": "#59636e",
            "plotColorPalette": "#0550ae",
        },
    },
}
_CHART_INIT = "%%{init: " + json.dumps(CHART_THEME) + "}%%"


def _xychart(
    title: str, unit: str, points: Sequence[tuple[str, Decimal]], kind: str, top: Decimal | None = None
) -> str:
    """A Mermaid xychart, which GitHub renders; the y axis starts at 0 so changes are not magnified."""
    labels = ", ".join(f'"{_short_week(label)}"' for label, _ in points)
    values = ", ".join(_plain(v) for _, v in points)
    high = top if top is not None else _nice_top(max(v for _, v in points))
    return (
        f'```mermaid\n{_CHART_INIT}\nxychart-beta\n    title "{title}"\n    x-axis [{labels}]\n'
        f'    y-axis "{unit}" 0 --> {_plain(high)}\n    {kind} [{values}]\n```'
    )


def _series_details(review: WeeklyReview) -> str:
    headers = ("Week", "As of", "Currency", "DSO", "On-time rate", "Receivable", "Sales")
    rows = [
        (
            point.week,
            point.as_of.isoformat(),
            m.currency,
            _dso_cell(m.dso),
            _rate_cell(m),
            _money(m.receivable, m.currency),
            _money(m.sales, m.currency),
        )
        for code in (c.currency for c in review.currencies)
        for point in review.weeks
        if (m := point.currency(code)) is not None
    ]
    return (
        "<details>\n<summary>The weekly figures</summary>\n\n"
        + md_table(headers, rows, right=range(3, 7))
        + "\n\n</details>"
    )


def _queue(review: WeeklyReview) -> str:
    if not review.queue:
        return "## Exception queue\n\n_No open exception._"
    headers = ("Case", "Invoice", "Client", "Reason", "Opened", "Age (days)", "State")
    rows = [
        (
            e.case.id,
            e.case.invoice or "-",
            _escape(e.client or "?"),
            e.case.reason,
            e.case.opened_at.isoformat(),
            str(e.age_days),
            _queue_state(e, review),
        )
        for e in review.queue
    ]
    return "## Exception queue\n\nOpen cases, oldest first.\n\n" + md_table(headers, rows, right=(5,))


def _queue_state(entry: QueueLine, review: WeeklyReview) -> str:
    until = entry.case.until
    if until is None:
        return "paused until resolved"
    if until >= review.as_of:
        return f"paused through {until.isoformat()}"
    if entry.broken_promise:
        return f"**promise broken** (until {until.isoformat()}), still unpaid"
    return f"pause ended {until.isoformat()}"


def _awaiting(review: WeeklyReview) -> str:
    title = "## Awaiting a manual escalation"
    if not review.awaiting:
        return f"{title}\n\n_None: every manual stage that has come has its case._"
    headers = ("Invoice", "Client", "Balance", "Currency", "Stage", "Stage date", "Days past due", "Note")
    rows = [
        (
            r.invoice,
            _escape(r.client),
            _money(r.balance, r.currency),
            r.currency,
            r.stage,
            r.stage_date.isoformat(),
            str(r.days_past_due),
            "client has reminders off: only you will escalate" if r.reminders_off else "",
        )
        for r in review.awaiting
    ]
    intro = (
        "A manual stage of the reminder sequence has come and no `final_escalation` case was opened for it."
    )
    return f"{title}\n\n{intro}\n\n" + md_table(headers, rows, right=(2, 6))


def _reasons(review: WeeklyReview) -> str:
    title = f"## Overdue reasons this week ({review.week_start.isoformat()} to {review.as_of.isoformat()})"
    if not review.opened:
        return f"{title}\n\n_No exception was opened this week._"
    cases: dict[str, list[str]] = {}
    for case in review.opened:
        cases.setdefault(case.reason, []).append(case.id)
    rows = [(reason, str(count), ", ".join(cases[reason])) for reason, count in review.opened_by_reason]
    return f"{title}\n\n" + md_table(("Reason", "Cases", "Ids"), rows, right=(1,))


def _tune(review: WeeklyReview) -> str:
    return "## Tune one control\n\n" + hint_text(review.hint, len(review.weeks))


# --- cells --------------------------------------------------------------------------------------


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] | range = ()) -> str:
    """A GitHub table, padded so the source reads as a table too; `right` columns align right."""
    aligned_right = set(right)
    widths = [max(3, len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.rjust(w) if i in aligned_right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "| "
        + " | ".join("-" * (w - 1) + ":" if i in aligned_right else "-" * w for i, w in enumerate(widths))
        + " |"
    )
    return "\n".join([line(headers), rule, *map(line, rows)])


def _money(amount: Decimal, currency: str) -> str:
    return f"{round_money(amount, currency):,f}"


def _money_delta(now: CurrencyMetrics, before: CurrencyMetrics | None) -> str:
    if before is None:
        return "–"
    change = round_money(now.receivable - before.receivable, now.currency)
    return ("+" if change > 0 else "") + f"{change:,f}"


def _dso_cell(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _rate_cell(m: CurrencyMetrics) -> str:
    if m.on_time_rate is None:
        return "– (none due)"
    return f"{_percent(m.on_time_rate)} % ({m.on_time_paid} of {m.on_time_due})"


def _signed(value: Decimal | None, form: str) -> str:
    """+0.4, −1.2, 0.0 (no sign when nothing changed); `pp` shows a fraction in percentage points."""
    if value is None:
        return "–"
    shown = _percent(value) if form == "pp" else value.quantize(_TENTH)
    text = f"{shown:+.1f}" if shown else "0.0"
    return f"{text} pp" if form == "pp" else text


def _percent(fraction: Decimal) -> Decimal:
    return (fraction * 100).quantize(_TENTH)


def _alert_value(metric: str, value: Decimal) -> str:
    return f"{value:.1f}" if metric == "dso" else f"{_percent(value)}"


def _plain(value: Decimal) -> str:
    return f"{value:f}"


def _nice_top(value: Decimal) -> Decimal:
    """A round axis maximum about a tenth above the largest value: 97.4 -> 150, 88.6 -> 100."""
    target = value * Decimal("1.1")
    if target <= 0:
        return Decimal(1)
    step = Decimal(10) ** math.floor(math.log10(target)) / 2
    return (target / step).to_integral_value(rounding=ROUND_CEILING) * step


def _short_week(label: str) -> str:
    return label.split("-", 1)[1] if label[:4].isdigit() and "-W" in label else label


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- `ledgerops aging` -------------------------------------------------------------------------


def aging_text(aging: Aging) -> str:
    labels = aging.labels
    totals = [
        (m.currency, money_str(m.receivable, m.currency), *(money_str(a, m.currency) for a in m.aging))
        for m in aging.currencies
    ]
    out = [
        f"aging as of {aging.as_of.isoformat()}, by days past due",
        "",
        text_table(("cur", "receivable", *labels), totals, right=range(1, len(labels) + 2)),
    ]
    if aging.clients:
        rows = [
            (c.client, c.currency, money_str(c.receivable, c.currency), money_str(c.overdue, c.currency),
             *(money_str(a, c.currency) for a in c.aging))
            for c in aging.clients
        ]  # fmt: skip
        headers = ("client", "cur", "receivable", "overdue", *labels)
        out.append(text_table(headers, rows, right=range(2, len(labels) + 4)))
    return "\n".join(out)


def aging_json(aging: Aging) -> str:
    clients = _clients_by_currency(aging.clients)
    payload = {
        "as_of": aging.as_of.isoformat(),
        "currencies": {
            m.currency: {
                "receivable": money_str(m.receivable, m.currency),
                "aging": _aging_dict(m.aging, aging.labels, m.currency),
                "clients": [client_dict(c, aging.labels) for c in clients.get(m.currency, ())],
            }
            for m in aging.currencies
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
