"""Stripe events -> what they mean for the ledger (pure, no server)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledgerops.core.matching import match_lines
from ledgerops.core.reference import invoice_reference
from ledgerops.core.stripe_events import cases_for, cursor_after, invoice_named, payment_lines, read_event
from tests.core.records import invoice, ledger

TODAY = date(2026, 11, 27)
CREATED = 1795687200  # 2026-11-26 10:00 UTC


def ev(typ: str, obj: dict[str, Any], ident: str = "evt_1", created: int = CREATED) -> dict[str, Any]:
    return {"id": ident, "object": "event", "type": typ, "created": created, "data": {"object": obj}}


def _ledger():
    return ledger(invoice(1, "1000.00", due=date(2026, 12, 10)), invoice(8, "480000", due=date(2026, 12, 10),
                  currency="JPY"))  # fmt: skip


def test_amounts_are_in_the_currency_s_smallest_unit() -> None:
    eur = read_event(
        ev("payment_intent.succeeded", {"id": "pi_1", "amount_received": 119000, "currency": "eur"})
    )
    jpy = read_event(
        ev("payment_intent.succeeded", {"id": "pi_2", "amount_received": 480000, "currency": "jpy"})
    )
    assert (eur.amount, eur.currency, eur.date) == (Decimal("1190.00"), "EUR", date(2026, 11, 26))
    assert (jpy.amount, jpy.currency) == (Decimal("480000"), "JPY")


def test_a_session_and_its_payment_intent_are_one_payment_keyed_on_the_intent() -> None:
    items = [
        read_event(ev("payment_intent.succeeded", {"id": "pi_1", "amount_received": 119000, "currency": "eur"})),
        read_event(ev("checkout.session.completed", {"id": "cs_1", "payment_intent": "pi_1", "amount_total": 119000,
                      "currency": "eur", "payment_status": "paid", "client_reference_id": "INV-2026-0001"}, "evt_2")),
    ]  # fmt: skip
    lines, _ = payment_lines(items)
    assert [(line.id, line.text) for line in lines] == [("pi_1", "INV-2026-0001")]
    [outcome] = match_lines(lines, _ledger(), TODAY, "card")
    assert outcome.records and outcome.invoices == ("INV-2026-0001",) and outcome.rule == "invoice_number"
    assert (outcome.payments[0].payment.import_id, outcome.payments[0].payment.amount) == (
        "pi_1",
        Decimal("1190.00"),
    )


def test_an_unpaid_session_is_ignored() -> None:
    item = read_event(
        ev("checkout.session.completed", {"id": "cs_1", "payment_status": "unpaid", "currency": "eur"})
    )
    assert item.kind == "ignored" and payment_lines([item])[0] == []


def test_the_invoice_is_named_by_number_or_rf_reference_never_guessed() -> None:
    led = _ledger()
    ident = led.invoices[0].id
    assert invoice_named([ident.lower().replace("-", " ")], led) == ident
    assert invoice_named([invoice_reference(ident)], led) == ident
    assert invoice_named(["something else"], led) is None
    assert invoice_named([ident, led.invoices[1].id], led) is None  # two invoices: not one


def test_failures_and_disputes_open_one_case_each() -> None:
    led = _ledger()
    ident = led.invoices[0].id
    failed = read_event(ev("payment_intent.payment_failed", {"id": "pi_9", "amount": 119000, "currency": "eur",
                           "metadata": {"invoice_id": ident}, "last_payment_error": {"code": "card_declined"}}))  # fmt: skip
    dispute = read_event(ev("charge.dispute.created", {"id": "du_1", "amount": 119000, "currency": "eur",
                            "payment_intent": "pi_1", "charge": "ch_1", "reason": "fraudulent"}, "evt_3"))  # fmt: skip
    stray = read_event(ev("charge.dispute.created", {"id": "du_2", "amount": 5, "currency": "eur"}, "evt_4"))
    cases, unrouted = cases_for([failed, failed, dispute, stray], led, {"pi_1": ident})
    assert [(c.invoice, c.reason, c.source) for c in cases] == [
        (ident, "payment_failed", "payments sync stripe pi_9"),
        (ident, "dispute", "payments sync stripe du_1"),
    ]
    assert "card_declined" in cases[0].note and "fraudulent" in cases[1].note
    assert [u.item.object_id for u in unrouted] == ["du_2"]


def test_the_cursor_is_the_newest_event() -> None:
    old = read_event(ev("invoice.paid", {"id": "in_1", "currency": "eur"}, "evt_a", CREATED))
    new = read_event(ev("invoice.paid", {"id": "in_2", "currency": "eur"}, "evt_b", CREATED + 5))
    assert cursor_after([new, old], None) == {"event": "evt_b", "created": CREATED + 5}
    assert cursor_after([], {"event": "evt_x", "created": 1}) == {"event": "evt_x", "created": 1}


def test_a_malformed_event_is_ignored_not_a_crash() -> None:
    assert read_event({"id": "evt_1", "type": "invoice.paid", "data": None}).kind == "ignored"
    assert (
        read_event({"type": "payment_intent.succeeded", "created": "x", "data": {"object": {"id": 5}}}).kind
        == "ignored"
    )
