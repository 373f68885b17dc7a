"""Drafts from milestone events: the contract data fills the invoice, once per milestone."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ledgerops.core.diagnostics import Source
from ledgerops.core.drafting import plan_draft
from ledgerops.core.events import MilestoneEvent
from tests.core.ledgers import invoice, ledger

TODAY = date(2026, 11, 27)


def _event(**fields: object) -> MilestoneEvent:
    base: dict[str, object] = {"client": "acme", "project": "WEB", "milestone": "M2"}
    base.update(fields)
    return MilestoneEvent(**base, source=Source("event.json"))  # type: ignore[arg-type]


def test_a_draft_takes_everything_from_the_contract_and_no_number() -> None:
    plan = plan_draft(ledger(invoice(1), invoice(2, status="draft")), _event(po_number="PO-7"), TODAY)
    draft = plan.draft
    assert draft is not None and plan.problems == ()
    assert (draft.id, draft.client, draft.project, draft.milestone) == (
        "DRAFT-acme-WEB-M2",
        "acme",
        "WEB",
        "M2",
    )
    assert draft.path == "invoices/drafts/DRAFT-acme-WEB-M2.yaml" and draft.drafted_as is None
    assert (draft.issue_date, draft.due_date) == (TODAY, TODAY + timedelta(days=30))
    assert (draft.currency, draft.po_number, draft.status, draft.hold) == ("EUR", "PO-7", "draft", None)
    line = draft.lines[0]
    assert (line.description, line.quantity, line.unit_price, line.tax_rate) == (
        "Design phase", Decimal(1), Decimal("4000.00"), Decimal(19))  # fmt: skip


def test_the_event_date_is_the_draft_date_and_the_service_date() -> None:
    plan = plan_draft(ledger(invoice(1)), _event(completed_on=date(2026, 11, 25)), TODAY)
    assert plan.draft and plan.draft.issue_date == plan.draft.service_date == date(2026, 11, 25)


def test_a_terms_exception_client_gets_a_held_draft_in_its_currency_and_terms() -> None:
    plan = plan_draft(ledger(), _event(client="kaze", project="HMI", milestone="M1"), TODAY)
    draft = plan.draft
    assert draft and draft.currency == "JPY" and draft.due_date == TODAY + timedelta(days=45)
    assert draft.hold and "MSA: net 45" in draft.hold
    assert any("terms exception" in note for note in plan.notes)


def test_po_required_and_review_segments_are_noted() -> None:
    plan = plan_draft(ledger(), _event(client="nord"), TODAY)
    assert plan.draft and any("PO number" in n for n in plan.notes) and any("review" in n for n in plan.notes)


def test_an_invoiced_milestone_is_never_drafted_twice() -> None:
    first = invoice(1, project="WEB", milestone="M2", status="draft")
    plan = plan_draft(ledger(first), _event(), TODAY)
    assert plan.draft is None and plan.existing == first and plan.problems == ()


def test_a_voided_invoice_frees_its_milestone() -> None:
    voided = invoice(1, project="WEB", milestone="M2", status="void", voided_at=date(2026, 11, 3))
    plan = plan_draft(ledger(voided), _event(), TODAY)
    assert plan.draft and plan.draft.id == "DRAFT-acme-WEB-M2"


def test_an_amount_in_the_event_replaces_a_missing_contract_amount() -> None:
    assert plan_draft(ledger(), _event(milestone="M3"), TODAY).problems[0].code == "draft-no-amount"
    plan = plan_draft(ledger(), _event(milestone="M3", amount=Decimal("1200.50")), TODAY)
    assert plan.draft and plan.draft.lines[0].unit_price == Decimal("1200.50")


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [({"client": "umbrella"}, "draft-unknown-client", "clients: acme, kaze, nord"),
     ({"project": "APP"}, "draft-unknown-milestone", "projects: WEB"),
     ({"milestone": "M9"}, "draft-unknown-milestone", "milestones: M1, M2, M3"),
     ({"amount": Decimal("10.005")}, "amount-precision", "EUR allows (2)"),
     ({"amount": Decimal("0")}, "amount-not-positive", "must be > 0"),
     ({"completed_on": date(2026, 11, 28)}, "draft-date", "after today"),
     ({"completed_on": date(2026, 11, 19)}, "draft-date", "more than 7 days ago")],
)  # fmt: skip
def test_events_that_cannot_be_drafted_say_why(fields: dict, code: str, words: str) -> None:
    plan = plan_draft(ledger(), _event(**fields), TODAY)
    assert plan.draft is None and plan.existing is None
    assert plan.problems[0].code == code and words in plan.problems[0].message
    assert plan.problems[0].source == Source("event.json")
