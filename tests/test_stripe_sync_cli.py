"""`ledgerops payments sync stripe` end to end: a local server on 127.0.0.1 answers Stripe's
Events API with the documented shapes, the real `stripe` library asks it from a real
`ledgerops` process, in a real git repository."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import run_cli, snapshot
from tests.gitledger import example_repo, log, status

pytestmark = pytest.mark.slow  # a server and the ledgerops command as a process

TODAY = "2026-11-27"
KEY = "sk_test_51LedgeropsSecretKey0000000000"
PAGE = 2  # the server's page size: the library has to follow `has_more`


def at(day: str, hour: int = 10) -> int:
    return int(datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC).timestamp())


def event(ident: str, typ: str, created: int, obj: dict[str, Any]) -> dict[str, Any]:
    """An event object as https://docs.stripe.com/api/events/object documents it."""
    return {"id": ident, "object": "event", "api_version": "2024-06-20", "created": created,
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 0,
            "request": {"id": None, "idempotency_key": None}, "type": typ}  # fmt: skip


def paid_session(ident: str, pi: str, created: int, amount: int = 154600, ref: str = "INV-2026-0004") -> dict:
    return event(ident, "checkout.session.completed", created, {
        "id": f"cs_test_{pi}", "object": "checkout.session", "amount_total": amount, "currency": "eur",
        "client_reference_id": ref, "customer": "cus_123", "metadata": {}, "mode": "payment",
        "payment_intent": pi, "payment_status": "paid", "status": "complete"})  # fmt: skip


def intent_succeeded(ident: str, pi: str, created: int, amount: int = 154600) -> dict:
    """The PaymentIntent behind a Checkout Session: no metadata of the session's."""
    return event(ident, "payment_intent.succeeded", created, {
        "id": pi, "object": "payment_intent", "amount": amount, "amount_received": amount,
        "currency": "eur", "metadata": {}, "status": "succeeded", "latest_charge": f"ch_{pi}"})  # fmt: skip


def intent_failed(ident: str, pi: str, created: int) -> dict:
    return event(ident, "payment_intent.payment_failed", created, {
        "id": pi, "object": "payment_intent", "amount": 481500, "currency": "jpy",
        "metadata": {"invoice_id": "INV-2026-0005"}, "status": "requires_payment_method",
        "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds",
                               "message": "Your card has insufficient funds.", "type": "card_error"}})  # fmt: skip


def dispute(ident: str, pi: str, created: int) -> dict:
    return event(ident, "charge.dispute.created", created, {
        "id": f"du_{pi}", "object": "dispute", "amount": 154600, "currency": "eur", "charge": f"ch_{pi}",
        "payment_intent": pi, "reason": "product_not_received", "status": "needs_response",
        "metadata": {}})  # fmt: skip


class Stripe:
    """`GET /v1/events` as Stripe answers it: newest first, `created[gte]` and `types[]`
    filters, pages of PAGE with `has_more` and `starting_after`; 401 for another key."""

    def __init__(self, server: HTTPServer) -> None:
        self.events: list[dict[str, Any]] = []
        self.queries: list[dict[str, str]] = []
        server.expect_request("/v1/events", method="GET").respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {KEY}":
            error = {
                "error": {
                    "message": "Invalid API Key provided: sk_test_****0000",
                    "type": "invalid_request_error",
                }
            }
            return Response(json.dumps(error), status=401, content_type="application/json")
        args = request.args
        self.queries.append(dict(args))
        types = {v for k, v in args.items(multi=True) if k.startswith("types[")}
        since = int(args.get("created[gte]", 0))
        found = [e for e in self.events if e["created"] >= since and (not types or e["type"] in types)]
        found.sort(key=lambda e: (e["created"], e["id"]), reverse=True)
        if "starting_after" in args:
            ids = [e["id"] for e in found]
            found = found[ids.index(args["starting_after"]) + 1 :]
        limit = min(int(args.get("limit", 10)), PAGE)
        body = {"object": "list", "url": "/v1/events", "has_more": len(found) > limit, "data": found[:limit]}
        return Response(json.dumps(body), status=200, content_type="application/json")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "ledger")


