"""docs/spec.md §6.1–§6.6, one table per rule. Due 2026-12-04 (a Friday) unless said otherwise:
pre_due Tue 12-01, due Fri 12-04, overdue_7 Fri 12-11, overdue_14 Fri 12-18, final_notice Sun 2027-01-03.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ledgerops.core.model import ExceptionCase
from ledgerops.core.policy import LateFeeRule
from ledgerops.core.schedule import apply_plan, plan_reminders
from ledgerops.core.template_names import reminder_template_names

from .schedule_builders import POLICY, at, invoice, ledger, with_reminders

D = date
DUE = D(2026, 12, 4)
SENT = D(2026, 11, 4)
PRE, ON_DUE, OD7, OD14 = D(2026, 12, 1), DUE, D(2026, 12, 11), D(2026, 12, 18)


def outcome(book, today: date) -> tuple[str, str | None]:
    """What the plan does for the one invoice: ('send', stage), ('escalate', stage) or ('skip', reason)."""
    plan = plan_reminders(book, today)
    if plan.send:
        return ("send", plan.send[0].stage)
    if plan.escalate:
        return ("escalate", plan.escalate[0].stage)
    return ("skip", plan.skipped[0].reason)


def one(today: date, sent: date = SENT, stages=(), **kwargs) -> tuple[str, str | None]:
    return outcome(ledger(invoice(DUE, sent, tuple(stages), **kwargs)), today)


# Rule 1: a stage's date is due + offset; a stage dated before sent_at's date never applies.
@pytest.mark.parametrize(
    ("today", "sent", "stages", "expected"),
    [
        (D(2026, 11, 30), SENT, (), ("skip", "not_due")),
        (PRE, SENT, (), ("send", "pre_due")),
        (D(2026, 12, 3), D(2026, 12, 3), (), ("skip", "not_due")),  # pre_due was before sending
        (ON_DUE, D(2026, 12, 3), (), ("skip", "min_gap")),  # due waits for the gap (then a weekend)...
        (D(2026, 12, 7), D(2026, 12, 3), (), ("send", "due")),  # ...and goes out on Monday
        (PRE, PRE, (), ("skip", "min_gap")),  # same day as sending applies, but the gap holds it
        (D(2026, 12, 3), PRE, (), ("send", "pre_due")),
    ],
)
def test_rule1_stage_dates_and_sent_at(today, sent, stages, expected):
    assert one(today, sent, stages) == expected


# Rule 2: the latest stage <= today beyond every recorded stage; missed stages are not sent.
@pytest.mark.parametrize(
    ("today", "stages", "expected"),
    [
        (ON_DUE, [("pre_due", PRE)], ("send", "due")),
        (D(2026, 12, 10), [("pre_due", PRE), ("due", ON_DUE)], ("skip", "not_due")),
        (OD7, [("pre_due", PRE), ("due", ON_DUE)], ("send", "overdue_7")),
        (OD7, [], ("send", "overdue_7")),  # an outage: no burst of pre_due and due
        (D(2026, 12, 21), [("pre_due", PRE)], ("send", "overdue_14")),
        (D(2026, 12, 21), [("overdue_14", OD14)], ("skip", "not_due")),
        (OD14, [("overdue_14", D(2026, 12, 16))], ("skip", "not_due")),  # never a stage twice
        (OD7, [("overdue_7", ON_DUE)], ("skip", "not_due")),  # a later stage recorded early
    ],
)
def test_rule2_latest_stage_only(today, stages, expected):
    assert one(today, stages=stages) == expected


def test_a_stage_dropped_from_the_policy_after_it_was_sent_still_counts_from_its_day():
    """INV sent late: only overdue_7 went out. The policy then drops overdue_7: 'due' (offset 0)
    must not come back after an overdue message; overdue_14 is next, on its day."""
    stages = [("overdue_7", OD7)]
    fewer = replace(POLICY, reminders=replace(POLICY.reminders, sequence=tuple(
        s for s in POLICY.reminders.sequence if s.stage != "overdue_7")))  # fmt: skip
    book = replace(ledger(invoice(DUE, SENT, tuple(stages))), policy=fewer)
    assert outcome(book, D(2026, 12, 14)) == ("skip", "not_due")
    assert outcome(book, OD14) == ("send", "overdue_14")


# Rule 3: no weekend sends when disallowed; min_gap_days after the last message of any kind.
@pytest.mark.parametrize(
    ("today", "stages", "reminder_policy", "expected"),
    [
        (D(2026, 12, 5), [("pre_due", PRE)], {}, ("skip", "weekend")),
        (D(2026, 12, 6), [("pre_due", PRE)], {}, ("skip", "weekend")),
        (D(2026, 12, 7), [("pre_due", PRE)], {}, ("send", "due")),
        (D(2026, 12, 5), [("pre_due", PRE)], {"send_on_weekends": True}, ("send", "due")),
        (ON_DUE, [("pre_due", D(2026, 12, 3))], {}, ("skip", "min_gap")),
        (ON_DUE, [("pre_due", D(2026, 12, 2))], {}, ("send", "due")),  # today == last + gap: allowed
        (ON_DUE, [("pre_due", D(2026, 12, 3))], {"min_gap_days": 1}, ("send", "due")),
        (ON_DUE, [("pre_due", ON_DUE)], {"min_gap_days": 0}, ("send", "due")),
        (ON_DUE, [("pre_due", D(2026, 12, 1))], {"min_gap_days": 5}, ("skip", "min_gap")),
    ],
)
def test_rule3_weekends_and_minimum_gap(today, stages, reminder_policy, expected):
    policy = with_reminders(POLICY, **reminder_policy)
    book = ledger(invoice(DUE, SENT, tuple(stages)), policy=policy)
    assert outcome(book, today) == expected


def test_rule3_the_invoice_email_counts_as_a_message():
    assert one(PRE, sent=D(2026, 11, 30)) == ("skip", "min_gap")
    assert one(D(2026, 12, 2), sent=D(2026, 11, 30)) == ("send", "pre_due")


def test_rule3_weekend_is_tested_before_the_gap():
    assert one(D(2026, 12, 5), stages=[("pre_due", D(2026, 12, 4))]) == ("skip", "weekend")


FINAL = D(2027, 1, 3)  # a Sunday
ALL_SENT = [("pre_due", PRE), ("due", ON_DUE), ("overdue_7", OD7), ("overdue_14", OD14)]


def case(opened: date, status: str = "open", reason: str = "final_escalation", until=None) -> ExceptionCase:
    resolved = {"resolved_at": opened, "resolution": "called"} if status == "resolved" else {}
    return ExceptionCase("EXC-2027-0001", "INV-2026-0001", reason, opened, status, until=until, **resolved)


# Rule 4: a manual stage is never emailed; it opens final_escalation once.
@pytest.mark.parametrize(
    ("today", "exceptions", "expected"),
    [
        (D(2027, 1, 2), (), ("skip", "not_due")),
        (FINAL, (), ("escalate", "final_notice")),  # not a message: a Sunday does not delay it
        (D(2027, 1, 20), (), ("escalate", "final_notice")),
        (D(2027, 1, 4), (case(FINAL),), ("skip", "exception")),
        (D(2027, 1, 9), (case(FINAL, "resolved"),), ("skip", "not_due")),  # once, even after resolving
        (D(2027, 1, 9), (case(D(2026, 12, 20), "resolved"),), ("escalate", "final_notice")),
        (D(2027, 1, 9), (case(FINAL, "resolved", reason="dispute"),), ("escalate", "final_notice")),
    ],
)
def test_rule4_manual_stage_escalates_once(today, exceptions, expected):
    book = ledger(invoice(DUE, SENT, tuple(ALL_SENT)), exceptions=exceptions)
    assert outcome(book, today) == expected


def test_rule4_escalation_is_not_delayed_by_the_gap():
    book = ledger(invoice(DUE, SENT, (*ALL_SENT[:3], ("overdue_14", D(2027, 1, 2)))))
    assert outcome(book, FINAL) == ("escalate", "final_notice")


def test_rule4_applied_escalation_opens_one_engine_case():
    book = ledger(invoice(DUE, SENT, tuple(ALL_SENT)))
    after = apply_plan(book, plan_reminders(book, FINAL), at(FINAL))
    (opened,) = after.exceptions
    assert (opened.reason, opened.source, opened.opened_at, opened.status) == (
        "final_escalation", "reminder-engine", FINAL, "open",
    )  # fmt: skip
    assert re.fullmatch(r"EXC-\d{8}-[0-9a-f]{6}", opened.id) and opened.id.startswith(f"EXC-{FINAL:%Y%m%d}-")
    assert outcome(after, D(2027, 1, 4)) == ("skip", "exception")


def fees(book, today):
    return [(f.invoice, f.amount, f.currency) for f in plan_reminders(book, today).late_fees]


# Rule 5: one late fee from due + grace_days, in the amount due of every later message.
@pytest.mark.parametrize(
    ("today", "changes", "expected"),
    [
        (D(2026, 12, 10), {}, []),
        (OD7, {}, [Decimal("17.85")]),  # 1.5 % of 1190.00
        (D(2026, 12, 12), {}, [Decimal("17.85")]),  # a Saturday: recording a fee is not a message
        (OD7, {"late_fees": ((OD7, "17.85"),)}, []),
        (OD7, {"hold": "legal"}, []),
        (OD7, {"status": "void"}, []),
    ],
)
def test_rule5_late_fee_once_after_grace(today, changes, expected):
    from ledgerops.core.model import LateFee

    if "late_fees" in changes:
        changes = {"late_fees": tuple(LateFee(d, Decimal(a)) for d, a in changes["late_fees"])}
    book = ledger(invoice(DUE, SENT, (("pre_due", PRE), ("due", ON_DUE)), **changes))
    assert [amount for _, amount, _ in fees(book, today)] == expected


def test_rule5_fee_counts_in_the_same_runs_message_and_payments_reduce_it():
    book = ledger(invoice(DUE, SENT, (("pre_due", PRE), ("due", ON_DUE)), paid=((D(2026, 12, 5), "190.00"),)))
    (send,) = plan_reminders(book, OD7).send
    assert (send.stage, send.amount_due, send.currency) == ("overdue_7", Decimal("1017.85"), "EUR")


def test_rule5_fee_is_recorded_while_the_message_waits_for_the_gap():
    book = ledger(invoice(DUE, SENT, (("pre_due", PRE), ("due", D(2026, 12, 10)))))
    plan = plan_reminders(book, OD7)
    assert [s.reason for s in plan.skipped] == ["min_gap"] and len(plan.late_fees) == 1


@pytest.mark.parametrize(
    ("rule", "currency", "price", "expected"),
    [
        (LateFeeRule(True, "percent", Decimal("1.5"), 7), "JPY", "481500", Decimal("7223")),  # 7222.5 half-up
        (LateFeeRule(True, "percent", Decimal("1.5"), 7), "EUR", "11305.00", Decimal("169.58")),
        (LateFeeRule(True, "flat", Decimal("40.00"), 7), "EUR", "1000.00", Decimal("40.00")),
        (LateFeeRule(True, "flat", Decimal("40.00"), 0), "EUR", "1000.00", Decimal("40.00")),
        (LateFeeRule(False, "percent", Decimal("1.5"), 7), "EUR", "1000.00", None),
        (LateFeeRule(True, "flat", Decimal("0.40"), 7), "EUR", "1000.00", Decimal("0.40")),
        # A flat value is written in policy.currency (EUR): other currencies get no flat fee.
        (LateFeeRule(True, "flat", Decimal("0.40"), 7), "JPY", "481500", None),
        (LateFeeRule(True, "flat", Decimal("40.50"), 7), "JPY", "481500", None),
        (LateFeeRule(True, "flat", Decimal("40.50"), 7), "USD", "1000.00", None),
        (LateFeeRule(True, "flat", Decimal("40.50"), 7), "KWD", "1000.000", None),
        # A percent fee that rounds to nothing is no fee; one that rounds up to 1 is one.
        (LateFeeRule(True, "percent", Decimal("1.5"), 7), "EUR", "0.10", None),
        (LateFeeRule(True, "percent", Decimal("1.5"), 7), "JPY", "30", None),
        (LateFeeRule(True, "percent", Decimal("1.5"), 7), "JPY", "34", Decimal("1")),
    ],
)
def test_rule5_fee_amounts(rule, currency, price, expected):
    from ledgerops.core.model import Line

    policy = replace(POLICY, late_fee=rule)
    inv = invoice(DUE, SENT, currency=currency, lines=(Line("Work", Decimal(1), Decimal(price), Decimal(0)),))
    got = fees(ledger(inv, policy=policy), D(2026, 12, 18))
    assert got == ([] if expected is None else [("INV-2026-0001", expected, currency)])


def test_rule5_a_flat_fee_in_a_policy_currency_without_minor_units():
    from ledgerops.core.model import Line

    policy = replace(POLICY, currency="JPY", late_fee=LateFeeRule(True, "flat", Decimal("500"), 7))
    lines = (Line("Work", Decimal(1), Decimal("50000"), Decimal(0)),)
    yen, euro = invoice(DUE, SENT, currency="JPY", lines=lines), invoice(DUE, SENT, id="INV-2026-0002")
    assert fees(ledger(yen, euro, policy=policy), D(2026, 12, 18)) == [
        ("INV-2026-0001", Decimal("500"), "JPY")
    ]


def test_rule5_no_fee_today_still_lets_the_message_go_without_one():
    policy = replace(POLICY, late_fee=LateFeeRule(True, "flat", Decimal("40.00"), 7))
    (send,) = plan_reminders(ledger(invoice(DUE, SENT, currency="USD"), policy=policy), OD7).send
    assert (send.stage, send.amount_due, send.currency) == ("overdue_7", Decimal("1190.00"), "USD")


# Rule 6: tone by segment, with the stage's template as the fallback.
def test_rule6_template_lookup_order():
    assert reminder_template_names("due", "strategic") == (
        "reminders/due.strategic.md.j2",
        "reminders/due.md.j2",
    )


def test_rule6_the_plan_carries_what_every_message_must_state():
    (send,) = plan_reminders(ledger(invoice(DUE, SENT)), PRE).send
    assert (send.invoice, send.amount_due, send.due_date, send.segment, send.to) == (
        "INV-2026-0001", Decimal("1190.00"), DUE, "standard", ("ap@acme.example",),
    )  # fmt: skip


# Who the engine leaves alone, and in which order the reasons are tested (docs/spec.md §6, §9.2).
@pytest.mark.parametrize(
    ("changes", "client_reminders", "exceptions", "expected"),
    [
        ({"status": "draft", "sent_at": None}, True, (), "draft"),
        ({"status": "void"}, True, (), "void"),
        ({"payments": "all"}, False, (), "paid"),  # paid before reminders_off
        ({"hold": "legal review"}, True, (), "hold"),
        ({}, True, (case(D(2026, 12, 1), reason="dispute"),), "exception"),
        ({}, True, (case(D(2026, 12, 1), reason="promise_to_pay", until=OD7),), "exception"),
        ({}, True, (case(D(2026, 12, 1), reason="promise_to_pay", until=D(2026, 12, 10)),), None),
        ({}, True, (case(D(2026, 12, 20), reason="dispute"),), None),  # opened later than today
        ({}, True, (case(D(2026, 12, 1), "resolved", reason="dispute"),), None),
        ({}, False, (), "reminders_off"),
    ],
)
def test_engine_leaves_alone(changes, client_reminders, exceptions, expected):
    from ledgerops.core.model import Payment

    from .schedule_builders import CLIENT

    if changes.get("payments") == "all":
        changes = {"payments": (Payment(D(2026, 12, 1), Decimal("1190.00")),)}
    book = ledger(
        invoice(DUE, SENT, (("pre_due", PRE), ("due", ON_DUE)), **changes),
        client=replace(CLIENT, reminders=client_reminders),
        exceptions=exceptions,
    )
    plan = plan_reminders(book, OD7)
    if expected is None:
        assert [s.stage for s in plan.send] == ["overdue_7"]
    else:
        assert [s.reason for s in plan.skipped] == [expected]
        assert not plan.send and not plan.late_fees and not plan.escalate


def test_apply_plan_records_what_was_planned():
    book = ledger(invoice(DUE, SENT, (("pre_due", PRE), ("due", ON_DUE))))
    plan = plan_reminders(book, OD7)
    after = apply_plan(book, plan, at(OD7), {("INV-2026-0001", "overdue_7"): "<x@y>"})
    (inv,) = after.invoices
    assert [(r.stage, r.sent_at, r.message_id) for r in inv.reminders][-1] == ("overdue_7", at(OD7), "<x@y>")
    assert [(f.date, f.amount) for f in inv.late_fees] == [(OD7, Decimal("17.85"))]
    assert plan_reminders(after, OD7).send == ()


def test_a_claimed_stage_counts_as_sent_and_as_todays_message():
    from ledgerops.core.model import Claim

    claimed = (Claim("overdue_7", at(OD7), "host:1"),)
    book = ledger(invoice(DUE, SENT, (("pre_due", PRE), ("due", ON_DUE)), claims=claimed))
    assert outcome(book, OD7) == ("skip", "not_due")
    assert outcome(book, D(2026, 12, 18)) == ("send", "overdue_14")
