"""Which drafts send sends today, and the one reason each other draft waits."""

from __future__ import annotations

from datetime import date

import pytest

from ledgerops.core.model import ExceptionCase
from ledgerops.core.sending import plan_sending
from tests.core.ledgers import POLICY, invoice, ledger, with_review

TODAY = date(2026, 11, 27)


def _draft(number: int = 2, **fields: object):
    base = {"status": "draft", "issue_date": date(2026, 11, 26), "due_date": date(2026, 12, 26)}
    base.update(fields)
    return invoice(number, **base)


def test_an_approved_draft_is_sent_with_its_recipients_and_total() -> None:
    plan = plan_sending(ledger(invoice(1), _draft()), TODAY)
    assert [o.invoice.id for o in plan.send] == ["INV-2026-0002"] and plan.blocked == ()
    assert plan.send[0].to == ("ap@acme.example",) and str(plan.send[0].total) == "1190.00"


def test_sent_and_void_invoices_are_not_sent_again() -> None:
    plan = plan_sending(ledger(invoice(1), invoice(2, status="void")), TODAY)
    assert plan.send == () and plan.blocked == ()


CASE = ExceptionCase("EXC-2026-0001", "INV-2026-0002", "po_mismatch", date(2026, 11, 26))


@pytest.mark.parametrize(
    ("draft", "exceptions", "uncommitted", "code"),
    [(_draft(hold="legal review"), (), (), "send-on-hold"),
     (_draft(), (CASE,), (), "send-open-exception"),
     (_draft(client="nord"), (), (), "send-po-missing"),
     (_draft(issue_date=date(2026, 11, 30)), (), (), "send-future-issue"),
     (_draft(issue_date=date(2026, 11, 19)), (), (), "send-stale-draft"),
     (_draft(), (), ("invoices/2026/INV-2026-0002.yaml",), "send-not-approved")],
)  # fmt: skip
def test_a_draft_that_waits_says_why(draft, exceptions, uncommitted, code: str) -> None:
    plan = plan_sending(ledger(invoice(1), draft, exceptions=exceptions), TODAY, uncommitted)
    assert plan.send == ()
    assert [(b.invoice.id, b.reason.code) for b in plan.blocked] == [("INV-2026-0002", code)]


def test_a_resolved_or_expired_exception_no_longer_blocks() -> None:
    expired = ExceptionCase("EXC-2026-0001", "INV-2026-0002", "promise_to_pay", date(2026, 11, 20),
                            until=date(2026, 11, 26))  # fmt: skip
    plan = plan_sending(ledger(_draft(), exceptions=(expired,)), TODAY)
    assert [o.invoice.id for o in plan.send] == ["INV-2026-0002"]


def test_the_stale_limit_comes_from_the_policy() -> None:
    policy = with_review(POLICY, stale_draft_days=10)
    plan = plan_sending(ledger(_draft(issue_date=date(2026, 11, 19)), policy=policy), TODAY)
    assert len(plan.send) == 1


def test_a_draft_behind_one_that_waits_waits_too() -> None:
    plan = plan_sending(ledger(invoice(1), _draft(hold="legal review"), _draft(3)), TODAY)
    assert plan.send == ()
    assert [(b.invoice.id, b.reason.code) for b in plan.blocked] == [
        ("INV-2026-0002", "send-on-hold"),
        ("INV-2026-0003", "send-numbering-order"),
    ]
