"""What `draft`, `send`, `pay` and `void` did: a few lines for people, JSON for programs."""

from __future__ import annotations

import json
from typing import Any

from ledgerops.core.amounts import invoice_total
from ledgerops.core.credits import Credited
from ledgerops.core.diagnostics import Diagnostic
from ledgerops.core.drafting import DraftResult
from ledgerops.core.model import Invoice
from ledgerops.core.money import money_str
from ledgerops.core.payments import Recorded
from ledgerops.core.saved import Saved
from ledgerops.core.sending import SendReport
from ledgerops.render.output import diagnostics_text
from ledgerops.render.tables import text_table


def _json(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _diagnostics(diagnostics: tuple[Diagnostic, ...]) -> list[dict[str, Any]]:
    return [
        {"file": d.source.path, "line": d.source.line, "column": d.source.col, "code": d.code,
         "severity": d.severity, "message": d.message}
        for d in diagnostics
    ]  # fmt: skip


# --- send ---------------------------------------------------------------------------------
def send_json(report: SendReport) -> str:
    """Invoices by the number the client sees (in a dry run: the number a draft would take
    now), with the draft each came from."""
    payload = {
        "today": report.today.isoformat(),
        "dry_run": report.dry_run,
        "transport": report.transport,
        "send": [
            {"invoice": report.number(o.invoice), "draft": _draft_of(o.invoice), "client": o.invoice.client,
             "to": list(o.to), "cc": list(o.cc), "total": money_str(o.total, o.invoice.currency),
             "currency": o.invoice.currency, "due_date": o.invoice.due_date.isoformat()}
            for o in report.plan.send
        ],
        "blocked": [
            {"invoice": b.invoice.id, "code": b.reason.code, "reason": b.reason.message} for b in report.plan.blocked
        ],
        "sent": [
            {"invoice": report.number(d.invoice), "draft": _draft_of(d.invoice),
             "sent_at": d.sent_at.isoformat() if d.sent_at else None, "message_id": d.message_id}
            for d in report.deliveries if d.status == "accepted"
        ],
        "failed": [
            {"invoice": report.number(d.invoice), "draft": _draft_of(d.invoice), "status": d.status,
             "code": "send-unknown" if d.status == "unknown" else "send-failed",
             "detail": d.detail, "retry": d.retry, "exception": d.case}
            for d in report.deliveries if d.status != "accepted"
        ],
        "skipped": [{"invoice": invoice, "detail": why} for invoice, why in report.left],
        "exceptions_opened": [case.id for case in report.opened],
        "errors": list(report.errors),
        "recovered": list(report.recovered),
        "commit": report.commit,
    }  # fmt: skip
    return _json(payload)


def _draft_of(invoice: Invoice) -> str | None:
    return invoice.drafted_as or (None if invoice.numbered else invoice.id)


def send_text(report: SendReport) -> str:
    rows = []
    delivered = {d.invoice.id: d for d in report.deliveries}
    left = dict(report.left)
    for outgoing in report.plan.send:
        invoice = outgoing.invoice
        amount = f"{money_str(outgoing.total, invoice.currency)} {invoice.currency}"
        delivery = delivered.get(invoice.id)
        number = report.number(invoice)
        if delivery is not None:
            what, detail = _delivery_words(delivery.status, delivery.detail, delivery.retry, delivery.case)
        elif report.dry_run:
            what, detail = "would send", ""
        elif invoice.id in left:
            what, detail = "skipped", left[invoice.id]
        else:
            what, detail = "not tried", ""
        if number != invoice.id:
            detail = "; ".join(
                filter(
                    None, [f"{'would be issued' if report.dry_run else 'issued'} from {invoice.id}", detail]
                )
            )
        rows.append((what, number, invoice.client, ", ".join(outgoing.to), amount, detail))
    for blocked in report.plan.blocked:
        rows.append(("blocked", blocked.invoice.id, blocked.invoice.client, "", "",
                     f"{blocked.reason.code}: {blocked.reason.message}"))  # fmt: skip
    out = [
        f"send on {report.today} via {report.transport}{' (dry run: nothing sent or written)' if report.dry_run else ''}"
    ] + [f"recovered: {what}" for what in report.recovered]
    if rows:
        out.append(
            text_table(("", "invoice", "client", "to", "total", "note"), rows, right=(4,)).rstrip("\n")
        )
    else:
        out.append("no approved invoice waits to be sent")
    shown = {d.case for d in report.deliveries}
    out += [
        f"opened {case.id} ({case.reason}) for {case.invoice}: a run stopped before recording its email; "
        "it is recorded as sent, and the case asks a person to check"
        for case in report.opened
        if case.id not in shown
    ]
    out += [f"error: {error}" for error in report.errors]
    if report.commit:
        out.append(f"committed {report.commit[:10]}")
    return "\n".join(out) + "\n"


def _delivery_words(status: str, detail: str, retry: bool, case: str | None) -> tuple[str, str]:
    if status == "accepted":
        return "sent", ""
    if status == "unknown":
        return "unknown", f"{detail}; recorded as sent, and {case} asks a person to check" if case else detail
    if status == "not_sent":
        return "not sent", f"{detail} ({'tried again next time' if retry else 'fix this, then send again'})"
    return "failed", detail


# --- draft --------------------------------------------------------------------------------
def draft_json(result: DraftResult) -> str:
    invoice = result.invoice
    payload: dict[str, Any] = {"status": result.status, "invoice": invoice.id if invoice else None,
                               "path": result.path, "notes": list(result.notes), "ignored": result.ignored,
                               "diagnostics": _diagnostics(result.problems)}  # fmt: skip
    if invoice is not None:
        payload.update(
            client=invoice.client,
            project=invoice.project,
            milestone=invoice.milestone,
            issue_date=invoice.issue_date.isoformat(),
            due_date=invoice.due_date.isoformat(),
            total=money_str(invoice_total(invoice), invoice.currency),
            currency=invoice.currency,
            hold=invoice.hold,
            needs_review=result.needs_review,
        )
    return _json(payload)


def draft_github(result: DraftResult) -> str:
    """Step outputs in $GITHUB_OUTPUT's format, so the workflow needs no JSON parser: what
    happened, the draft's id and path, whether it needs a review, and the text for people."""
    invoice = result.invoice
    fields = {
        "status": result.status,
        "invoice": invoice.id if invoice else "",
        "path": result.path or "",
        "needs_review": "true" if result.needs_review else "false",
    }
    text = draft_text(result)
    delimiter = "LEDGEROPS_EOF"
    while delimiter in text:  # a delimiter must not occur in the value
        delimiter += "_"
    lines = [f"{key}={value}" for key, value in fields.items()]
    return "\n".join([*lines, f"summary<<{delimiter}", text.rstrip("\n"), delimiter]) + "\n"


def draft_text(result: DraftResult) -> str:
    invoice = result.invoice
    if result.status == "ignored":
        return f"nothing to draft: {result.ignored}\n"
    if result.status == "invalid" or invoice is None:
        return diagnostics_text(result.problems)
    what = f"{invoice.client} {invoice.project}/{invoice.milestone}"
    if result.status == "exists":
        return f"{what} is already invoiced by {invoice.id} ({result.path}); nothing was written\n"
    total = f"{money_str(invoice_total(invoice), invoice.currency)} {invoice.currency}"
    lines = [
        f"drafted {invoice.id} for {what}: {total}, dated {invoice.issue_date}, due {invoice.due_date}",
        f"  wrote {result.path} (not committed: open a pull request to have it approved)",
    ]
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


# --- pay and void -------------------------------------------------------------------------
def recorded_text(result: Recorded, what: str) -> str:
    invoice = result.invoice
    if not result.written:
        return diagnostics_text(result.problems)
    out = []
    if what == "pay":
        left = result.balance if result.balance is not None else invoice_total(invoice)
        state = "paid in full" if left <= 0 else "still due"
        out.append(f"recorded the payment on {invoice.id}; balance {money_str(left, invoice.currency)} "
                   f"{invoice.currency} ({state})")  # fmt: skip
    else:
        out.append(f"voided {invoice.id}")
    out += [f"warning {d.code}: {d.message}" for d in result.problems]
    out += saved_lines(result.saved)
    return "\n".join(out) + "\n"


def credited_text(result: Credited) -> str:
    if not result.written:
        return diagnostics_text(result.problems)
    note, invoice = result.note, result.invoice
    currency = invoice.currency
    out = [f"wrote {note.path}: credits {money_str(invoice_total(note), currency)} {currency} on "
           f"{invoice.id} ({note.reason}); it counts from {note.issue_date} and is a draft until it is issued"]  # fmt: skip
    left = result.balance
    if left is not None and left < 0:
        out.append(f"{invoice.id}: {money_str(-left, currency)} {currency} to refund to the client")
    elif left is not None:
        out.append(f"{invoice.id}: balance {money_str(left, currency)} {currency}")
    return "\n".join(out) + "\n"


def saved_lines(saved: Saved) -> list[str]:
    """What a person's command says on stdout about its commit (a failed push: on stderr)."""
    if saved.commit is None:
        return []
    line = f"committed {saved.commit[:10]} as {saved.author}"
    return [line + (f"; pushed to {saved.pushed_to}" if saved.pushed_to else "")]
