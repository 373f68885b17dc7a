"""The reminder plan and the run summary: a table for people, JSON for programs (docs/spec.md §9.2)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ledgerops.core.money import money_str
from ledgerops.core.schedule import Escalate, LateFeeDue, ReminderPlan, Send
from ledgerops.render.tables import text_table


@dataclass(frozen=True)
class Sent:
    """One message a run handled, as the summary shows it."""

    invoice: str
    stage: str  # a reminder stage, or "invoice"
    to: str
    subject: str
    amount_due: str
    currency: str
    status: str  # accepted | not_sent | unknown
    message_id: str
    detail: str = ""
    draft: str | None = None  # an invoice email: the draft it was issued from in this run


@dataclass(frozen=True)
class Waiting:
    """An approved draft the run did not send: the diagnostic code and words of why."""

    invoice: str
    code: str
    reason: str


def waiting_payload(waiting: Sequence[Waiting]) -> list[dict[str, str]]:
    return [{"invoice": w.invoice, "code": w.code, "reason": w.reason} for w in waiting]


def waiting_lines(waiting: Sequence[Waiting]) -> list[str]:
    return [f"  waiting   {w.invoice}  {w.code}: {w.reason}" for w in waiting]


@dataclass(frozen=True)
class RunSummary:
    plan: ReminderPlan  # what was due before the run acted: its `skipped` is reported
    sent: tuple[Sent, ...]
    escalated: tuple[Escalate, ...]
    late_fees: tuple[LateFeeDue, ...]
    opened: tuple[str, ...]  # exception ids
    errors: tuple[tuple[str, str, str], ...]  # (invoice, stage, detail)
    waiting: tuple[Waiting, ...] = ()  # approved drafts that were not sent, and why
    recovered: tuple[str, ...] = ()  # what the run put right in this clone after a killed run

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.status == "accepted" for s in self.sent)


def _send_row(item: Send, subject: str) -> dict[str, Any]:
    return {
        "invoice": item.invoice,
        "stage": item.stage,
        "to": ", ".join(item.to),
        "subject": subject,
        "amount_due": money_str(item.amount_due, item.currency),
        "currency": item.currency,
        "cc": list(item.cc),
        "due_date": item.due_date.isoformat(),
        "segment": item.segment,
    }


def plan_payload(plan: ReminderPlan, subjects: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """docs/spec.md §9.2: {today, send, escalate, late_fees, skipped}; extra keys are allowed."""
    return {
        "today": plan.today.isoformat(),
        "send": [_send_row(s, subjects.get((s.invoice, s.stage), "")) for s in plan.send],
        "escalate": [{"invoice": e.invoice, "stage": e.stage} for e in plan.escalate],
        "late_fees": [
            {"invoice": f.invoice, "amount": money_str(f.amount, f.currency), "currency": f.currency}
            for f in plan.late_fees
        ],
        "skipped": [
            {"invoice": s.invoice, "reason": s.reason, **({"stage": s.stage} if s.stage else {})}
            for s in plan.skipped
        ],
    }


def preview_json(plan: ReminderPlan, messages: Sequence[Sent], waiting: Sequence[Waiting] = ()) -> str:
    """The plan (docs/spec.md §9.2), plus `invoices`: the invoice emails a run would send
    first, and `waiting`: the approved drafts it would not send, and why."""
    payload = plan_payload(plan, {(m.invoice, m.stage): m.subject for m in messages})
    invoices = [_sent_row(m) for m in messages if m.stage == "invoice"]
    if invoices:
        payload["invoices"] = invoices
    if waiting:
        payload["waiting"] = waiting_payload(waiting)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def preview_text(plan: ReminderPlan, messages: Sequence[Sent], waiting: Sequence[Waiting] = ()) -> str:
    subjects = {(m.invoice, m.stage): m.subject for m in messages}
    head = [
        (f"send {m.invoice} invoice email", f"{m.amount_due} {m.currency} to {m.to}: {m.subject}"
         + (f" (issued from {m.draft}; the number is taken when it is sent)" if m.draft else ""))
        for m in messages
        if m.stage == "invoice"
    ]  # fmt: skip
    lines = "".join(f"{what}  {details}\n" for what, details in head)
    lines += "".join(f"{line.strip()}\n" for line in waiting_lines(waiting))
    return lines + plan_text(plan, subjects)


def plan_text(plan: ReminderPlan, subjects: Mapping[tuple[str, str], str]) -> str:
    rows = [
        ("send", s.invoice, s.stage, f"{money_str(s.amount_due, s.currency)} {s.currency}",
         f"to {', '.join(s.to)}: {subjects.get((s.invoice, s.stage), '')}")
        for s in plan.send
    ]  # fmt: skip
    rows += [
        ("escalate", e.invoice, e.stage, "", "opens a final_escalation exception") for e in plan.escalate
    ]
    rows += [
        ("late fee", f.invoice, "", f"{money_str(f.amount, f.currency)} {f.currency}", "recorded today")
        for f in plan.late_fees
    ]
    rows += [("skip", s.invoice, s.stage or "", "", s.reason) for s in plan.skipped]
    header = f"reminders for {plan.today.isoformat()}\n"
    return header + text_table(("action", "invoice", "stage", "amount", "details"), rows, right=(3,))


def _sent_row(item: Sent) -> dict[str, Any]:
    row: dict[str, Any] = {
        "invoice": item.invoice, "stage": item.stage, "to": item.to, "subject": item.subject,
        "amount_due": item.amount_due, "currency": item.currency, "status": item.status,
        "message_id": item.message_id, "detail": item.detail,
    }  # fmt: skip
    if item.stage == "invoice":
        row["draft"] = item.draft
    return row


def summary_payload(summary: RunSummary) -> dict[str, Any]:
    """The plan's shape, holding what the run actually did, plus its outcome."""
    done = replace(summary.plan, send=(), escalate=summary.escalated, late_fees=summary.late_fees)
    payload = plan_payload(done, {})
    accepted = [s for s in summary.sent if s.status == "accepted"]
    payload["send"] = [_sent_row(s) for s in accepted if s.stage != "invoice"]
    payload["invoices"] = [_sent_row(s) for s in accepted if s.stage == "invoice"]
    # A draft whose invoice email this run sent is no longer a skipped draft.
    sent_now = {row["invoice"] for row in payload["invoices"]} | {row["draft"] for row in payload["invoices"]}
    explained = sent_now | {w.invoice for w in summary.waiting}  # a waiting draft says why, below
    payload["skipped"] = [row for row in payload["skipped"] if row["invoice"] not in explained]
    payload["waiting"] = waiting_payload(summary.waiting)
    payload["recovered"] = list(summary.recovered)
    payload["exceptions_opened"] = list(summary.opened)
    payload["errors"] = [
        {"invoice": s.invoice, "stage": s.stage, "status": s.status, "detail": s.detail}
        for s in summary.sent
        if s.status != "accepted"
    ] + [{"invoice": i, "stage": st, "status": "error", "detail": d} for i, st, d in summary.errors]
    payload["ok"] = summary.ok
    return payload