@pytest.fixture
def stripe(httpserver: HTTPServer) -> Stripe:
    return Stripe(httpserver)


def sync(ledger: Path, server: HTTPServer, *extra: str, key: str = KEY, ok: bool = True) -> Any:
    env = dict(os.environ, STRIPE_API_KEY=key, LEDGEROPS_STRIPE_API_BASE=server.url_for("").rstrip("/"))
    args = ["payments", "sync", "stripe", "--ledger", str(ledger), "--today", TODAY, "--format", "json"]
    result = run_cli(*args, *extra, env=env)
    if not ok:
        return result
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    return json.loads(result.stdout)


INVOICE = "invoices/2026/INV-2026-0004.yaml"


def payments_of(ledger: Path) -> list[str]:
    return [line for line in (ledger / INVOICE).read_text().splitlines() if "import_id" in line]


def test_a_paid_checkout_session_records_one_payment_and_a_second_sync_nothing(
    ledger: Path, stripe: Stripe, httpserver: HTTPServer
) -> None:
    stripe.events = [intent_succeeded("evt_1", "pi_A", at("2026-11-26")),
                     paid_session("evt_2", "pi_A", at("2026-11-26", 11))]  # fmt: skip
    report = sync(ledger, httpserver)
    assert [
        (m["object"], m["invoice"], m["amount"], m["currency"], m["rule"]) for m in report["matched"]
    ] == [("pi_A", "INV-2026-0004", "1546.00", "EUR", "invoice_number")]
    assert payments_of(ledger) == [
        '  - {date: 2026-11-26, amount: 1546.00, method: card, ref: "INV-2026-0004", import_id: pi_A}'
    ]
    assert json.loads((ledger / "reports/stripe.json").read_text()) == {
        "event": "evt_2",
        "created": at("2026-11-26", 11),
    }
    assert log(ledger)[0].startswith("payments sync stripe: 1 payment on INV-2026-0004")
    assert status(ledger) == ""
    assert (
        set(stripe.queries[0]) >= {"types[0]", "types[4]", "limit"}
        and "created[gte]" not in stripe.queries[0]
    )

    commits = len(log(ledger))
    again = sync(ledger, httpserver)
    assert stripe.queries[-1]["created[gte]"] == str(at("2026-11-26", 11))  # from the cursor on
    assert again["matched"] == [] and [r["status"] for r in again["already_recorded"]] == ["duplicate"]
    assert len(payments_of(ledger)) == 1
    assert len(log(ledger)) == commits  # nothing new: no commit


def test_overlapping_syncs_record_each_payment_once(
    ledger: Path, stripe: Stripe, httpserver: HTTPServer
) -> None:
    stripe.events = [paid_session("evt_1", "pi_A", at("2026-11-25"), amount=50000)]
    sync(ledger, httpserver)
    # The cursor is lost (someone deleted it): Stripe lists the same event again, and a new one.
    (ledger / "reports/stripe.json").unlink()
    stripe.events.append(paid_session("evt_2", "pi_B", at("2026-11-26"), amount=104600))
    report = sync(ledger, httpserver, "--no-commit")
    assert [m["object"] for m in report["matched"]] == ["pi_B"]
    assert [r["object"] for r in report["already_recorded"]] == ["pi_A"]
    assert [line.rsplit("import_id: ", 1)[1] for line in payments_of(ledger)] == ["pi_A}", "pi_B}"]


def test_a_failed_payment_opens_one_payment_failed_case(
    ledger: Path, stripe: Stripe, httpserver: HTTPServer
) -> None:
    stripe.events = [intent_failed("evt_9", "pi_F", at("2026-11-26"))]
    report = sync(ledger, httpserver)
    [case] = report["cases"]
    assert (case["invoice"], case["reason"], case["source"]) == ("INV-2026-0005", "payment_failed",
                                                               "payments sync stripe pi_F")  # fmt: skip
    assert "481500 JPY" in case["note"] and "insufficient funds" in case["note"]
    text = (ledger / f"exceptions/{case['id']}.yaml").read_text()
    assert "reason: payment_failed" in text and "invoice: INV-2026-0005" in text
    (ledger / "reports/stripe.json").unlink()  # even when Stripe lists it again
    git_rm = sync(ledger, httpserver, "--no-commit")
    assert git_rm["cases"] == []
    assert sorted(p.name for p in (ledger / "exceptions").glob("EXC-20261127-*.yaml")) == [
        f"{case['id']}.yaml"
    ]


