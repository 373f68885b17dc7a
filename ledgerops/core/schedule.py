"""The reminder schedule (docs/spec.md §6.1–§6.6) as a pure function of the ledger and a day.

`plan_reminders` says what a run would do today; `apply_plan` returns the ledger as it
would be after the run recorded that plan, so simulating N days is a loop of the two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from ledgerops.core.amounts import balance, invoice_total, pausing_case, pausing_exceptions
from ledgerops.core.cases import case_id
from ledgerops.core.model import Client, ExceptionCase, Invoice, LateFee, Ledger, ReminderRecord
from ledgerops.core.money import round_money
from ledgerops.core.policy import Policy, Stage
from ledgerops.core.queue import ENGINE

ESCALATION_REASON = "final_escalation"

# docs/spec.md §9.2's skip reasons, in the order the conditions are tested.
SKIP_REASONS = (
    "draft",
    "void",
    "paid",
    "hold",
    "exception",
    "reminders_off",
    "not_due",
    "weekend",
    "min_gap",
)


@dataclass(frozen=True, slots=True)
class Send:
    """One reminder email to send today."""

    invoice: str
    client: str
    stage: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    amount_due: Decimal  # includes a late fee recorded in the same run
    currency: str
    due_date: date
    segment: str


@dataclass(frozen=True, slots=True)
class Escalate:
    """A manual stage reached: no email, an exception for a person instead."""

    invoice: str
    stage: str
    offset_days: int


@dataclass(frozen=True, slots=True)
class LateFeeDue:
    invoice: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Skip:
    invoice: str
    reason: str  # one of SKIP_REASONS
    stage: str | None = None  # the stage that waits, for weekend and min_gap


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    today: date
    send: tuple[Send, ...] = ()
    escalate: tuple[Escalate, ...] = ()
    late_fees: tuple[LateFeeDue, ...] = ()
    skipped: tuple[Skip, ...] = ()


def stage_date(invoice: Invoice, stage: Stage) -> date:
    return invoice.due_date + timedelta(days=stage.offset_days)


def last_message_date(invoice: Invoice) -> date | None:
    """The day of the latest email about the invoice: the invoice itself, a reminder, or one
    claimed by a run that is sending it right now."""
    days = [r.sent_at.date() for r in invoice.reminders] + [c.claimed_at.date() for c in invoice.claims]
    if invoice.sent_at is not None:
        days.append(invoice.sent_at.date())
    return max(days, default=None)


def escalated_stages(invoice: Invoice, policy: Policy, exceptions: tuple[ExceptionCase, ...]) -> set[str]:
    """Manual stages already routed to a person: a final_escalation case for the invoice,
    opened on or after the stage's date, whatever its status now (rule 4: once)."""
    opened = [c.opened_at for c in exceptions if c.invoice == invoice.id and c.reason == ESCALATION_REASON]
    return {
        stage.stage
        for stage in policy.reminders.sequence
        if stage.manual and any(day >= stage_date(invoice, stage) for day in opened)
    }


def next_stage(invoice: Invoice, policy: Policy, done: set[str], today: date) -> Stage | None:
    """Rules 1 and 2: the latest stage dated on or before today, after every stage done,
    and not dated before the invoice was sent. Earlier missed stages are dropped."""
    sequence = policy.reminders.sequence
    done_offsets = [s.offset_days for s in sequence if s.stage in done]
    # A stage sent before the policy dropped it still counts, as of the day it was sent, so
    # removing it never brings back an earlier stage (docs/spec.md §4.6).
    known = {s.stage for s in sequence}
    done_offsets += [
        (r.sent_at.date() - invoice.due_date).days for r in invoice.reminders if r.stage not in known
    ]
    floor = max(done_offsets, default=None)
    sent_day = invoice.sent_at.date() if invoice.sent_at else invoice.issue_date
    chosen = None
    for stage in sequence:
        day = stage_date(invoice, stage)
        if day > today or day < sent_day:
            continue
        if floor is not None and stage.offset_days <= floor:
            continue
        if chosen is None or stage.offset_days > chosen.offset_days:
            chosen = stage
    return chosen


def late_fee_amount(invoice: Invoice, policy: Policy) -> Decimal | None:
    """Rule 5: the fee to record, percent of the invoice total or the flat amount.

    None when there is no fee to record: the flat value is written in policy.currency, so
    an invoice in another currency gets none (40.50 is not 40.50 USD, nor 41 JPY); and a
    fee that rounds to zero in the invoice's currency (0.40 in JPY, 1.5 % of 0.10 EUR) is
    no fee, where recording 0 would fail `check` and stop every later run."""
    rule = policy.late_fee
    if rule.kind == "flat" and invoice.currency != policy.currency:
        return None
    raw = invoice_total(invoice) * rule.value / Decimal(100) if rule.kind == "percent" else rule.value
    amount = round_money(raw, invoice.currency)
    return amount if amount > 0 else None


