"""Matching bank lines to invoices: one row per rule, status and refusal (pure, no files)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from stdnum import iso11649

from ledgerops.core.bank import BankLine, with_ids
from ledgerops.core.matching import match_lines, numbering_pattern
from ledgerops.core.model import Ledger, Payment
from ledgerops.core.reference import compact, invoice_reference, is_valid, printed
from tests.core.records import CLIENTS, invoice, ledger

TODAY = date(2026, 11, 27)
DUE = date(2026, 12, 10)


def _ledger() -> Ledger:
    clients = dict(CLIENTS)
    clients["acme"] = replace(clients["acme"], iban="DE02100100109307118603")
    return replace(ledger(
        invoice(1, "1000.00", due=DUE),
        invoice(2, "250.00", due=DUE),
        invoice(3, "250.00", due=DUE, client="bolt"),
        invoice(4, "250.00", due=DUE, client="bolt"),
        invoice(5, "400.00", due=DUE, client="calm", currency="USD"),
        invoice(6, "80.00", due=DUE, payments=[(date(2026, 11, 20), "80.00")]),
        invoice(7, "90.00", due=DUE, status="void", voided=date(2026, 11, 2)),
        invoice(8, "480000", due=DUE, client="calm", currency="JPY"),
    ), clients=clients)  # fmt: skip


def line(amount: str, text: str = "", *, kind: str = "credit", currency: str = "EUR", name: str | None = None,
         iban: str | None = None, reference: str | None = None, ref: str | None = None) -> BankLine:  # fmt: skip
    return BankLine("s.xml:1", date(2026, 11, 25), Decimal(amount), currency, kind, name, iban, text,
                    reference, ref)  # fmt: skip


def outcome(
    *lines: BankLine, the_ledger: Ledger | None = None
) -> list[tuple[str, str | None, tuple[str, ...]]]:
    found = match_lines(with_ids(lines), the_ledger or _ledger(), TODAY)
    return [(o.status, o.rule, o.invoices) for o in found]


@pytest.mark.parametrize(
    ("bank_line", "expected"),
    [
        (line("1000.00", reference=invoice_reference("INV-2026-0001")), ("applied", "reference", ("INV-2026-0001",))),
        (line("1000.00", f"Payment {printed(invoice_reference('INV-2026-0001'))} thanks"),
         ("applied", "reference", ("INV-2026-0001",))),
        (line("1000.00", "Rechnung inv 2026 0001"), ("applied", "invoice_number", ("INV-2026-0001",))),
        (line("1000.00", "INV_2026-0001"), ("applied", "invoice_number", ("INV-2026-0001",))),
        (line("300.00", "INV-2026-0001 first part"), ("partial", "invoice_number", ("INV-2026-0001",))),
        (line("1200.00", "INV-2026-0001"), ("over", "invoice_number", ("INV-2026-0001",))),
        (line("1250.00", "INV-2026-0001 INV-2026-0002"),
         ("applied", "invoice_number", ("INV-2026-0001", "INV-2026-0002"))),
        (line("1100.00", "INV-2026-0001 INV-2026-0002"),
         ("ambiguous", "invoice_number", ("INV-2026-0001", "INV-2026-0002"))),
        (line("1000.00", "no reference", iban="DE02100100109307118603"),
         ("applied", "payer_amount", ("INV-2026-0001",))),
        (line("1000.00", "", name="ACME GMBH"), ("applied", "payer_amount", ("INV-2026-0001",))),
        (line("1250.00", "", name="ACME GmbH"), ("applied", "payer_sum", ("INV-2026-0001", "INV-2026-0002"))),
        (line("250.00", "", name="Bolt Ltd"), ("ambiguous", "payer_amount", ("INV-2026-0003", "INV-2026-0004"))),
        (line("500.00", "", name="Bolt Ltd"), ("applied", "payer_sum", ("INV-2026-0003", "INV-2026-0004"))),
        (line("999.00", "", name="Bolt Ltd"), ("unmatched", None, ())),
        (line("400.00", "INV-2026-0005"), ("reported", "invoice_number", ("INV-2026-0005",))),
        (line("400.00", "INV-2026-0005", currency="USD"), ("applied", "invoice_number", ("INV-2026-0005",))),
        (line("480000.00", "INV-2026-0008", currency="JPY"), ("applied", "invoice_number", ("INV-2026-0008",))),
        (line("1000.00", "INV-2026-0001", kind="return"), ("reported", None, ("INV-2026-0001",))),
        (line("1000.00", "INV-2026-0001", kind="chargeback"), ("reported", None, ("INV-2026-0001",))),
        (line("1000.00", "INV-2026-0001", kind="debit"), ("reported", None, ("INV-2026-0001",))),
        (line("80.00", "INV-2026-0006"), ("unmatched", "invoice_number", ("INV-2026-0006",))),
        (line("90.00", "INV-2026-0007"), ("unmatched", "invoice_number", ("INV-2026-0007",))),
        (line("90.00", "INV-2026-0999"), ("unmatched", None, ())),
        (line("90.00", "Miete Dezember"), ("unmatched", None, ())),
    ],
)  # fmt: skip
def test_each_rule_and_refusal(
    bank_line: BankLine, expected: tuple[str, str | None, tuple[str, ...]]
) -> None:
    assert outcome(bank_line) == [expected]


def test_lines_that_look_like_ours_are_flagged_for_a_case() -> None:
    found = match_lines(with_ids([line("1.00", "INV-2026-0999"), line("2.00", "Miete"),
                                  line("80.00", "INV-2026-0006")]), _ledger(), TODAY)  # fmt: skip
    assert [o.looks_ours for o in found] == [True, False, True]


def test_a_later_line_sees_what_an_earlier_one_paid() -> None:
    assert outcome(line("1000.00", "INV-2026-0001"), line("1000.00", "INV-2026-0001")) == [
        ("applied", "invoice_number", ("INV-2026-0001",)),
        ("unmatched", "invoice_number", ("INV-2026-0001",)),
    ]


def test_an_already_recorded_line_is_a_duplicate_and_records_nothing() -> None:
    first = with_ids([line("300.00", "INV-2026-0001", ref="BANK-1")])[0]
    recorded = Payment(first.date, Decimal("300.00"), import_id=first.id)
    base = _ledger()
    invoices = tuple(
        replace(inv, payments=(recorded,)) if inv.id == "INV-2026-0001" else inv for inv in base.invoices
    )
    found = match_lines([first], replace(base, invoices=invoices), TODAY)
    assert [(o.status, o.payments) for o in found] == [("duplicate", ())]


def test_the_same_line_twice_in_one_import_records_once() -> None:
    a = with_ids([line("300.00", "INV-2026-0001", ref="BANK-1")])[0]
    assert [o.status for o in match_lines([a, a], _ledger(), TODAY)] == ["partial", "duplicate"]


def test_a_payment_dated_after_today_is_reported() -> None:
    late = replace(line("1000.00", "INV-2026-0001"), date=date(2026, 11, 30))
    assert outcome(late) == [("reported", "invoice_number", ("INV-2026-0001",))]


def test_ids_come_from_the_bank_reference_or_a_digest_stable_across_overlap() -> None:
    a, b = line("10.00", "x"), line("20.00", "y")
    first = with_ids([a, b, a])
    later = with_ids([b, a, a, line("30.00", "z")])
    assert first[0].id != first[2].id
    assert {x.id for x in first} <= {x.id for x in later}
    assert with_ids([line("1.00", ref="R-1"), line("1.00", ref="R-1")])[1].id == "R-1#2"
    assert with_ids([line("1.00", ref="R-1")])[0].id == "R-1"


@pytest.mark.parametrize("number", ["INV-2026-0001", "INV-2026-1234", "A-1", "2026/0042", "X" * 40])
def test_rf_references_are_valid_iso_11649(number: str) -> None:
    reference = invoice_reference(number)
    assert iso11649.is_valid(reference) and is_valid(reference)
    assert len(reference) <= 25 and compact(printed(reference)) == reference


def test_numbering_pattern() -> None:
    pattern = numbering_pattern("INV-{year}-{seq:04d}")
    assert pattern.search(compact("see inv-2026-0999")) and not pattern.search(compact("Miete 2026"))


def test_a_client_iban_is_checked() -> None:
    from ledgerops.core.checks import check_client
    from tests.core.records import policy

    good = replace(CLIENTS["acme"], iban="DE02 1001 0010 9307 1186 03")
    bad = replace(CLIENTS["acme"], iban="DE02100100109307118604")
    codes = [[d.code for d in check_client(c, policy()) if d.code != "id-mismatch"] for c in (good, bad)]
    assert codes == [[], ["invalid-iban"]]
