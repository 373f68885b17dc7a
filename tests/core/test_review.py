"""The review's lists and hint, by hand: the exception queue as of a date, the week's reasons,
invoices awaiting a manual escalation, and the one control the data points at."""

from __future__ import annotations

from datetime import date, timedelta

from ledgerops.core.review import weekly_review
from tests.core.records import case, invoice, ledger

A = date(2026, 11, 27)  # a Friday; its week runs from Saturday 2026-11-21


def days(n: int) -> timedelta:
    return timedelta(days=n)


def review(book, as_of: date = A):
    return weekly_review(book, book.policy, as_of)


def test_the_queue_holds_the_cases_open_at_the_date_oldest_first_with_their_age() -> None:
    book = ledger(
        *(invoice(n, "100.00", due=A - days(20)) for n in range(1, 6)),
        exceptions=[
            case(1, 1, "dispute", A - days(2)),
            case(2, 2, "po_mismatch", A - days(9), resolved=A + days(2)),  # resolved later: open at A
            case(3, 3, "procurement", A + days(1)),  # not yet opened
            case(4, 4, "legal_review", A - days(12), resolved=A - days(1)),
        ],
    )
    queue = review(book).queue
    assert [(e.case.id, e.age_days, e.client) for e in queue] == [
        ("EXC-2026-0002", 9, "acme"),
        ("EXC-2026-0001", 2, "acme"),
    ]


def test_a_promise_past_its_until_date_is_broken_while_the_invoice_is_unpaid() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(20)),
        invoice(2, "100.00", due=A - days(20), payments=[(A - days(3), "100.00")]),
        invoice(3, "100.00", due=A - days(20)),
        exceptions=[
            case(1, 1, "promise_to_pay", A - days(8), until=A - days(2)),
            case(2, 2, "promise_to_pay", A - days(8), until=A - days(2)),
            case(3, 3, "promise_to_pay", A - days(8), until=A + days(3)),
        ],
    )
    assert [e.broken_promise for e in review(book).queue] == [True, False, False]


def test_the_weeks_reasons_count_the_cases_opened_from_saturday_to_friday() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(20)),
        exceptions=[
            case(1, 1, "dispute", A - days(7)),  # Friday of the week before
            case(2, 1, "dispute", A - days(6)),
            case(3, 1, "po_mismatch", A - days(3), resolved=A - days(1)),
            case(4, 1, "dispute", A),
            case(5, 1, "other", A + days(1)),
        ],
    )
    r = review(book)
    assert r.week_start == A - days(6)
    assert [c.id for c in r.opened] == ["EXC-2026-0002", "EXC-2026-0003", "EXC-2026-0004"]
    assert r.opened_by_reason == (("po_mismatch", 1), ("dispute", 2))  # in the policy's order


def test_awaiting_escalation_lists_unpaid_invoices_whose_manual_stage_came_without_a_case() -> None:
    # final_notice is the manual stage at due + 30.
    book = ledger(
        invoice(1, "100.00", due=A - days(30)),  # stage today: awaiting
        invoice(2, "100.00", due=A - days(29)),  # stage tomorrow
        invoice(3, "100.00", due=A - days(40)),  # already escalated
        invoice(4, "100.00", due=A - days(40)),  # paused by a promise
        invoice(5, "100.00", due=A - days(40), hold="legal"),
        invoice(6, "100.00", due=A - days(40), payments=[(A - days(1), "100.00")]),
        invoice(7, "100.00", due=A - days(45), client="calm"),  # reminders off: listed, flagged
        invoice(8, "100.00", due=A - days(45), issue=A - days(60), sent=A - days(5)),  # sent after the stage
        invoice(9, "100.00", due=A - days(40), payments=[(A + days(1), "100.00")]),  # paid only later
        exceptions=[
            case(1, 3, "final_escalation", A - days(10), resolved=A - days(5)),
            case(2, 4, "promise_to_pay", A - days(2), until=A + days(4)),
        ],
    )
    rows = [
        (r.invoice, r.stage, r.stage_date, r.days_past_due, r.reminders_off) for r in review(book).awaiting
    ]
    assert rows == [
        ("INV-2026-0007", "final_notice", A - days(15), 45, True),
        ("INV-2026-0009", "final_notice", A - days(10), 40, False),
        ("INV-2026-0001", "final_notice", A, 30, False),
    ]


def test_hint_names_the_stage_after_which_late_payers_paid() -> None:
    reminders = [("due", A - days(30)), ("overdue_7", A - days(23)), ("overdue_14", A - days(16))]
    book = ledger(
        invoice(1, "100.00", due=A - days(30), reminders=reminders, payments=[(A - days(10), "100.00")]),
        invoice(2, "100.00", due=A - days(30), reminders=reminders, payments=[(A - days(12), "100.00")]),
        invoice(3, "100.00", due=A - days(30), reminders=reminders[:2], payments=[(A - days(20), "100.00")]),
        invoice(4, "100.00", due=A - days(30), reminders=reminders, payments=[(A - days(31), "100.00")]),
    )
    hint = review(book).hint
    assert (hint.kind, hint.subject, hint.count, hint.of, hint.offset_days) == (
        "late_after_stage", "overdue_14", 2, 3, 14,
    )  # fmt: skip


def test_hint_names_the_segment_that_pays_on_time_least() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(10), client="acme"),  # strategic, late
        invoice(2, "100.00", due=A - days(12), client="acme", payments=[(A - days(12), "100.00")]),
        invoice(3, "100.00", due=A - days(5), client="acme"),
        invoice(4, "100.00", due=A - days(10), client="bolt", payments=[(A - days(11), "100.00")]),
        invoice(5, "100.00", due=A - days(3), client="bolt", payments=[(A - days(3), "100.00")]),
    )
    hint = review(book).hint
    assert (hint.kind, hint.subject, hint.count, hint.of, hint.others) == (
        "segment",
        "strategic",
        1,
        3,
        (2, 2),
    )


def test_hint_names_the_most_common_exception_reason() -> None:
    book = ledger(
        invoice(1, "100.00", due=A + days(10)),
        exceptions=[
            case(1, 1, "po_mismatch", A - days(40), resolved=A - days(30)),
            case(2, 1, "po_mismatch", A - days(20)),
            case(3, 1, "dispute", A - days(3)),
        ],
    )
    hint = review(book).hint
    assert (hint.kind, hint.subject, hint.count, hint.of) == ("exception_reason", "po_mismatch", 2, 3)


def test_without_evidence_the_hint_says_so() -> None:
    book = ledger(invoice(1, "100.00", due=A + days(10)))
    assert review(book).hint.kind == "none"
