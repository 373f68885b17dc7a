"""`ledgerops run`: the daily job. Check (refuse on errors) -> send approved invoices ->
remind -> record and commit -> push; every email through the same claim -> send -> record
protocol, so each leaves at most once even when runs overlap or one is killed."""

from __future__ import annotations

from dataclasses import replace

from ledgerops.app import delivery, remind, send
from ledgerops.context import Context
from ledgerops.render.runreport import RunSummary, Waiting


def run(ctx: Context, transport: str | None, push: bool) -> RunSummary:
    transport = delivery.transport_kind(ctx, transport)
    invoices = send.InvoiceMessages(ctx)
    planner = remind.combine(invoices, remind.reminder_messages(ctx))
    options = delivery.Options(
        push, delivery.transport_factory(ctx, transport), precondition=delivery.on_approval_branch(ctx)
    )
    state = delivery.run(ctx, options, planner)
    return remind.summarize(state, _waiting(invoices))


def preview(ctx: Context) -> remind.Preview:
    invoices = send.InvoiceMessages(ctx)
    shown = remind.preview(ctx, remind.combine(invoices, remind.reminder_messages(ctx)))
    return replace(shown, waiting=_waiting(invoices))


def _waiting(invoices: send.InvoiceMessages) -> tuple[Waiting, ...]:
    """The approved drafts that waited all run long (PO missing, hold, case...), and why."""
    return tuple(
        Waiting(draft_id, blocked.reason.code, blocked.reason.message)
        for draft_id, blocked in invoices.blocked.items()
        if draft_id not in invoices.planned
    )