def late_fee_due(invoice: Invoice, policy: Policy, today: date) -> bool:
    rule = policy.late_fee
    return rule.enabled and not invoice.late_fees and today >= invoice.due_date + timedelta(rule.grace_days)


def _blocked(invoice: Invoice, client: Client | None, paused: bool, today: date) -> str | None:
    """Why the engine leaves the invoice alone entirely (no message, no fee), if it does."""
    if invoice.status == "draft":
        return "draft"
    if invoice.status == "void":
        return "void"
    if invoice.status != "sent" or invoice.sent_at is None:
        return "draft"
    if balance(invoice, today) <= 0:
        return "paid"
    if invoice.hold:
        return "hold"
    if paused:
        return "exception"
    if client is None or not client.reminders:
        return "reminders_off"
    return None


def _message_wait(invoice: Invoice, policy: Policy, today: date) -> str | None:
    """Rule 3: why a due message waits for a later run."""
    rules = policy.reminders
    if not rules.send_on_weekends and today.weekday() >= 5:
        return "weekend"
    last = last_message_date(invoice)
    if last is not None and today < last + timedelta(days=rules.min_gap_days):
        return "min_gap"
    return None


def plan_reminders(ledger: Ledger, today: date) -> ReminderPlan:
    """What the reminder engine does today for every invoice of the ledger (docs/spec.md §6)."""
    policy = ledger.policy
    paused = pausing_exceptions(ledger.exceptions, today)
    send: list[Send] = []
    escalate: list[Escalate] = []
    fees: list[LateFeeDue] = []
    skipped: list[Skip] = []
    for invoice in sorted(ledger.invoices, key=lambda inv: inv.id):
        client = ledger.clients.get(invoice.client)
        blocked = _blocked(invoice, client, pausing_case(paused, invoice) is not None, today)
        if blocked is not None or client is None:
            skipped.append(Skip(invoice.id, blocked or "reminders_off"))
            continue
        fee = late_fee_amount(invoice, policy) if late_fee_due(invoice, policy, today) else None
        if fee is not None:
            fees.append(LateFeeDue(invoice.id, fee, invoice.currency))
        done = {r.stage for r in invoice.reminders} | {c.stage for c in invoice.claims}
        done |= escalated_stages(invoice, policy, ledger.exceptions)
        stage = next_stage(invoice, policy, done, today)
        if stage is None:
            skipped.append(Skip(invoice.id, "not_due"))
            continue
        if stage.manual:
            # Not a message: weekends and the minimum gap do not delay the escalation.
            escalate.append(Escalate(invoice.id, stage.stage, stage.offset_days))
            continue
        wait = _message_wait(invoice, policy, today)
        if wait is not None:
            skipped.append(Skip(invoice.id, wait, stage.stage))
            continue
        due = round_money(balance(invoice, today) + (fee or Decimal(0)), invoice.currency)
        send.append(
            Send(invoice.id, client.id, stage.stage, client.email, client.cc, due,
                 invoice.currency, invoice.due_date, client.segment)
        )  # fmt: skip
    return ReminderPlan(today, tuple(send), tuple(escalate), tuple(fees), tuple(skipped))


def escalation_note(item: Escalate) -> str:
    return (
        f"{item.stage} stage reached ({item.offset_days} days from the due date): "
        "no automatic email; a person decides what happens next."
    )


def apply_plan(
    ledger: Ledger,
    plan: ReminderPlan,
    now: datetime,
    message_ids: Mapping[tuple[str, str], str] | None = None,
) -> Ledger:
    """The ledger after a run recorded `plan` at `now`: reminders, late fees, escalations.

    A run that could not send some messages passes a plan holding only the accepted ones.
    """
    today = now.date()
    ids = message_ids or {}
    fees = {item.invoice: item for item in plan.late_fees}
    sends: dict[str, list[ReminderRecord]] = {}
    for item in plan.send:
        record = ReminderRecord(item.stage, now, ids.get((item.invoice, item.stage)))
        sends.setdefault(item.invoice, []).append(record)
    invoices = []
    for invoice in ledger.invoices:
        fee = fees.get(invoice.id)
        if fee is not None:
            invoice = replace(invoice, late_fees=(*invoice.late_fees, LateFee(today, fee.amount)))
        if invoice.id in sends:
            invoice = replace(invoice, reminders=(*invoice.reminders, *sends[invoice.id]))
        invoices.append(invoice)
    cases = list(ledger.exceptions)
    for escalation in plan.escalate:
        # A preview's stand-in: the run gives the case a random token when it opens it.
        new_id = case_id(today, hashlib.sha256(escalation.invoice.encode()).hexdigest()[:6])
        cases.append(
            ExceptionCase(new_id, escalation.invoice, ESCALATION_REASON, today, source=ENGINE,
                          note=escalation_note(escalation), path=f"exceptions/{new_id}.yaml")
        )  # fmt: skip
    return replace(ledger, invoices=tuple(invoices), exceptions=tuple(cases))
