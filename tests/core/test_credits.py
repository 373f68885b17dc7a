"""Credit notes in the core: what they take off a balance and when, the state they leave, the
lines `credit` writes, the rules `check` applies, and how the report's figures count them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ledgerops.core.amounts import balance, derived_state, invoice_total, refund_due
from ledgerops.core.credits import (
    CreditProblem,
    check_credit_notes,
    lines_by_number,
    lines_for_amount,
    lines_for_rest,
    with_credits,
)
from ledgerops.core.metrics import metrics_at
from ledgerops.core.model import CreditNote, Invoice, Line
from ledgerops.core.schedule import plan_reminders
from tests.core.records import invoice, ledger, policy

A = date(2026, 11, 27)


def note(n: int, credits: str, amount: str, day: date, *, rate: str = "0", **kw: object) -> CreditNote:
    fields: dict = {"client": "acme", "currency": "EUR", "reason": "discount", "status": "sent", **kw}
    return CreditNote(
        id=f"CN-2026-{n:04d}", credits=credits, issue_date=day,
        lines=(Line("Credit", Decimal(1), Decimal(amount), Decimal(rate)),),
        path=f"credit-notes/2026/CN-2026-{n:04d}.yaml", **fields,
    )  # fmt: skip


def credited(inv: Invoice, *notes: CreditNote) -> Invoice:
    (with_notes,) = with_credits([inv], notes)
    return with_notes


def test_a_credit_lowers_the_balance_from_its_date() -> None:
    inv = credited(invoice(1, "1000.00", due=A), note(1, "INV-2026-0001", "300.00", A - timedelta(days=2)))
    assert balance(inv, A - timedelta(days=3)) == Decimal("1000.00")
    assert balance(inv, A) == Decimal("700.00")


def test_closed_by_credit_alone_is_credited_and_gets_no_reminder() -> None:
    inv = credited(invoice(1, "1000.00", due=A - timedelta(days=10)), note(1, "INV-2026-0001", "1000.00", A))
    assert derived_state(inv, A, paused=False) == "credited"
    plan = plan_reminders(ledger(inv), A)
    assert not plan.send and not plan.late_fees


def test_a_credit_beyond_what_was_unpaid_is_a_refund_due() -> None:
    paid = invoice(1, "1000.00", due=A, payments=[(A - timedelta(days=5), "1000.00")])
    inv = credited(paid, note(1, "INV-2026-0001", "250.00", A))
    assert derived_state(inv, A, paused=False) == "paid"
    assert refund_due(inv, A) == Decimal("250.00")
    assert refund_due(paid, A) == 0  # an overpayment without credit notes is not a refund due


def test_void_invoices_and_drafts_carry_no_credit() -> None:
    void = invoice(1, "100.00", due=A, status="void", voided=A)
    assert credited(void, note(1, "INV-2026-0001", "100.00", A)).credited == ()


def test_an_amount_is_one_line_whose_total_is_exact() -> None:
    inv = replace(
        invoice(1, "1000.00", due=A), lines=(Line("Work", Decimal(1), Decimal("1000.00"), Decimal(19)),)
    )
    (line,) = lines_for_amount(inv, Decimal("100.00"), "discount")
    assert line.unit_price + (line.unit_price * Decimal("0.19")).quantize(Decimal("0.01")) == Decimal(
        "100.00"
    )
    assert line.tax_rate == 19


def test_an_amount_on_several_tax_rates_asks_for_lines() -> None:
    inv = replace(invoice(1, "10", due=A), lines=(Line("a", Decimal(1), Decimal(10), Decimal(19)),
                                                   Line("b", Decimal(1), Decimal(10), Decimal(7))))  # fmt: skip
    with pytest.raises(CreditProblem, match="--lines"):
        lines_for_amount(inv, Decimal("5"), "discount")
    assert lines_by_number(inv, [2]) == (inv.lines[1],)
    with pytest.raises(CreditProblem):
        lines_by_number(inv, [3])


def test_full_credits_what_is_left_per_rate() -> None:
    inv = invoice(1, "1000.00", due=A)
    assert lines_for_rest(inv, []) == inv.lines
    (left,) = lines_for_rest(inv, [note(1, "INV-2026-0001", "300.00", A)])
    assert left.unit_price == Decimal("700.00")
    with pytest.raises(CreditProblem):
        lines_for_rest(inv, [note(1, "INV-2026-0001", "1000.00", A)])


def _codes(notes: list[CreditNote], invoices: list[Invoice], the_policy=None) -> list[str]:  # type: ignore[no-untyped-def]
    by_id = {inv.id: inv for inv in invoices if inv.numbered}
    known = {inv.id for inv in invoices}
    return sorted(
        d.code for d in check_credit_notes(the_policy or policy(), notes, by_id, known, set(), set())
    )


def test_check_rules() -> None:
    inv = invoice(1, "1000.00", due=A)
    assert _codes([note(1, "INV-2026-0001", "1000.00", A)], [inv]) == []
    assert _codes([note(1, "INV-2026-0001", "600.00", A), note(2, "INV-2026-0001", "600.00", A)], [inv]) == [
        "credit-exceeds-invoice"
    ]
    assert _codes([note(1, "INV-2026-0009", "1.00", A)], [inv]) == ["credit-unknown-invoice"]
    assert _codes([note(1, "INV-2026-0001", "1.00", A, currency="USD")], [inv]) == ["credit-currency"]
    assert _codes([note(1, "INV-2026-0001", "1.00", A, rate="19")], [inv]) == ["credit-tax-rate"]
    assert _codes([note(1, "INV-2026-0001", "1.00", A, reason="whim")], [inv]) == ["unknown-credit-reason"]
    assert _codes([note(1, "INV-2026-0001", "1.00", A, case="EXC-1")], [inv]) == ["credit-unknown-case"]
    assert _codes([note(2, "INV-2026-0001", "1.00", A)], [inv]) == ["numbering-gap"]
    assert _codes([note(1, "INV-2026-0001", "-1.00", A)], [inv]) == [
        "credit-not-positive",
        "credit-not-positive",
    ]
    draft = replace(invoice(2, "10.00", due=A, status="draft"), id="DRAFT-acme-WEB-M1")
    assert _codes([note(1, "DRAFT-acme-WEB-M1", "1.00", A)], [inv, draft]) == ["credit-of-draft"]
    numbered_draft = replace(
        note(1, "INV-2026-0001", "1.00", A), path="credit-notes/drafts/CN-2026-0001.yaml"
    )
    assert "credit-draft-numbered" in _codes([numbered_draft], [inv])


def test_paid_invoices_may_be_credited_up_to_their_total() -> None:
    paid = invoice(1, "1000.00", due=A, payments=[(A, "1000.00")])
    assert _codes([note(1, "INV-2026-0001", "1000.00", A)], [paid]) == []
    assert _codes([note(1, "INV-2026-0001", "1000.01", A)], [paid]) == ["credit-exceeds-invoice"]


def test_the_report_counts_credit_notes_by_their_dates() -> None:
    inv = invoice(1, "1000.00", due=A - timedelta(days=5), issue=A - timedelta(days=35))
    before = metrics_at(ledger(inv), policy(), A)[0]
    later = credited(inv, note(1, "INV-2026-0001", "400.00", A - timedelta(days=1)))
    after = metrics_at(ledger(later), policy(), A)[0]
    assert (before.receivable, after.receivable) == (Decimal("1000.00"), Decimal("600.00"))
    assert after.sales == before.sales - Decimal("400.00")
    # Settled by credit before its due date: on time.
    settled = credited(inv, note(1, "INV-2026-0001", "1000.00", A - timedelta(days=6)))
    m = metrics_at(ledger(settled), policy(), A)[0]
    assert (m.receivable, m.on_time_paid, m.on_time_due) == (0, 1, 1)
    assert invoice_total(note(1, "x", "5.00", A)) == Decimal("5.00")


def test_the_document_a_reminder_attaches_asks_only_for_what_is_left() -> None:
    from ledgerops.core.document import invoice_document

    inv = credited(invoice(1, "1000.00", due=A), note(1, "INV-2026-0001", "300.00", A))
    doc = invoice_document(ledger(inv), inv, A)
    assert (doc.credited, doc.amount_due) == (Decimal("300.00"), Decimal("700.00"))


def test_a_credit_note_document_names_the_invoice_it_corrects() -> None:
    from ledgerops.core.document import credit_note_document

    inv = invoice(1, "1000.00", due=A)
    cn = note(1, "INV-2026-0001", "300.00", A)
    doc = credit_note_document(ledger(inv), cn)
    assert (doc.type_code, doc.preceding_invoice, doc.preceding_issue_date) == ("381", inv.id, inv.issue_date)
    assert doc.totals.total == Decimal("300.00") and doc.lines[0].net == Decimal("300.00")