def test_a_dispute_opens_one_dispute_case_on_the_invoice_its_payment_paid(
    ledger: Path, stripe: Stripe, httpserver: HTTPServer
) -> None:
    stripe.events = [
        paid_session("evt_1", "pi_A", at("2026-11-25")),
        dispute("evt_2", "pi_A", at("2026-11-26")),
    ]
    report = sync(ledger, httpserver)
    [case] = report["cases"]
    assert (case["invoice"], case["reason"], case["source"]) == ("INV-2026-0004", "dispute",
                                                               "payments sync stripe du_pi_A")  # fmt: skip
    assert "product_not_received" in case["note"]
    assert "1 payment on INV-2026-0004; 1 dispute case" in log(ledger)[0]
    stripe.events.append(dispute("evt_2", "pi_A", at("2026-11-26")))  # delivered twice
    assert sync(ledger, httpserver)["cases"] == []


def test_an_unmatched_payment_is_not_guessed_and_opens_one_case(
    ledger: Path, stripe: Stripe, httpserver: HTTPServer
) -> None:
    stripe.events = [
        intent_succeeded("evt_1", "pi_X", at("2026-11-26"), amount=154600)
    ]  # the amount due of 0004
    report = sync(ledger, httpserver)
    assert report["matched"] == []
    assert [(r["object"], r["status"]) for r in report["unmatched"]] == [("pi_X", "unmatched")]
    assert payments_of(ledger) == []
    [case] = report["cases"]
    assert (case["invoice"], case["reason"], case["source"]) == (None, "unmatched_payment",
                                                               "payments sync stripe payment pi_X")  # fmt: skip
    assert "1546.00 EUR" in case["note"]
    text = (ledger / f"exceptions/{case['id']}.yaml").read_text()
    assert "reason: unmatched_payment" in text and "invoice:" not in text
    (ledger / "reports/stripe.json").unlink()  # Stripe lists it again: no second case
    assert sync(ledger, httpserver, "--no-commit")["cases"] == []


def test_dry_run_writes_nothing(ledger: Path, stripe: Stripe, httpserver: HTTPServer) -> None:
    stripe.events = [
        paid_session("evt_1", "pi_A", at("2026-11-26")),
        intent_failed("evt_2", "pi_F", at("2026-11-26")),
    ]
    before = snapshot(ledger)
    report = sync(ledger, httpserver, "--dry-run")
    assert report["dry_run"] is True
    assert [m["invoice"] for m in report["matched"]] == ["INV-2026-0004"]
    assert [c["reason"] for c in report["cases"]] == ["payment_failed"] and report["cases"][0]["id"] is None
    assert snapshot(ledger) == before


def test_a_refused_key_is_one_line_without_the_key(
    ledger: Path, stripe: Stripe, httpserver: HTTPServer
) -> None:
    stripe.events = [paid_session("evt_1", "pi_A", at("2026-11-26"))]
    before = snapshot(ledger)
    wrong = "sk_test_51WrongKey9999999999999999"
    result = sync(ledger, httpserver, key=wrong, ok=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Stripe refused STRIPE_API_KEY (401)" in result.stderr
    assert wrong not in result.stdout + result.stderr and "9999" not in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(ledger) == before


def test_without_a_key_nothing_is_asked(ledger: Path, stripe: Stripe, httpserver: HTTPServer) -> None:
    result = sync(ledger, httpserver, key="", ok=False)
    assert result.returncode == 2 and "STRIPE_API_KEY is not set" in result.stderr
    assert stripe.queries == []
