"""Payments and voids are validated before anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerops.core.model import Payment
from ledgerops.core.payments import payment_problems, void_problems
from tests.core.ledgers import POLICY, draft, invoice

TODAY = date(2026, 11, 27)
SENT = invoice(1, payments=(Payment(date(2026, 11, 10), Decimal("190.00"), "bank_transfer", "r1"),))


def _codes(problems) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in problems]


def test_a_good_payment_has_no_problem() -> None:
    assert (
        payment_problems(
            SENT, Payment(date(2026, 11, 20), Decimal("1000.00"), "bank_transfer"), POLICY, TODAY
        )
        == []
    )


@pytest.mark.parametrize(
    ("target", "payment", "expected"),
    [(invoice(1, status="draft"), Payment(TODAY, Decimal("1.00")), [("invoice-not-sent", "error")]),
     (invoice(1, status="void", voided_at=TODAY), Payment(TODAY, Decimal("1.00")), [("invoice-void", "error")]),
     (SENT, Payment(TODAY, Decimal("1.005")), [("amount-precision", "error")]),
     (SENT, Payment(TODAY, Decimal("0")), [("amount-not-positive", "error")]),
     (SENT, Payment(date(2026, 11, 1), Decimal("1.00")), [("payment-before-issue", "error")]),
     (SENT, Payment(date(2026, 11, 28), Decimal("1.00")), [("date-in-future", "error")]),
     (SENT, Payment(date(2026, 11, 10), Decimal("190.00"), "bank_transfer", "r1"), [("payment-duplicate", "error")]),
     (SENT, Payment(TODAY, Decimal("1.00"), "cheque"), [("unknown-payment-method", "warning")]),
     (SENT, Payment(TODAY, Decimal("1000.01")), [("overpaid", "warning")])],
)  # fmt: skip
def test_payment_problems(target, payment: Payment, expected: list) -> None:
    assert _codes(payment_problems(target, payment, POLICY, TODAY)) == expected


def test_the_overpayment_warning_names_the_excess() -> None:
    (problem,) = payment_problems(SENT, Payment(TODAY, Decimal("1010.00")), POLICY, TODAY)
    assert "overpaid by 10.00 EUR" in problem.message


ISSUED = invoice(1, status="draft", drafted_as="DRAFT-acme-WEB-M1")


@pytest.mark.parametrize(
    ("target", "day", "expected"),
    [(invoice(1), TODAY, [("void-sent", "error")]),  # sent: a credit note cancels it
     (invoice(1, status="draft", drafted_as="DRAFT-acme-WEB-M1"), TODAY, []),  # issued, email not accepted yet
     (draft("M1"), TODAY, [("void-draft", "error")]),
     (invoice(1, status="void", voided_at=TODAY), TODAY, [("invoice-void", "error")]),
     (SENT, TODAY, [("void-has-payments", "error")]),
     (ISSUED, date(2026, 11, 1), [("date-order", "error")]),
     (ISSUED, date(2026, 11, 28), [("date-in-future", "error")])],
)  # fmt: skip
def test_void_problems(target, day: date, expected: list) -> None:
    assert _codes(void_problems(target, day, TODAY)) == expected
