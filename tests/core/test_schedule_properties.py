"""Properties of the schedule on random ledgers, simulated day by day with plan + apply."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerops.core.amounts import balance, pausing_exceptions
from ledgerops.core.model import ExceptionCase, Payment
from ledgerops.core.schedule import apply_plan, last_message_date, plan_reminders

from .schedule_builders import CLIENT, POLICY, at, invoice, ledger, with_reminders

START = date(2026, 1, 1)


@st.composite
def invoices(draw, index: int):
    due = START + timedelta(days=draw(st.integers(0, 200)))
    sent = due - timedelta(days=draw(st.integers(0, 45)))
    status = draw(st.sampled_from(["sent"] * 6 + ["draft", "void"]))
    payments = tuple(
        Payment(
            sent + timedelta(days=draw(st.integers(0, 120))),
            Decimal(draw(st.sampled_from(["300.00", "1190.00"]))),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    return invoice(
        due,
        sent if status != "draft" else None,
        id=f"INV-2026-{index:04d}",
        status=status,
        payments=payments,
        hold=draw(st.sampled_from([None] * 5 + ["legal"])),
    )


@st.composite
def ledgers(draw):
    count = draw(st.integers(1, 6))
    items = tuple(draw(invoices(i + 1)) for i in range(count))
    cases = []
    for number, inv in enumerate(draw(st.lists(st.sampled_from(items), max_size=3)), start=1):
        opened = inv.issue_date + timedelta(days=draw(st.integers(0, 90)))
        until = draw(st.sampled_from([None, opened + timedelta(days=draw(st.integers(0, 20)))]))
        reason = draw(st.sampled_from(["dispute", "promise_to_pay", "procurement"]))
        cases.append(ExceptionCase(f"EXC-2026-{number:04d}", inv.id, reason, opened, until=until))
    policy = with_reminders(
        POLICY,
        min_gap_days=draw(st.integers(0, 5)),
        send_on_weekends=draw(st.booleans()),
    )
    client = replace(CLIENT, reminders=draw(st.sampled_from([True, True, True, False])))
    return ledger(*items, policy=policy, client=client, exceptions=tuple(cases))


def simulate(book, days: int = 366):
    """Every run of a year, with what each day planned."""
    history = []
    for offset in range(days):
        today = START + timedelta(days=offset)
        plan = plan_reminders(book, today)
        history.append((today, book, plan))
        book = apply_plan(book, plan, at(today))
    return history, book


@settings(max_examples=60, deadline=None)
@given(ledgers())
def test_a_simulated_year_keeps_every_promise(book):
    history, final = simulate(book)
    policy = book.policy
    for today, before, plan in history:
        by_id = {inv.id: inv for inv in before.invoices}
        paused = pausing_exceptions(before.exceptions, today)
        for item in plan.send:
            inv = by_id[item.invoice]
            # never a message for a paid, void, held or excepted invoice, nor a manual client
            assert inv.status == "sent" and balance(inv, today) > 0
            assert not inv.hold and inv.id not in paused
            assert before.clients[inv.client].reminders
            # never on a weekend when disallowed
            assert policy.reminders.send_on_weekends or today.weekday() < 5
            # never within min_gap_days of the previous message
            last = last_message_date(inv)
            assert last is None or (today - last).days >= policy.reminders.min_gap_days
    for inv in final.invoices:
        stages = Counter(r.stage for r in inv.reminders)
        assert all(count == 1 for count in stages.values()), stages
        assert len(inv.late_fees) <= 1
        offsets = {s.stage: s.offset_days for s in policy.reminders.sequence}
        sent_in_order = [offsets[r.stage] for r in inv.reminders]
        assert sent_in_order == sorted(sent_in_order)
    escalations = Counter(c.invoice for c in final.exceptions if c.reason == "final_escalation")
    assert all(count == 1 for count in escalations.values())


@settings(max_examples=40, deadline=None)
@given(ledgers(), st.integers(0, 365))
def test_replanning_after_apply_sends_nothing_more_the_same_day(book, offset):
    today = START + timedelta(days=offset)
    after = apply_plan(book, plan_reminders(book, today), at(today))
    again = plan_reminders(after, today)
    assert again.send == () and again.escalate == () and again.late_fees == ()
