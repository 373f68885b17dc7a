"""A policy change's impact, by hand: the schedule under two policies, day by day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from ledgerops.core.impact import Action, compare, policy_impact, simulate, undo_engine
from ledgerops.core.policy import LateFeeRule, Policy, Stage
from tests.core.records import case, invoice, ledger, policy

TODAY = date(2026, 11, 27)  # a Friday


def days(n: int) -> timedelta:
    return timedelta(days=n)


def with_stage(base: Policy, stage: str, offset: int) -> Policy:
    sequence = tuple(
        replace(s, offset_days=offset) if s.stage == stage else s for s in base.reminders.sequence
    )
    return replace(base, reminders=replace(base.reminders, sequence=sequence))


def changes(impact_list) -> list[tuple[str, str, str, str | None, date | None, date | None]]:
    return [
        (
            d.change,
            d.kind,
            d.invoice,
            d.stage,
            d.before.day if d.before else None,
            d.after.day if d.after else None,
        )
        for d in impact_list
    ]


def test_the_same_policy_changes_nothing() -> None:
    book = ledger(invoice(1, "100.00", due=TODAY + days(2)), invoice(2, "50.00", due=TODAY - days(9)))
    impact = policy_impact(book, book.policy, book.policy, TODAY, 30)
    assert impact.forward == () and impact.replay == ()
    assert impact.before == impact.after


def test_a_later_stage_moves_its_messages() -> None:
    # Due Monday 11-30: overdue_7 on Monday 12-07, at +10 on Thursday 12-10.
    book = ledger(invoice(1, "100.00", due=TODAY + days(3)))
    later = with_stage(book.policy, "overdue_7", 10)
    impact = policy_impact(book, book.policy, later, TODAY, 30)
    assert changes(impact.forward) == [
        ("moved", "message", "INV-2026-0001", "overdue_7", date(2026, 12, 7), date(2026, 12, 10)),
    ]


def test_a_stage_moved_past_the_window_is_no_longer_in_it() -> None:
    book = ledger(invoice(1, "100.00", due=TODAY - days(5)))  # final_notice on 12-22
    later = with_stage(book.policy, "final_notice", 40)  # on 2027-01-01
    impact = policy_impact(book, book.policy, later, TODAY, 30)
    assert changes(impact.forward) == [
        ("dropped", "escalation", "INV-2026-0001", "final_notice", date(2026, 12, 22), None),
    ]
    impact = policy_impact(book, book.policy, later, TODAY, 40)
    assert changes(impact.forward) == [
        ("moved", "escalation", "INV-2026-0001", "final_notice", date(2026, 12, 22), date(2027, 1, 1)),
    ]


def test_turning_on_a_late_fee_adds_it_on_its_day() -> None:
    base = policy()
    fee = replace(
        base, late_fee=LateFeeRule(enabled=True, kind="percent", value=Decimal("1.5"), grace_days=7)
    )
    book = ledger(invoice(1, "1000.00", due=TODAY - days(2)), the_policy=base)
    impact = policy_impact(book, base, fee, TODAY, 30)
    fees = [d for d in impact.forward if d.kind == "late_fee"]
    assert [(d.change, d.after.day, d.after.amount, d.after.currency) for d in fees] == [
        ("added", TODAY + days(5), Decimal("15.00"), "EUR")
    ]


def test_the_replay_keeps_payments_and_redoes_the_engines_records() -> None:
    start = TODAY - days(56)
    book = ledger(
        invoice(
            1, "100.00", due=TODAY - days(20), reminders=[("due", TODAY - days(20)), ("overdue_7", TODAY - days(13))],
            payments=[(TODAY - days(3), "100.00")],
        ),
        invoice(2, "100.00", due=TODAY - days(80), reminders=[("overdue_7", TODAY - days(73))]),
        exceptions=[
            replace(case(1, 2, "final_escalation", TODAY - days(50)), source="reminder-engine"),
            case(2, 2, "dispute", TODAY - days(60)),
        ],
    )  # fmt: skip
    past = undo_engine(book, start)
    assert [r.stage for r in past.invoices[0].reminders] == []
    assert [r.stage for r in past.invoices[1].reminders] == ["overdue_7"]  # before the replay began
    assert [c.id for c in past.exceptions] == ["EXC-2026-0002"]
    assert past.invoices[0].payments == book.invoices[0].payments


def test_simulation_sees_each_case_as_it_was_that_day() -> None:
    # A promise paused the invoice until it was resolved, after the run days began.
    book = ledger(
        invoice(1, "100.00", due=TODAY + days(3)),
        exceptions=[case(1, 1, "promise_to_pay", TODAY - days(1), resolved=TODAY + days(8))],
    )
    _, actions = simulate(book, TODAY, 12)
    assert [(a.stage, a.day) for a in actions if a.kind == "message"] == [("overdue_7", TODAY + days(10))]


def test_compare_lists_each_change_once_in_date_order() -> None:
    a = Action("message", "INV-1", "due", TODAY)
    b = Action("message", "INV-1", "due", TODAY + days(2))
    fee = Action("late_fee", "INV-2", None, TODAY, Decimal("5.00"), "EUR")
    dearer = replace(fee, amount=Decimal("7.00"))
    found = compare([a, fee], [b, dearer, Action("escalation", "INV-3", "final_notice", TODAY - days(1))])
    assert [(d.change, d.invoice) for d in found] == [
        ("added", "INV-3"),
        ("moved", "INV-1"),
        ("changed", "INV-2"),
    ]


def test_a_stage_in_a_new_position_of_the_sequence() -> None:
    base = policy()
    gentler = replace(
        base,
        reminders=replace(base.reminders, sequence=(Stage("due", 0), Stage("final_notice", 20, manual=True))),
    )
    book = ledger(invoice(1, "100.00", due=TODAY - days(1)), the_policy=base)
    kinds = {(d.change, d.kind, d.stage) for d in policy_impact(book, base, gentler, TODAY, 30).forward}
    assert ("dropped", "message", "overdue_7") in kinds
    assert ("moved", "escalation", "final_notice") in kinds
