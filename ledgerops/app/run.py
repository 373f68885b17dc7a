"""`ledgerops run`: the daily job. Check (refuse on errors) -> send approved invoices ->
remind -> record and commit -> push; every email through the same claim -> send -> record
protocol, so each leaves at most once even when runs overlap or one is killed."""

from __future__ import annotations

from ledgerops.app import delivery, remind, send
from ledgerops.context import Context
from ledgerops.render.runreport import RunSummary


def run(ctx: Context, transport: str, push: bool) -> RunSummary:
    planner = remind.combine(send.InvoiceMessages(ctx), remind.reminder_messages(ctx))
    options = delivery.Options(
        push, delivery.transport_factory(ctx, transport), precondition=delivery.on_approval_branch(ctx)
    )
    state = delivery.run(ctx, options, planner)
    return remind.summarize(state)


def preview(ctx: Context) -> remind.Preview:
    return remind.preview(ctx, remind.combine(send.InvoiceMessages(ctx), remind.reminder_messages(ctx)))
