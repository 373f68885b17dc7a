"""`payments import` as text (one row per bank line) and as JSON."""

from __future__ import annotations

import json
from typing import Any

from ledgerops.core.bank import one_line
from ledgerops.core.matching import Outcome

_LISTS = {"applied": "matched", "partial": "matched", "over": "matched", "duplicate": "already_recorded",
          "unmatched": "unmatched", "ambiguous": "unmatched", "reported": "unmatched"}  # fmt: skip


def _line(outcome: Outcome) -> dict[str, Any]:
    line = outcome.line
    return {
        "line": line.id,
        "source": line.source,
        "status": outcome.status,
        "invoice": outcome.invoices[0] if len(outcome.invoices) == 1 else None,
        "invoices": list(outcome.invoices),
        "amount": str(line.amount),
        "currency": line.currency,
        "date": line.date.isoformat(),
        "kind": line.kind,
        "rule": outcome.rule,
        "evidence": outcome.evidence,
        "payer": line.counterparty,
        "iban": line.iban,
        "text": one_line(line.text),
        "recorded": [{"invoice": a.invoice, "amount": str(a.amount)} for a in outcome.payments],
    }


def import_json(result: Any) -> str:
    """Every line under `lines`, in statement order; then the short lists by outcome."""
    rows = [_line(o) for o in result.outcomes]
    out: dict[str, Any] = {"dry_run": result.dry_run, "lines": rows, "matched": [], "unmatched": [],
                           "already_recorded": []}  # fmt: skip
    for row in rows:
        group = _LISTS[row["status"]]
        if group == "matched":
            for part in row["recorded"]:
                out["matched"].append({"line": row["line"], "invoice": part["invoice"], "amount": part["amount"],
                                       "currency": row["currency"], "date": row["date"], "rule": row["rule"],
                                       "status": row["status"]})  # fmt: skip
        else:
            out[group].append({"line": row["line"], "amount": row["amount"], "currency": row["currency"],
                               "date": row["date"], "text": row["text"], "status": row["status"],
                               "invoices": row["invoices"]})  # fmt: skip
    opened = {case.source: case.id for case in result.opened}
    out["cases"] = [{"id": opened.get(c.source), "invoice": c.invoice, "reason": c.reason, "note": c.note}
                    for c in result.cases]  # fmt: skip
    out["written"] = list(result.written)
    out["moved"] = [{"from": source, "to": target} for source, target in result.moved]
    out["commit"] = result.saved.commit
    return _rows_json(out)


def _rows_json(payload: dict[str, Any]) -> str:
    """JSON with one object per line in each list: as readable as indent=2 for a statement of
    ten lines, and, for one of 10,000, encoded by json's C encoder (which indent turns off)."""
    parts = []
    for key, value in payload.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            rows = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            parts.append(f"  {name}: [\n    {rows}\n  ]")
        else:
            parts.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def import_text(result: Any) -> str:
    rows = []
    for o in result.outcomes:
        line = o.line
        target = ", ".join(o.invoices) or "-"
        rows.append(f"{o.status:<9}  {line.date}  {line.amount:>12} {line.currency}  {target:<15}  "
                    f"{o.rule or '-':<14}  {line.source}\n           {o.evidence}")  # fmt: skip
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no bank lines"
    verb = "would record" if result.dry_run else "recorded"
    recorded = sum(len(o.payments) for o in result.outcomes)
    tail = [
        f"{len(result.outcomes)} bank lines: {summary}; {verb} {recorded} payment{'s' if recorded != 1 else ''}"
    ]
    for case in result.cases:
        opened = next((c.id for c in result.opened if c.source == case.source), None)
        tail.append(
            f"{'opened ' + opened if opened else 'would open a case'} (unmatched_payment) for {case.invoice or 'no invoice'}"
        )
    tail += [f"moved {source} to {target}" for source, target in result.moved]
    if result.dry_run:
        tail.append("dry run: nothing was written")
    return "\n".join(rows + tail) + "\n"


def _sync_rows(result: Any) -> list[dict[str, Any]]:
    rows = []
    for outcome in result.outcomes:
        row = _line(outcome)
        rows.append({"object": row["line"], "event": row["source"].removeprefix("stripe "), "status": row["status"],
                     "invoice": row["invoice"], "amount": row["amount"], "currency": row["currency"],
                     "date": row["date"], "rule": row["rule"], "evidence": row["evidence"],
                     "hints": row["text"], "recorded": row["recorded"]})  # fmt: skip
    return rows


def sync_json(result: Any) -> str:
    """Each paid Stripe object under `payments`; the cases; the failures and disputes that
    name none of our invoices under `unrouted`; the cursor after the sync."""
    rows = _sync_rows(result)
    opened = {case.source: case.id for case in result.opened}
    cases = [{"id": opened.get(c.source), "invoice": c.invoice, "reason": c.reason, "note": c.note,
              "source": c.source} for c in result.cases]  # fmt: skip
    unrouted = [{"event": u.item.event, "type": u.item.type, "object": u.item.object_id,
                 "amount": str(u.item.amount), "currency": u.item.currency, "date": u.item.date.isoformat(),
                 "why": u.why} for u in result.unrouted]  # fmt: skip
    out: dict[str, Any] = {
        "dry_run": result.dry_run,
        "events": len(result.items),
        "payments": rows,
        "matched": [r for r in rows if _LISTS[r["status"]] == "matched"],
        "unmatched": [r for r in rows if _LISTS[r["status"]] == "unmatched"],
        "already_recorded": [r for r in rows if r["status"] == "duplicate"],
        "cases": cases,
        "unrouted": unrouted,
        "cursor": result.cursor,
        "written": list(result.written),
        "commit": result.saved.commit,
    }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def sync_text(result: Any) -> str:
    lines = []
    for row in _sync_rows(result):
        lines.append(f"{row['status']:<9}  {row['date']}  {row['amount']:>12} {row['currency']}  "
                     f"{row['invoice'] or '-':<15}  {row['rule'] or '-':<14}  {row['object']}\n"
                     f"           {row['evidence']}")  # fmt: skip
    for case in result.cases:
        opened = next((c.id for c in result.opened if c.source == case.source), None)
        lines.append(f"{'opened ' + opened if opened else 'would open a case'} ({case.reason}) for "
                     f"{case.invoice}: {case.note}")  # fmt: skip
    for u in result.unrouted:
        lines.append(
            f"not routed: {u.item.type} {u.item.object_id} ({u.item.amount} {u.item.currency}): {u.why}"
        )
    recorded = sum(len(o.payments) for o in result.outcomes)
    verb = "would record" if result.dry_run else "recorded"
    lines.append(f"{len(result.items)} Stripe events: {len(result.outcomes)} payments, {verb} {recorded}; "
                 f"{len(result.cases)} case{'s' if len(result.cases) != 1 else ''}")  # fmt: skip
    if result.dry_run:
        lines.append("dry run: nothing was written")
    return "\n".join(lines) + "\n"
