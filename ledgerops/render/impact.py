"""A policy change's impact as text for a pull request, and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerops.core.impact import Action, Difference, Impact, Side
from ledgerops.core.money import money_str
from ledgerops.render.report import number as _number
from ledgerops.render.tables import text_table


def impact_text(impact: Impact, before: str, after: str) -> str:
    last = impact.today + timedelta(days=impact.days - 1)
    out = [
        f"policy impact: {before} (before) -> {after} (after)",
        "",
        f"next {impact.days} days ({impact.today.isoformat()} to {last.isoformat()})",
        _summary(impact.before.forward, impact.after.forward, ()),
        *_changes(impact.forward),
        "",
        f"replay of the last {_weeks(impact)} weeks ({impact.replay_start.isoformat()} to "
        f"{impact.replay_end.isoformat()}; payments as recorded)",
        _summary(impact.before.replay, impact.after.replay, _figure_rows(impact.before, impact.after)),
        *_changes(impact.replay),
    ]
    return "\n".join(out) + "\n"


def impact_json(impact: Impact, before: str, after: str) -> str:
    last = impact.today + timedelta(days=impact.days - 1)
    payload = {
        "today": impact.today.isoformat(),
        "days": impact.days,
        "before": before,
        "after": after,
        "next_days": {
            "from": impact.today.isoformat(),
            "to": last.isoformat(),
            "before": _totals(impact.before.forward),
            "after": _totals(impact.after.forward),
            "changes": [_difference(d) for d in impact.forward],
        },
        "replay": {
            "from": impact.replay_start.isoformat(),
            "to": impact.replay_end.isoformat(),
            "before": {**_totals(impact.before.replay), "currencies": _figures(impact.before)},
            "after": {**_totals(impact.after.replay), "currencies": _figures(impact.after)},
            "changes": [_difference(d) for d in impact.replay],
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _weeks(impact: Impact) -> int:
    return ((impact.replay_end - impact.replay_start).days + 1) // 7


def _fees(actions: Sequence[Action]) -> dict[str, Decimal]:
    fees: dict[str, Decimal] = {}
    for a in actions:
        if a.kind == "late_fee" and a.currency and a.amount is not None:
            fees[a.currency] = fees.get(a.currency, Decimal(0)) + a.amount
    return fees


def _count(actions: Sequence[Action], kind: str) -> int:
    return sum(a.kind == kind for a in actions)


def _totals(actions: Sequence[Action]) -> dict[str, Any]:
    return {
        "messages": _count(actions, "message"),
        "escalations": _count(actions, "escalation"),
        "late_fees": {c: money_str(v, c) for c, v in sorted(_fees(actions).items())},
    }


def _summary(before: Sequence[Action], after: Sequence[Action], extra: Sequence[tuple[str, str, str]]) -> str:
    rows = [
        (f"{kind}s", str(_count(before, kind)), str(_count(after, kind)))
        for kind in ("message", "escalation")
    ]
    fees_before, fees_after = _fees(before), _fees(after)
    for currency in sorted(fees_before.keys() | fees_after.keys()):
        rows.append(
            (
                f"late fees {currency}",
                money_str(fees_before.get(currency, Decimal(0)), currency),
                money_str(fees_after.get(currency, Decimal(0)), currency),
            )
        )
    rows.extend(extra)
    return _indent(text_table(("", "before", "after"), rows, right=(1, 2)).splitlines())


def _figure_rows(before: Side, after: Side) -> list[tuple[str, str, str]]:
    rows = []
    for old, new in zip(before.figures, after.figures, strict=True):
        rows.append((f"{old.currency} DSO", _plain(old.dso), _plain(new.dso)))
        rows.append((f"{old.currency} on-time rate", _plain(old.on_time_rate), _plain(new.on_time_rate)))
    return rows


def _figures(side: Side) -> dict[str, Any]:
    return {
        m.currency: {
            "receivable": money_str(m.receivable, m.currency),
            "dso": _number(m.dso),
            "on_time_rate": _number(m.on_time_rate),
        }
        for m in side.figures
    }


def _plain(value: Decimal | None) -> str:
    return "null" if value is None else str(value)


def _changes(differences: Sequence[Difference]) -> list[str]:
    if not differences:
        return ["  no change"]
    rows = [(_day(d), d.invoice, _what(d), _how(d)) for d in differences]
    count = f"  {len(differences)} change{'s' if len(differences) != 1 else ''}:"
    return [count, _indent(text_table(("date", "invoice", "what", "change"), rows).splitlines())]


def _indent(lines: Sequence[str]) -> str:
    return "\n".join(f"  {line}".rstrip() for line in lines)


def _day(d: Difference) -> str:
    return min(a.day for a in (d.before, d.after) if a is not None).isoformat()


def _what(d: Difference) -> str:
    action = d.after or d.before  # what will happen; what happened before is in the change
    assert action is not None
    if d.kind == "late_fee":
        return f"late fee {money_str(action.amount or Decimal(0), action.currency or '')} {action.currency}"
    return f"{d.kind} {d.stage}"


def _how(d: Difference) -> str:
    if d.change == "moved" and d.before and d.after:
        moved = f"moved {d.before.day.isoformat()} -> {d.after.day.isoformat()}"
        if d.before.amount != d.after.amount and d.before.amount is not None:
            return f"{moved}, was {money_str(d.before.amount, d.before.currency or '')}"
        return moved
    if d.change == "changed" and d.before and d.after and d.after.amount is not None:
        return f"amount -> {money_str(d.after.amount, d.after.currency or '')}"
    if d.change == "added":
        return "new in these days"
    return "no longer in these days"


def _difference(d: Difference) -> dict[str, Any]:
    action = d.before or d.after
    assert action is not None
    return {
        "change": d.change,
        "kind": d.kind,
        "invoice": d.invoice,
        "stage": d.stage,
        "before": _iso(d.before.day if d.before else None),
        "after": _iso(d.after.day if d.after else None),
        "amount_before": _money(d.before),
        "amount_after": _money(d.after),
        "currency": action.currency,
    }


def _money(action: Action | None) -> str | None:
    if action is None or action.amount is None:
        return None
    return money_str(action.amount, action.currency or "")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
