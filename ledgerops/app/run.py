"""`ledgerops run`: the daily job. Check (refuse on errors) -> send approved invoices ->
remind -> record and commit -> push; every email through the same claim -> send -> record
protocol, so each leaves at most once even when runs overlap or one is killed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ledgerops.app import delivery, remind
from ledgerops.app.failures import expected_failures
from ledgerops.context import Context
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.money import money_str
from ledgerops.core.schedule import ReminderPlan
from ledgerops.errors import LedgeropsError
from ledgerops.render.reminders import RunSummary


def invoice_messages(ctx: Context) -> delivery.Planner:
    """Approved, unsent invoices (issue 4's send plan) as messages with their PDF. A draft
    another run has claimed is left to that run."""
    from ledgerops.app import send
    from ledgerops.render.templates import environment

    env = environment(ctx.ledger_dir)

    def pending(
        ledger: Ledger, plan: ReminderPlan, now: datetime
    ) -> list[delivery.Pending | delivery.Failure]:
        try:
            planned = send.plan(ctx.ledger_dir, ledger, now.date())
        except LedgeropsError as error:  # e.g. not on the approval branch: reminders still go
            return [delivery.Failure("-", delivery.INVOICE_STAGE, str(error))]
        return [
            delivery.Pending(
                item.invoice.id, delivery.INVOICE_STAGE, _builder(ctx, env, ledger, item.invoice, now)
            )
            for item in planned.send
            if not any(claim.stage == delivery.INVOICE_STAGE for claim in item.invoice.claims)
        ]

    return pending


def _builder(
    ctx: Context, env: Any, ledger: Ledger, invoice: Invoice, now: datetime
) -> Callable[[], delivery.Outgoing]:
    def build() -> delivery.Outgoing:
        from ledgerops.app import send
        from ledgerops.core.amounts import balance

        message = send.compose(ctx.ledger_dir, ledger, invoice, now.date(), now, env)
        client = ledger.clients[invoice.client]
        return delivery.Outgoing(
            invoice.id, delivery.INVOICE_STAGE, message, str(message["Message-ID"]), ", ".join(client.email),
            str(message["Subject"]), money_str(balance(invoice, now.date()), invoice.currency), invoice.currency,
        )  # fmt: skip

    return build


def run(ctx: Context, transport: str, push: bool) -> RunSummary:
    planner = remind.combine(invoice_messages(ctx), remind.reminder_messages(ctx))
    with expected_failures():
        state = delivery.run(ctx, delivery.Options(push, remind.transport_factory(ctx, transport)), planner)
    return remind.summarize(state)


def preview(ctx: Context) -> remind.Preview:
    return remind.preview(ctx, remind.combine(invoice_messages(ctx), remind.reminder_messages(ctx)))
