"""docs/spec.md §7's figures, computed by hand for small ledgers: buckets at their edges, payments and
late fees around the as-of date, voids, empty windows, several currencies, the weekly series."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ledgerops.core.metrics import (
    CurrencyMetrics,
    WeekPoint,
    aging,
    bucket_labels,
    drift_alerts,
    metrics_at,
    weekly_series,
)
from tests.core.records import invoice, ledger, policy

A = date(2026, 11, 27)  # a Friday


def days(n: int) -> timedelta:
    return timedelta(days=n)


def figures(book, as_of: date = A, currency: str = "EUR") -> CurrencyMetrics:
    return next(m for m in metrics_at(book, book.policy, as_of) if m.currency == currency)


def test_buckets_at_their_edges() -> None:
    # Powers of two, so every bucket's sum says exactly which invoices are in it.
    past_due = (0, 1, 30, 31, 60, 61, 90, 91)
    book = ledger(*(invoice(i, str(2**i), due=A - days(d)) for i, d in enumerate(past_due)))
    m = figures(book)
    assert m.aging == (Decimal(1), Decimal(2 + 4), Decimal(8 + 16), Decimal(32 + 64), Decimal(128))
    assert m.receivable == 255 == sum(m.aging)
    assert m.overdue == 254


@pytest.mark.parametrize(
    ("edges", "labels"),
    [
        ((30, 60, 90), ("current", "1-30", "31-60", "61-90", "90+")),
        ((14, 45), ("current", "1-14", "15-45", "45+")),
        ((7,), ("current", "1-7", "7+")),
    ],
)
def test_bucket_labels_follow_the_policy(edges: tuple[int, ...], labels: tuple[str, ...]) -> None:
    assert bucket_labels(edges) == labels


def test_other_bucket_edges_from_the_policy() -> None:
    book = ledger(
        *(invoice(i, str(2**i), due=A - days(d)) for i, d in enumerate((14, 15, 45, 46))),
        the_policy=policy(aging_buckets=(14, 45)),
    )
    assert figures(book).aging == (Decimal(0), Decimal(1), Decimal(2 + 4), Decimal(8))


def test_partial_payments_count_only_up_to_the_as_of_date() -> None:
    book = ledger(
        invoice(1, "1000.00", due=A - days(10), payments=[(A - days(5), "300.00"), (A + days(1), "200.00")])
    )
    assert figures(book).receivable == Decimal("700.00")
    assert figures(book, A + days(1)).receivable == Decimal("500.00")
    assert figures(book, A - days(6)).receivable == Decimal("1000.00")


def test_late_fees_count_from_their_date_and_are_not_sales() -> None:
    book = ledger(
        invoice(1, "1000.00", due=A - days(20), fees=[(A - days(13), "15.00"), (A + days(1), "9.00")]),
    )
    m = figures(book)
    assert m.receivable == Decimal("1015.00")
    assert m.aging[1] == Decimal("1015.00")
    assert m.sales == Decimal("1000.00")
    assert figures(book, A - days(14)).receivable == Decimal("1000.00")


def test_paid_in_full_is_not_receivable_and_overpaid_does_not_go_negative() -> None:
    book = ledger(
        invoice(1, "500.00", due=A - days(3), payments=[(A - days(4), "500.00")]),
        invoice(2, "500.00", due=A - days(3), payments=[(A - days(4), "600.00")]),
        invoice(3, "70.00", due=A - days(3)),
    )
    assert figures(book).receivable == Decimal("70.00")


def test_void_invoices_count_until_they_were_voided() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(5), status="void", voided=A - days(1)),
        invoice(2, "200.00", due=A - days(5), status="void", voided=A + days(3)),
        invoice(3, "400.00", due=A - days(5), status="void"),  # no voided_at: never counts
    )
    m = figures(book)
    assert m.receivable == Decimal("200.00")
    assert m.sales == Decimal("200.00")
    assert figures(book, A + days(3)).receivable == 0


def test_drafts_and_invoices_sent_after_the_date_are_not_receivable_nor_sales() -> None:
    book = ledger(
        invoice(1, "100.00", due=A + days(10), status="draft"),
        invoice(2, "200.00", due=A + days(10), issue=A - days(2), sent=A + days(1)),
        invoice(3, "400.00", due=A + days(10), issue=A - days(2), sent=A),
    )
    m = figures(book)
    assert (m.receivable, m.sales) == (Decimal("400.00"), Decimal("400.00"))


def test_dso_is_receivable_over_the_window_sales_times_the_window() -> None:
    # B is outside the 90-day sales window [A-89, A] but still owed: DSO = 2500 / 1000 × 90.
    book = ledger(
        invoice(1, "1000.00", issue=A - days(10), due=A + days(20)),
        invoice(2, "2000.00", issue=A - days(100), due=A - days(70), payments=[(A - days(60), "500.00")]),
    )
    m = figures(book)
    assert (m.receivable, m.sales, m.dso) == (Decimal("2500.00"), Decimal("1000.00"), Decimal("225.0"))
    assert m.aging[3] == Decimal("1500.00")


def test_the_sales_window_includes_its_first_day() -> None:
    book = ledger(
        invoice(1, "3.00", issue=A - days(89), due=A - days(59), payments=[(A - days(60), "3.00")]),
        invoice(2, "5.00", issue=A - days(90), due=A - days(60), payments=[(A - days(60), "5.00")]),
    )
    assert figures(book).sales == Decimal("3.00")


@pytest.mark.parametrize(("receivable", "sales", "dso"), [("1.00", "8.00", "11.3"), ("1.00", "16.00", "5.6")])
def test_dso_is_rounded_half_up_to_a_tenth(receivable: str, sales: str, dso: str) -> None:
    # 1/8 × 90 = 11.25 -> 11.3 (half-up, not half-even); 1/16 × 90 = 5.625 -> 5.6.
    paid = Decimal(sales) - Decimal(receivable)
    book = ledger(invoice(1, sales, issue=A - days(1), due=A + days(29), payments=[(A, str(paid))]))
    assert figures(book).dso == Decimal(dso)


def test_no_sales_means_no_dso() -> None:
    book = ledger(invoice(1, "800.00", issue=A - days(200), due=A - days(170)))
    m = figures(book)
    assert m.receivable == Decimal("800.00") and m.sales == 0
    assert m.dso is None


def test_on_time_rate_over_the_invoices_due_in_the_window() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(27), payments=[(A - days(27), "100.00")]),  # on the due day
        invoice(2, "100.00", due=A - days(28), payments=[(A - days(28), "100.00")]),  # outside the window
        invoice(3, "100.00", due=A, payments=[(A, "100.00")]),  # due today, paid today
        invoice(4, "100.00", due=A - days(5), payments=[(A - days(4), "100.00")]),  # a day late
        invoice(5, "100.00", due=A - days(3), payments=[(A - days(4), "60.00"), (A - days(2), "40.00")]),
        invoice(6, "100.00", due=A - days(1), payments=[(A - days(9), "60.00"), (A - days(1), "40.00")]),
        invoice(7, "100.00", due=A - days(2), status="void", voided=A - days(20)),
    )
    m = figures(book)
    assert (m.on_time_paid, m.on_time_due, m.on_time_rate) == (3, 5, Decimal("0.600"))


def test_a_late_fee_does_not_make_a_payment_in_full_late() -> None:
    book = ledger(
        invoice(
            1, "100.00", due=A - days(3), payments=[(A - days(3), "100.00")], fees=[(A - days(1), "1.50")]
        )
    )
    m = figures(book)
    assert m.on_time_rate == Decimal("1.000")
    assert m.receivable == Decimal("1.50")


def test_on_time_rate_is_rounded_to_a_thousandth() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(1), payments=[(A - days(2), "100.00")]),
        invoice(2, "100.00", due=A - days(1), payments=[(A - days(2), "100.00")]),
        invoice(3, "100.00", due=A - days(1)),
    )
    assert figures(book).on_time_rate == Decimal("0.667")


def test_nothing_due_means_no_on_time_rate() -> None:
    book = ledger(invoice(1, "100.00", due=A + days(5)))
    m = figures(book)
    assert (m.on_time_due, m.on_time_rate) == (0, None)


def test_several_currencies_are_never_mixed() -> None:
    book = ledger(
        invoice(1, "1000.00", due=A - days(40), issue=A - days(50)),
        invoice(
            2, "480000", due=A - days(5), issue=A - days(50), currency="JPY", fees=[(A - days(1), "7200")]
        ),
        invoice(3, "120000", due=A + days(5), issue=A - days(10), currency="JPY"),
    )
    eur, usd, jpy = metrics_at(book, book.policy, A)
    assert [eur.currency, usd.currency, jpy.currency] == ["EUR", "USD", "JPY"]
    assert (eur.receivable, eur.aging[2], eur.dso) == (
        Decimal("1000.00"),
        Decimal("1000.00"),
        Decimal("90.0"),
    )
    assert (usd.receivable, usd.sales, usd.dso, usd.on_time_rate) == (0, 0, None, None)
    assert jpy.receivable == Decimal("607200")
    assert jpy.aging == (Decimal("120000"), Decimal("487200"), 0, 0, 0)
    assert jpy.dso == Decimal("91.1")  # 607200 / 600000 × 90 = 91.08


def test_per_client_aging_puts_the_largest_overdue_first() -> None:
    book = ledger(
        invoice(1, "100.00", due=A - days(3), client="acme"),
        invoice(2, "5000.00", due=A + days(3), client="bolt"),
        invoice(3, "300.00", due=A - days(40), client="bolt"),
        invoice(4, "900.00", due=A - days(1), client="calm"),
        invoice(5, "50", due=A - days(1), client="acme", currency="JPY"),
    )
    rows = [(c.client, c.currency, c.overdue) for c in aging(book, book.policy, A).clients]
    assert rows == [
        ("calm", "EUR", Decimal("900.00")),
        ("bolt", "EUR", Decimal("300.00")),
        ("acme", "EUR", Decimal("100.00")),
        ("acme", "JPY", Decimal("50")),
    ]


def test_the_series_has_eight_weeks_ending_on_the_policy_weekday() -> None:
    book = ledger(invoice(1, "100.00", due=A))
    points = weekly_series(book, book.policy, A).points
    assert [p.week for p in points] == [f"2026-W{w}" for w in range(41, 49)]
    assert [p.end for p in points] == [A - days(7 * k) for k in range(7, -1, -1)]
    assert all(p.end.weekday() == 4 and p.as_of == p.end for p in points)


def test_mid_week_the_last_week_is_measured_up_to_the_as_of_date() -> None:
    wednesday = A - days(2)
    book = ledger(invoice(1, "100.00", due=A))
    points = weekly_series(book, book.policy, wednesday).points
    assert (points[-1].week, points[-1].end, points[-1].as_of) == ("2026-W48", A, wednesday)
    assert (points[-2].end, points[-2].as_of) == (A - days(7), A - days(7))


def test_weeks_ending_on_another_weekday_are_named_by_their_last_day() -> None:
    book = ledger(invoice(1, "100.00", due=A), the_policy=policy(weekday="sunday"))
    points = weekly_series(book, book.policy, A).points
    assert points[-1].end == date(2026, 11, 29) and points[-1].week == "2026-W48"
    book = ledger(invoice(1, "100.00", due=A), the_policy=policy(weekday="monday"))
    assert weekly_series(book, book.policy, A).points[-1].week == "2026-W49"


def test_the_series_grows_when_drift_needs_more_steps() -> None:
    book = ledger(invoice(1, "100.00", due=A), the_policy=policy(drift_weeks=9))
    assert len(weekly_series(book, book.policy, A).points) == 10


def test_every_week_of_the_series_equals_the_figures_as_of_its_day() -> None:
    book = ledger(
        invoice(1, "1000.00", issue=A - days(80), due=A - days(50), payments=[(A - days(20), "1000.00")]),
        invoice(2, "700.00", issue=A - days(40), due=A - days(26), fees=[(A - days(19), "10.50")]),
        invoice(3, "90.00", issue=A - days(140), due=A - days(110), payments=[(A - days(100), "90.00")]),
        invoice(4, "300.00", issue=A - days(20), due=A - days(6), status="void", voided=A - days(12)),
    )
    for point in weekly_series(book, book.policy, A).points:
        assert point.currencies == metrics_at(book, book.policy, point.as_of), point.week


def _point(week: int, dso: str | None, rate: str | None) -> WeekPoint:
    m = CurrencyMetrics(
        "EUR", Decimal(0), (Decimal(0),) * 5, Decimal(0),
        Decimal(dso) if dso else None, Decimal(rate) if rate else None, 0, 0,
    )  # fmt: skip
    end = date(2026, 1, 2) + days(7 * week)
    return WeekPoint(f"W{week}", end, end, (m,))


@pytest.mark.parametrize(
    ("series", "drift_weeks", "alerts"),
    [
        ([("80.0", "0.5"), ("85.0", "0.5"), ("90.0", "0.5")], 2, [("dso", ("80.0", "85.0", "90.0"))]),
        ([("80.0", "0.5"), ("90.0", "0.4"), ("85.0", "0.3")], 2, [("on_time_rate", ("0.5", "0.4", "0.3"))]),
        ([("80.0", "0.5"), ("90.0", "0.5"), ("90.0", "0.5")], 2, []),  # flat is not worse
        ([("90.0", "0.5"), ("80.0", "0.5"), ("85.0", "0.5")], 2, []),
        ([("90.0", "0.5"), ("80.0", "0.5"), ("85.0", "0.5")], 1, [("dso", ("80.0", "85.0"))]),
        ([(None, None), ("85.0", "0.4"), ("90.0", "0.3")], 2, []),  # an undefined week breaks the run
    ],
)
def test_drift_is_a_metric_worse_in_each_of_the_last_steps(series, drift_weeks, alerts) -> None:
    points = [_point(i, dso, rate) for i, (dso, rate) in enumerate(series)]
    found = [(a.metric, tuple(str(v) for v in a.values)) for a in drift_alerts(points, drift_weeks)]
    assert found == alerts


@pytest.mark.parametrize(
    ("series", "least", "alerts"),
    [
        ([("87.9", "0.5"), ("88.2", "0.5"), ("88.6", "0.5")], ("2", "5"), []),  # 0.7 days: noise
        (
            [("87.9", "0.5"), ("88.2", "0.5"), ("89.9", "0.5")],
            ("2", "5"),
            [("dso", ("87.9", "88.2", "89.9"))],
        ),
        ([("80.0", "0.50"), ("80.0", "0.48"), ("80.0", "0.46")], ("2", "5"), []),  # 4 points
        (
            [("80.0", "0.50"), ("80.0", "0.48"), ("80.0", "0.45")],
            ("2", "5"),
            [("on_time_rate", ("0.50", "0.48", "0.45"))],
        ),
        (
            [("87.9", "0.5"), ("88.2", "0.5"), ("88.6", "0.5")],
            ("0", "0"),
            [("dso", ("87.9", "88.2", "88.6"))],
        ),
    ],
)
def test_drift_needs_a_minimum_move_over_the_steps(series, least, alerts) -> None:
    points = [_point(i, dso, rate) for i, (dso, rate) in enumerate(series)]
    found = drift_alerts(points, 2, Decimal(least[0]), Decimal(least[1]))
    assert [(a.metric, tuple(str(v) for v in a.values)) for a in found] == alerts
