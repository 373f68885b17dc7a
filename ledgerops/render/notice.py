"""The founder's emails: an alert about one case, and the weekly digest. Short, readable on
a phone (lists, no wide tables), composed by the same code as client emails."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

import jinja2

from ledgerops.core.amounts import balance, invoice_total
from ledgerops.core.model import Ledger
from ledgerops.core.notices import BROKEN_PROMISE, Notice, NotifyResult
from ledgerops.core.review import WeeklyReview
from ledgerops.render.email import Headers, compose, message_id, render_parts
from ledgerops.render.invoice_values import _lines
from ledgerops.render.issue import BROKEN_PROMISE as BROKEN_PROMISE_TODO
from ledgerops.render.issue import WHAT_TO_DO
from ledgerops.render.report import _METRIC_NAMES, _alert_value, _delta, _dso_cell, _money, _signed

ALERT_TEMPLATE = "email/alert.md.j2"
DIGEST_TEMPLATE = "email/digest.md.j2"
WAITING_TEMPLATE = "email/waiting.md.j2"
HEARTBEAT_TEMPLATE = "email/heartbeat.md.j2"
WAITS = {  # why an approved draft waits, in a subject
    "send-on-hold": "on hold",
    "send-open-exception": "paused by a case",
    "send-po-missing": "no PO number",
    "send-stale-draft": "the draft is too old",
}
WHY = {
    "dispute": "Dispute",
    "payment_failed": "Failed payment",
    "delivery_unknown": "Delivery unknown",
    "final_escalation": "Final escalation",
    BROKEN_PROMISE: "Broken promise to pay",
}
Link = Callable[[str], str | None]  # a ledger path -> its URL on GitHub, or None


def notice_id(notice: Notice, sender_email: str) -> str:
    """Deterministic: the same notice never leaves under two ids; a changed case gets a new one."""
    if notice.kind == "digest":
        return message_id(notice.week, "digest", sender_email)
    if notice.kind == "waiting":
        return message_id(f"{notice.invoice}.{notice.why}", "waiting", sender_email)
    if notice.kind == "heartbeat":
        return message_id(f"daily-run-{notice.since}", "heartbeat", sender_email)
    return message_id(notice.key, f"alert-{notice.digest}", sender_email)


def notice_email(
    env: jinja2.Environment,
    ledger: Ledger,
    notice: Notice,
    now: datetime,
    link: Link,
    review: WeeklyReview | None = None,
) -> EmailMessage:
    policy = ledger.policy
    if notice.kind == "digest":
        assert review is not None
        values = digest_values(ledger, review, link)
        parts = render_parts(env, DIGEST_TEMPLATE, values)
    elif notice.kind == "waiting":
        parts = render_parts(env, WAITING_TEMPLATE, waiting_values(ledger, notice, link))
    elif notice.kind == "heartbeat":
        parts = render_parts(env, HEARTBEAT_TEMPLATE, heartbeat_values(ledger, notice, now.date()))
    else:
        parts = render_parts(env, ALERT_TEMPLATE, alert_values(ledger, notice, now.date(), link))
    headers = Headers(
        policy.company.name,
        policy.company.email,
        (policy.notify_email,),
        (),
        notice_id(notice, policy.company.email),
        now,
    )
    return compose(parts, headers)


def _company(ledger: Ledger) -> dict[str, Any]:
    company = ledger.policy.company
    return {
        "name": company.name,
        "email": company.email,
        "address_lines": _lines(company.address),
        "tax_id": company.tax_id,
    }


def alert_values(ledger: Ledger, notice: Notice, today: date, link: Link) -> dict[str, Any]:
    case = notice.case
    assert case is not None
    invoice = next((inv for inv in ledger.invoices if inv.id == case.invoice), None)
    client = ledger.clients.get(invoice.client) if invoice else None
    todo = (
        BROKEN_PROMISE_TODO
        if notice.why == BROKEN_PROMISE
        else WHAT_TO_DO.get(case.reason, WHAT_TO_DO["other"])
    )
    return {
        "company": _company(ledger),
        "why": WHY.get(notice.why, notice.why.replace("_", " ").capitalize()),
        "case": {
            "id": case.id,
            "opened_at": case.opened_at.isoformat(),
            "source": case.source or "unknown",
            "note": " ".join((case.note or "").split()),
            "until": case.until.isoformat() if case.until else None,
        },
        "invoice": {
            "id": case.invoice,
            "client": client.name if client else (invoice.client if invoice else "unknown client"),
            "amount_due": f"{_money(balance(invoice, today), invoice.currency)} {invoice.currency}"
            if invoice
            else "unknown",
            "due_date": invoice.due_date.isoformat() if invoice else "unknown",
        },
        "what_to_do": todo,
        "link": link(case.path),
    }


def waiting_values(ledger: Ledger, notice: Notice, link: Link) -> dict[str, Any]:
    invoice = next((inv for inv in ledger.invoices if inv.id == notice.invoice), None)
    client = ledger.clients.get(invoice.client) if invoice else None
    total = f"{_money(invoice_total(invoice), invoice.currency)} {invoice.currency}" if invoice else "unknown"
    return {
        "company": _company(ledger),
        "why": WAITS.get(notice.why, notice.why),
        "detail": notice.detail if notice.detail.endswith((".", ")")) else notice.detail + ".",
        "fix": notice.fix,
        "invoice": {
            "id": notice.invoice,
            "client": client.name if client else (invoice.client if invoice else "unknown client"),
            "total": total,
        },
        "link": link(invoice.path) if invoice else None,
    }


def heartbeat_values(ledger: Ledger, notice: Notice, today: date) -> dict[str, Any]:
    assert notice.since is not None
    return {
        "company": _company(ledger),
        "since": notice.since.isoformat(),
        "days": (today - notice.since).days,
        "limit": ledger.policy.notify.heartbeat_days,
    }


def digest_values(ledger: Ledger, review: WeeklyReview, link: Link) -> dict[str, Any]:
    previous = review.previous
    headline = []
    for m in review.currencies:
        before = previous.currency(m.currency) if previous else None
        dso = _signed(_delta(m.dso, before.dso if before else None), "days")
        rate = "–" if m.on_time_rate is None else f"{(m.on_time_rate * 100):.0f} %"
        rate_change = _signed(_delta(m.on_time_rate, before.on_time_rate if before else None), "pp")
        headline.append(
            f"{m.currency}: DSO {_dso_cell(m.dso)} days ({dso}), on time {rate} ({rate_change}), "
            f"receivable {_money(m.receivable, m.currency)}, overdue {_money(m.overdue, m.currency)}"
        )
    drift = [
        f"{a.currency} {_METRIC_NAMES[a.metric]} " + " → ".join(_alert_value(a.metric, v) for v in a.values)
        for a in review.alerts
    ]
    clients = {inv.id: inv.client for inv in ledger.invoices}
    names = {cid: c.name for cid, c in ledger.clients.items()}
    queue = [
        f"{e.age_days} days: {e.case.invoice} ({names.get(clients.get(e.case.invoice or '', ''), e.client or '?')}), "
        f"{e.case.reason.replace('_', ' ')}{', promise broken' if e.broken_promise else ''} ({e.case.id})"
        for e in review.queue
    ]
    awaiting = [
        f"{a.invoice} ({names.get(a.client, a.client)}): {a.stage}, {a.days_past_due} days past due, "
        f"{_money(a.balance, a.currency)} {a.currency}"
        for a in review.awaiting
    ]
    report_path = f"reports/weekly/{review.week}.md"
    return {
        "company": _company(ledger),
        "week": review.week,
        "as_of": review.as_of.isoformat(),
        "headline_subject": _subject(review),
        "headline": headline,
        "drift": drift,
        "queue": queue,
        "awaiting": awaiting,
        "sent": sent_this_week(ledger, review.week_start, review.as_of),
        "report_path": report_path,
        "link": link(report_path),
    }


def _subject(review: WeeklyReview) -> str:
    cases = len(review.queue)
    parts = [f"{cases} open case{'' if cases == 1 else 's'}"]
    parts += [f"DSO {m.currency} {_dso_cell(m.dso)}" for m in review.currencies]
    if review.alerts:
        parts.append("drift alert")
    return ", ".join(parts)


def sent_this_week(ledger: Ledger, start: date, end: date) -> list[str]:
    """Invoices and reminders the mail server accepted from `start` to `end`, in order."""
    rows: list[tuple[str, str]] = []
    for inv in ledger.invoices:
        if inv.sent_at is not None and start <= inv.sent_at.date() <= end:
            rows.append((inv.sent_at.date().isoformat(), f"{inv.id} invoice email to {inv.client}"))
        for reminder in inv.reminders:
            if start <= reminder.sent_at.date() <= end:
                rows.append((reminder.sent_at.date().isoformat(), f"{inv.id} reminder {reminder.stage}"))
    return [f"{day}: {text}" for day, text in sorted(rows)]


# --- what the command prints -------------------------------------------------------------
def notify_text(result: NotifyResult) -> str:
    head = "dry run, nothing sent" if result.dry_run else f"to {result.to}"
    lines = [f"notify {head}"]
    for item in result.items:
        lines.append(f"  {item['status']}: {item['kind']} {item['key']}: {item['subject']}")
    if not result.items:
        lines.append("  nothing to send")
    return "\n".join(lines) + "\n"


def notify_json(result: NotifyResult) -> str:
    return json.dumps({"dry_run": result.dry_run, "to": result.to, "notices": result.items}, indent=2) + "\n"
