"""`ledgerops remind`: today's reminders (docs/spec.md §6), sent at most once, or shown (--dry-run)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledgerops.app import delivery
from ledgerops.app.load import VALID, load_ledger
from ledgerops.context import Context
from ledgerops.core.document import invoice_document
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.money import money_str
from ledgerops.core.schedule import ReminderPlan, Send, plan_reminders
from ledgerops.core.sending import issued, issued_in_turn
from ledgerops.edge import clock
from ledgerops.render.runreport import RunSummary, Sent, Waiting


@dataclass(frozen=True)
class Preview:
    plan: ReminderPlan
    messages: tuple[Sent, ...]  # status "planned"
    failures: tuple[delivery.Failure, ...]
    waiting: tuple[Waiting, ...] = ()


def reminder_messages(ctx: Context) -> delivery.Planner:
    """The reminders of a plan as messages, composed one at a time when their turn comes."""
    from ledgerops.render.templates import environment

    env = environment(ctx.ledger_dir)

    def pending(
        ledger: Ledger, plan: ReminderPlan, now: datetime
    ) -> list[delivery.Pending | delivery.Failure]:
        return [delivery.Pending(s.invoice, s.stage, _builder(env, ledger, s, now)) for s in plan.send]

    return pending


def _builder(env: Any, ledger: Ledger, item: Send, now: datetime) -> Callable[[Invoice], delivery.Outgoing]:
    def build(invoice: Invoice) -> delivery.Outgoing:
        from ledgerops.render.reminder import reminder_email

        doc = invoice_document(ledger, invoice, now.date())
        message, parts = reminder_email(env, doc, item.stage, now.date(), now)
        return delivery.Outgoing(
            item.invoice, item.stage, message, str(message["Message-ID"]), ", ".join(item.to),
            parts.subject, money_str(doc.amount_due, item.currency), item.currency,
        )  # fmt: skip

    return build


def preview(ctx: Context, planner: delivery.Planner | None = None) -> Preview:
    """What a run would send today, composed but neither written nor sent.

    Messages are composed from the ledger as the run would see it: with today's late fees
    recorded, so the amounts due are the ones the client would read.
    """
    from ledgerops.core.schedule import apply_plan

    loaded = load_ledger(ctx, VALID)
    ledger, today = loaded.ledger, loaded.today
    plan = plan_reminders(ledger, today)
    now = clock.moment(today, ledger.policy.timezone)
    with_fees = apply_plan(ledger, ReminderPlan(today, late_fees=plan.late_fees), now)
    messages, failures = [], []
    pending = list((planner or reminder_messages(ctx))(with_fees, plan, now))
    by_id = {inv.id: inv for inv in with_fees.invoices}
    drafts = [by_id[p.invoice] for p in pending if isinstance(p, delivery.Pending) and p.issue]
    as_issued = issued_in_turn(with_fees, drafts, today)  # the numbers the run would take, in turn
    for item in pending:
        if isinstance(item, delivery.Failure):
            failures.append(item)
            continue
        invoice = by_id[item.invoice]
        try:
            if item.issue:  # a draft left out of `as_issued` cannot be issued today: say why
                invoice = as_issued.get(item.invoice) or issued(with_fees, invoice, today)
            out = item.build(invoice)
        except Exception as error:
            failures.append(delivery.Failure(item.invoice, item.stage, f"cannot compose: {error}"))
            continue
        messages.append(Sent(out.invoice, out.stage, out.to, out.subject, out.amount_due, out.currency,
                             "planned", out.message_id, draft=invoice.drafted_as if item.issue else None))  # fmt: skip
    return Preview(plan, tuple(messages), tuple(failures))


def summarize(state: delivery.RunState, waiting: tuple[Waiting, ...] = ()) -> RunSummary:
    sent = tuple(
        Sent(d.outgoing.invoice, d.outgoing.stage, d.outgoing.to, d.outgoing.subject, d.outgoing.amount_due,
             d.outgoing.currency, d.status, d.outgoing.message_id, d.detail, d.outgoing.draft)
        for d in state.deliveries
    )  # fmt: skip
    errors = tuple((f.invoice, f.stage, f.detail) for f in state.failures)
    return RunSummary(state.first_plan, sent, tuple(state.escalated), tuple(state.late_fees),
                      tuple(case.id for case in state.opened), errors, waiting, tuple(state.recovered))  # fmt: skip


def run(ctx: Context, transport: str | None, push: bool) -> RunSummary:
    transport = delivery.transport_kind(ctx, transport)
    options = delivery.Options(push, delivery.transport_factory(ctx, transport), command="remind",
                               precondition=delivery.on_approval_branch(ctx))  # fmt: skip
    state = delivery.run(ctx, options, reminder_messages(ctx))
    return summarize(state)


def combine(*planners: delivery.Planner) -> delivery.Planner:
    """Several kinds of messages in one run, in the order given."""

    def pending(
        ledger: Ledger, plan: ReminderPlan, now: datetime
    ) -> Sequence[delivery.Pending | delivery.Failure]:
        return [item for planner in planners for item in planner(ledger, plan, now)]

    return pending
