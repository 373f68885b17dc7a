"""Which drafts send sends today, and the one reason each other draft waits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledgerops.core.model import ExceptionCase
from ledgerops.core.sending import CannotIssue, issued, plan_sending
from tests.core.ledgers import POLICY, draft, invoice, ledger, with_review

TODAY = date(2026, 11, 27)


def _draft(name: str = "M2", **fields: object):
    return draft(name, **fields)


def test_an_approved_draft_is_sent_with_its_recipients_and_total() -> None:
    plan = plan_sending(ledger(invoice(1), _draft()), TODAY)
    assert [o.invoice.id for o in plan.send] == ["DRAFT-acme-WEB-M2"] and plan.blocked == ()
    assert plan.send[0].to == ("ap@acme.example",) and str(plan.send[0].total) == "1190.00"


def test_sent_and_void_invoices_are_not_sent_again() -> None:
    plan = plan_sending(ledger(invoice(1), invoice(2, status="void")), TODAY)
    assert plan.send == () and plan.blocked == ()


CASE = ExceptionCase("EXC-20261126-0a1b2c", "DRAFT-acme-WEB-M2", "po_mismatch", date(2026, 11, 26))


@pytest.mark.parametrize(
    ("draft", "exceptions", "uncommitted", "code"),
    [(_draft(hold="legal review"), (), (), "send-on-hold"),
     (_draft(), (CASE,), (), "send-open-exception"),
     (_draft(client="nord"), (), (), "send-po-missing"),
     (_draft(issue_date=date(2026, 11, 30)), (), (), "send-future-issue"),
     (_draft(issue_date=date(2026, 11, 19)), (), (), "send-stale-draft"),
     (_draft(), (), ("invoices/drafts/DRAFT-acme-WEB-M2.yaml",), "send-not-approved")],
)  # fmt: skip
def test_a_draft_that_waits_says_why(draft, exceptions, uncommitted, code: str) -> None:
    plan = plan_sending(ledger(invoice(1), draft, exceptions=exceptions), TODAY, uncommitted)
    assert plan.send == ()
    assert [(b.invoice.id, b.reason.code) for b in plan.blocked] == [(draft.id, code)]


def test_a_resolved_or_expired_exception_no_longer_blocks() -> None:
    expired = ExceptionCase("EXC-20261120-0a1b2c", "DRAFT-acme-WEB-M2", "promise_to_pay", date(2026, 11, 20),
                            until=date(2026, 11, 26))  # fmt: skip
    plan = plan_sending(ledger(_draft(), exceptions=(expired,)), TODAY)
    assert [o.invoice.id for o in plan.send] == ["DRAFT-acme-WEB-M2"]


def test_the_stale_limit_comes_from_the_policy() -> None:
    policy = with_review(POLICY, stale_draft_days=10)
    plan = plan_sending(ledger(_draft(issue_date=date(2026, 11, 19)), policy=policy), TODAY)
    assert len(plan.send) == 1


def test_a_draft_that_waits_holds_back_no_other() -> None:
    plan = plan_sending(ledger(invoice(1), _draft("M1", hold="legal review"), _draft("M3")), TODAY)
    assert [o.invoice.id for o in plan.send] == ["DRAFT-acme-WEB-M3"]
    assert [(b.invoice.id, b.reason.code) for b in plan.blocked] == [("DRAFT-acme-WEB-M1", "send-on-hold")]


def test_issued_invoices_go_first_then_drafts_in_the_order_they_were_approved() -> None:
    unsent = invoice(2, status="draft", drafted_as="DRAFT-acme-WEB-M9", issue_date=date(2026, 11, 20))
    first, second = _draft("M1", issue_date=date(2026, 11, 26)), _draft("M3", issue_date=date(2026, 11, 20))
    approved = {second.path: 1, first.path: 0}
    plan = plan_sending(ledger(invoice(1), second, first, unsent), TODAY, approved=approved)
    assert [o.invoice.id for o in plan.send] == ["INV-2026-0002", "DRAFT-acme-WEB-M1", "DRAFT-acme-WEB-M3"]
    without_git = plan_sending(ledger(invoice(1), first, second), TODAY)  # by draft date
    assert [o.invoice.id for o in without_git.send] == ["DRAFT-acme-WEB-M3", "DRAFT-acme-WEB-M1"]


def test_an_issued_invoice_whose_email_failed_is_past_the_date_checks() -> None:
    old = invoice(2, status="draft", drafted_as="DRAFT-acme-WEB-M9", issue_date=date(2026, 11, 1))
    assert [o.invoice.id for o in plan_sending(ledger(invoice(1), old), TODAY).send] == ["INV-2026-0002"]


def test_a_draft_is_issued_as_the_next_number_dated_today_with_its_terms() -> None:
    book = ledger(invoice(1), invoice(2, status="void"), _draft(due_date=date(2026, 12, 10)))
    issued_now = issued(book, book.invoices[2], TODAY)
    assert (issued_now.id, issued_now.drafted_as, issued_now.path) == (
        "INV-2026-0003", "DRAFT-acme-WEB-M2", "invoices/2026/INV-2026-0003.yaml")  # fmt: skip
    assert (issued_now.issue_date, issued_now.due_date) == (TODAY, date(2026, 12, 11))  # 14 days, as drafted
    assert issued(book, book.invoices[2], TODAY, ["INV-2026-0003"]).id == "INV-2026-0004"
    assert issued(book, book.invoices[2], date(2027, 1, 4)).id == "INV-2027-0001"


def test_no_draft_is_issued_before_the_date_of_the_last_number() -> None:
    book = ledger(invoice(1, issue_date=date(2026, 11, 28), due_date=date(2026, 12, 28)), _draft())
    with pytest.raises(CannotIssue, match="INV-2026-0001 is already dated 2026-11-28"):
        issued(book, book.invoices[1], TODAY)


def test_no_invoice_email_leaves_on_a_weekend_unless_the_policy_allows_it() -> None:
    saturday = date(2026, 11, 28)
    plan = plan_sending(ledger(invoice(1), _draft(issue_date=saturday)), saturday)
    assert plan.send == () and [b.reason.code for b in plan.blocked] == ["send-weekend"]
    weekends = replace(POLICY, reminders=replace(POLICY.reminders, send_on_weekends=True))
    assert (
        len(plan_sending(ledger(invoice(1), _draft(issue_date=saturday), policy=weekends), saturday).send)
        == 1
    )
