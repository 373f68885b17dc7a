"""A case as the Markdown of its GitHub issue, and the comments the sync writes.

Everything shown comes from the case file and its invoice, never from the clock, so an
unchanged case renders the same text and its issue is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ledgerops.core.issues import CaseFacts, SyncResult

# What the person does about each reason; the last step is always the same: the pull request.
WHAT_TO_DO = {
    "po_mismatch": "Get the right PO number from the client, correct the invoice (or void it and draft again).",
    "legal_review": "Wait for, or chase, the client's legal review; note what they asked for.",
    "procurement": "Find out what the client's procurement needs (supplier form, portal upload) and provide it.",
    "payment_failed": "Ask the client why the payment failed and how they will pay instead.",
    "dispute": "Talk to the client about what they dispute; agree a correction, a credit note or a date.",
    "promise_to_pay": "Check that the promised payment arrived; if not, call the client.",
    "delivery_unknown": "Check the mail server's log: was the email delivered? The case note says what to undo if not.",
    "final_escalation": "No automatic email goes out any more: write or call the client yourself.",
    "other": "Read the note and decide what happens next.",
}
BROKEN_PROMISE = (
    "The promise to pay expired and the invoice is still unpaid: reminders have resumed. Call the client."
)


def body(facts: CaseFacts, link: Callable[[str], str]) -> str:
    """The issue body: facts, reminder history, the case note, links, what to do."""
    case, invoice = facts.case, facts.invoice
    client = facts.client.name if facts.client else (invoice.client if invoice else "unknown")
    lines = [
        f"**{case.id}**: {case.reason.replace('_', ' ')} on **{case.invoice}** for {client.rstrip('.')}.",
        "",
        "| | |",
        "|---|---|",
        f"| Case | [{case.id}]({link(case.path)}) ({case.status}) |",
        f"| Reason | `{case.reason}` |",
        f"| Opened | {case.opened_at} by {_cell(case.source or 'unknown')} |",
    ]
    if case.until is not None:
        lines.append(f"| Paused through | {case.until} |")
    if invoice is not None:
        lines += [
            f"| Invoice | [{invoice.id}]({link(invoice.path)}) |",
            f"| Amount due | {facts.amount_due} {facts.currency} |",
            f"| Issued / due | {invoice.issue_date} / {invoice.due_date} |",
        ]
        if invoice.po_number:
            lines.append(f"| PO | {_cell(invoice.po_number)} |")
    if facts.client is not None:
        lines.append(f"| Client | [{_cell(facts.client.name)}]({link(facts.client.path)}) |")
    lines += ["", "### Note", "", _quote(case.note or "(no note)")]
    lines += ["", "### Reminders sent", ""]
    if facts.reminders:
        lines += [f"- {r.sent_at.date()}: `{r.stage}`" for r in facts.reminders]
    else:
        lines.append("None.")
    if case.status == "resolved":
        lines += [
            "",
            "### Resolution",
            "",
            f"Resolved on {case.resolved_at}:",
            "",
            _quote(case.resolution or ""),
        ]
    else:
        todo = BROKEN_PROMISE if facts.promise_broken else WHAT_TO_DO.get(case.reason, WHAT_TO_DO["other"])
        lines += [
            "",
            "### What to do",
            "",
            f"1. {todo}",
            f"2. Resolve the case in a pull request: `ledgerops exception resolve {case.id} "
            '--resolution "what was decided"`. Merging it resolves the case and closes this issue; '
            "closing the issue by hand does not.",
        ]
    return "\n".join(lines) + "\n"


def resolved_comment(facts: CaseFacts) -> str:
    case = facts.case
    return f"Resolved in the ledger on {case.resolved_at}: {case.resolution}\n\nClosing this issue."


def reopened_comment(facts: CaseFacts) -> str:
    case = facts.case
    return (
        f"Re-opened: {case.id} is still open in the ledger, and git is the source of truth. "
        "Closing this issue does not resolve the case; resolving is approved by merging the case "
        f'file: `ledgerops exception resolve {case.id} --resolution "..."` in a pull request. '
        "Once that is merged, the next sync closes this issue with the resolution."
    )


def duplicate_comment(keep: int) -> str:
    return f"Duplicate of #{keep}: two syncs overlapped and opened this one too. Closing it."


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines()) or ">"


# --- what the command prints -------------------------------------------------------------
_SAID = {
    "create": "opened",
    "update": "updated",
    "close": "closed (resolved)",
    "reopen": "re-opened (closed by hand, case still open)",
    "duplicate": "closed as duplicate",
    "found": "already opened by another sync",
}
_WOULD = {
    "create": "would open",
    "update": "would update",
    "close": "would close (resolved)",
    "reopen": "would re-open (closed by hand, case still open)",
    "duplicate": "would close as duplicate",
}


def sync_text(result: SyncResult) -> str:
    said = _WOULD if result.dry_run else _SAID
    lines = [f"{result.repository}: {'dry run, nothing written' if result.dry_run else 'issues synced'}"]
    for done in result.done:
        issue = f"#{done.number}" if done.number is not None else "a new issue"
        lines.append(f"  {done.case_id}: {said.get(done.kind, done.kind)} {issue} {done.url}".rstrip())
    lines.append(f"  {len(result.unchanged)} unchanged; {result.writes} write request(s)")
    return "\n".join(lines) + "\n"


def sync_json(result: SyncResult) -> str:
    data = {
        "repository": result.repository,
        "dry_run": result.dry_run,
        "actions": [
            {"action": d.kind, "case": d.case_id, "issue": d.number, "url": d.url} for d in result.done
        ],
        "unchanged": [{"case": case, "issue": number} for case, number in result.unchanged],
        "writes": result.writes,
    }
    return json.dumps(data, indent=2) + "\n"
