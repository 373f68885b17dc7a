"""Properties of the review on random ledgers: the buckets add up to the receivable, the
one-pass series equals the figures computed day by day, paying never raises what is owed,
and nothing dated after the as-of date changes the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerops.core.amounts import balance
from ledgerops.core.metrics import metrics_at, weekly_series
from ledgerops.core.model import ExceptionCase, Invoice, LateFee, Ledger, Payment, ReminderRecord
from ledgerops.core.review import weekly_review
from ledgerops.render.report import review_json, review_markdown
from tests.core.records import at, case, invoice, ledger

D = date(2026, 11, 27)
REASONS = ("dispute", "po_mismatch", "promise_to_pay", "final_escalation")


def day(offset: int) -> date:
    return D + timedelta(days=offset)


@st.composite
def invoices(draw: st.DrawFn, number: int) -> Invoice:
    currency = draw(st.sampled_from(("EUR", "JPY")))
    unit = "00" if currency == "JPY" else ".00"
    amount = draw(st.integers(1, 5000))
    issue = draw(st.integers(-200, 0))
    due = issue + draw(st.sampled_from((14, 30, 45)))
    paid = draw(st.lists(st.tuples(st.integers(issue, 20), st.integers(1, 3000)), max_size=3))
    fees = draw(st.lists(st.tuples(st.integers(due, due + 40), st.integers(1, 90)), max_size=1))
    status = draw(st.sampled_from(("sent", "sent", "sent", "void", "draft")))
    voided = day(draw(st.integers(issue, 10))) if status == "void" else None
    reminders = [("overdue_7", day(due + 7))] if draw(st.booleans()) else []
    return invoice(
        number, f"{amount}{unit}", issue=day(issue), due=day(due), sent=day(issue + draw(st.integers(0, 3))),
        currency=currency, client=draw(st.sampled_from(("acme", "bolt", "calm"))), status=status,
        payments=[(day(d), f"{a}{unit}") for d, a in paid], fees=[(day(d), f"{a}{unit}") for d, a in fees],
        reminders=reminders, voided=voided,
    )  # fmt: skip


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    count = draw(st.integers(1, 8))
    books = [draw(invoices(n)) for n in range(1, count + 1)]
    cases = []
    for n in range(1, draw(st.integers(0, 3)) + 1):
        opened = draw(st.integers(-60, 5))
        resolved = draw(st.one_of(st.none(), st.integers(opened, 10)))
        until = draw(st.one_of(st.none(), st.integers(opened, 15)))
        target, reason = draw(st.integers(1, count)), draw(st.sampled_from(REASONS))
        resolved_at = day(resolved) if resolved is not None else None
        until_day = day(until) if until is not None else None
        cases.append(case(n, target, reason, day(opened), resolved=resolved_at, until=until_day))
    return ledger(*books, exceptions=cases)


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_the_buckets_add_up_to_the_receivable_every_week(book: Ledger) -> None:
    for point in weekly_series(book, book.policy, D).points:
        for m in point.currencies:
            assert m.receivable == sum(m.aging)
            assert m.receivable >= 0 and all(amount >= 0 for amount in m.aging)


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.integers(0, 6))
def test_the_one_pass_series_equals_the_figures_of_each_day(book: Ledger, back: int) -> None:
    as_of = D - timedelta(days=back)
    for point in weekly_series(book, book.policy, as_of).points:
        assert point.currencies == metrics_at(book, book.policy, point.as_of)


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.data())
def test_paying_an_invoice_in_full_never_raises_the_receivable(book: Ledger, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(book.invoices))
    when = day(data.draw(st.integers(-30, 0)))
    owed = balance(target, D)
    if owed <= 0:
        return
    paid = replace(target, payments=(*target.payments, Payment(when, owed)))
    after = replace(book, invoices=tuple(paid if inv is target else inv for inv in book.invoices))
    for as_of in (when, D, day(20)):
        before_figures = metrics_at(book, book.policy, as_of)
        after_figures = metrics_at(after, after.policy, as_of)
        for b, a in zip(before_figures, after_figures, strict=True):
            assert a.receivable <= b.receivable


@st.composite
def later_records(draw: st.DrawFn, book: Ledger) -> Ledger:
    """The same ledger with facts dated after D added: what happened since the report."""
    later = st.integers(1, 40).map(day)
    changed = []
    for inv in book.invoices:
        edit = draw(st.sampled_from(("none", "pay", "fee", "void", "remind")))
        if edit == "pay":
            inv = replace(inv, payments=(*inv.payments, Payment(draw(later), Decimal(7))))
        elif edit == "fee":
            inv = replace(inv, late_fees=(*inv.late_fees, LateFee(draw(later), Decimal(3))))
        elif edit == "void" and inv.status == "sent":
            inv = replace(inv, status="void", voided_at=draw(later))
        elif edit == "remind":
            inv = replace(inv, reminders=(*inv.reminders, ReminderRecord("overdue_14", at(draw(later)))))
        changed.append(inv)
    sent_later = draw(later)
    changed.append(
        invoice(99, "250", due=sent_later + timedelta(days=14), issue=D, sent=sent_later, currency="USD")
    )
    cases: list[ExceptionCase] = []
    for c in book.exceptions:
        if c.status == "open" and draw(st.booleans()):
            c = replace(c, status="resolved", resolved_at=draw(later), resolution="done")
        cases.append(c)
    cases.append(case(99, 1, "dispute", draw(later)))
    return replace(book, invoices=tuple(changed), exceptions=tuple(cases))


@settings(max_examples=100, deadline=None)
@given(ledgers(), st.data())
def test_records_dated_after_the_date_do_not_change_its_report(book: Ledger, data: st.DataObject) -> None:
    after = data.draw(later_records(book))
    before_review = weekly_review(book, book.policy, D)
    after_review = weekly_review(after, after.policy, D)
    assert review_json(after_review) == review_json(before_review)
    assert review_markdown(after_review) == review_markdown(before_review)