def summary_json(summary: RunSummary) -> str:
    return json.dumps(summary_payload(summary), indent=2, ensure_ascii=False) + "\n"


def summary_text(summary: RunSummary) -> str:
    payload = summary_payload(summary)
    lines = [f"run for {payload['today']}"] + [f"  recovered {what}" for what in summary.recovered]
    for row in payload["invoices"]:
        issued = f" (issued from {row['draft']})" if row["draft"] else ""
        lines.append(f"  sent      {row['invoice']}  invoice email to {row['to']}{issued}")
    for row in payload["send"]:
        lines.append(
            f"  sent      {row['invoice']}  {row['stage']}, {row['amount_due']} {row['currency']} to {row['to']}"
        )
    for row in payload["escalate"]:
        lines.append(f"  escalated {row['invoice']}  {row['stage']} (exception for a person)")
    for row in payload["late_fees"]:
        lines.append(f"  late fee  {row['invoice']}  {row['amount']} {row['currency']}")
    lines += waiting_lines(summary.waiting)
    lines += _skipped_lines(payload["skipped"])
    if payload["exceptions_opened"]:
        lines.append(f"  opened    {', '.join(payload['exceptions_opened'])}")
    for row in payload["errors"]:
        lines.append(f"  FAILED    {row['invoice']}  {row['stage']}: {row['status']}: {row['detail']}")
    lines.append("ok" if payload["ok"] else f"{len(payload['errors'])} failed")
    return "\n".join(lines) + "\n"


def _skipped_lines(skipped: Sequence[dict[str, Any]]) -> list[str]:
    by_reason: dict[str, list[str]] = {}
    for row in skipped:
        by_reason.setdefault(row["reason"], []).append(row["invoice"])
    return [f"  skipped   {reason}: {', '.join(ids)}" for reason, ids in by_reason.items()]
