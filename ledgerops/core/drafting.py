"""A draft invoice from a milestone-completion event: pure, from (ledger, event, today).

The contract data in the client's file fills everything; the event only says which
milestone was delivered, when, and (optionally) the PO number or a different amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ledgerops.core.checks import client_currency, client_terms
from ledgerops.core.diagnostics import Diagnostic, diag
from ledgerops.core.events import MilestoneEvent
from ledgerops.core.model import Invoice, Ledger, Line
from ledgerops.core.money import decimal_places, minor_units
from ledgerops.core.numbering import draft_id, draft_path


@dataclass(frozen=True, slots=True)
class DraftPlan:
    """Exactly one of: a new draft, the invoice that already covers the milestone, or
    the problems that stop the draft."""

    draft: Invoice | None = None
    existing: Invoice | None = None
    problems: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()  # what the reviewer should know about the new draft
    needs_review: bool = True  # False: the automation may merge it once the check passes


@dataclass(frozen=True, slots=True)
class DraftResult:
    """What `ledgerops draft` did."""

    status: str  # drafted | exists | ignored | invalid
    invoice: Invoice | None = None
    path: str | None = None
    notes: tuple[str, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    ignored: str | None = None
    needs_review: bool = True


def plan_draft(ledger: Ledger, event: MilestoneEvent, today: date) -> DraftPlan:
    src = event.source
    client = ledger.clients.get(event.client)
    if client is None:
        known = ", ".join(sorted(ledger.clients)) or "none"
        return _stop(diag("draft-unknown-client", src, f"no client '{event.client}' (clients: {known})"))
    project = client.projects.get(event.project)
    if project is None:
        known = ", ".join(sorted(client.projects)) or "none"
        return _stop(diag("draft-unknown-milestone", src,
                          f"client '{client.id}' has no project '{event.project}' (projects: {known})"))  # fmt: skip
    milestone = project.milestones.get(event.milestone)
    if milestone is None:
        known = ", ".join(sorted(project.milestones)) or "none"
        return _stop(diag("draft-unknown-milestone", src, f"project {client.id}/{event.project} has no "
                          f"milestone '{event.milestone}' (milestones: {known})"))  # fmt: skip
    for invoice in ledger.invoices:
        same = (invoice.client, invoice.project, invoice.milestone) == (
            client.id,
            event.project,
            event.milestone,
        )
        if same and invoice.status != "void":
            return DraftPlan(existing=invoice)
    currency = client_currency(client, ledger.policy)
    amount = event.amount if event.amount is not None else milestone.amount
    if amount is None:
        return _stop(diag("draft-no-amount", src, f"milestone {event.project}/{event.milestone} of '{client.id}' "
                          "has no amount in the client's file, and the event gives none"))  # fmt: skip
    problems = []
    if decimal_places(amount) > minor_units(currency):
        problems.append(diag("amount-precision", src, f"amount {amount} has more decimals than {currency} allows "
                             f"({minor_units(currency)})"))  # fmt: skip
    if amount <= 0:
        problems.append(diag("amount-not-positive", src, f"amount {amount} must be > 0"))
    issue_date = event.completed_on or today
    stale_days = ledger.policy.review.stale_draft_days
    if issue_date > today:
        problems.append(diag("draft-date", src, f"the issue date {issue_date} is after today ({today})"))
    elif (today - issue_date).days > stale_days:
        problems.append(diag("draft-date", src, f"the issue date {issue_date} is more than {stale_days} days "
                             "ago: send would refuse such a stale draft"))  # fmt: skip
    if problems:
        return DraftPlan(problems=tuple(problems))
    notes = []
    hold = None
    if client.terms_exception:
        hold = f"terms exception: {client.terms_exception} (check the terms, then remove this hold)"
        notes.append(
            f"on hold: '{client.id}' has a terms exception; remove 'hold' once the terms are checked"
        )
    if client.po_required and not event.po_number:
        notes.append(f"'{client.id}' requires a PO number: add po_number before approving the draft")
    segment = ledger.policy.segments.get(client.segment)
    if segment and segment.review:
        notes.append(f"segment '{client.segment}' needs a review before the draft is merged")
    draft = Invoice(
        id=draft_id(client.id, event.project, event.milestone),
        client=client.id,
        project=event.project,
        milestone=event.milestone,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=client_terms(client, ledger.policy)),
        currency=currency,
        po_number=event.po_number,
        service_date=issue_date,  # the milestone's completion day (or today)
        lines=(Line(milestone.description, Decimal(1), amount, milestone.tax_rate),),
        status="draft",
        hold=hold,
        path=draft_path(draft_id(client.id, event.project, event.milestone)),
    )
    # docs/spec.md §5: the automation never merges a draft for a segment that needs review, nor one on
    # hold; nor one that `send` would block for its missing PO (it would wait on main unseen).
    needs_review = bool(
        hold or segment is None or segment.review or (client.po_required and not event.po_number)
    )
    return DraftPlan(draft=draft, notes=tuple(notes), needs_review=needs_review)


def _stop(problem: Diagnostic) -> DraftPlan:
    return DraftPlan(problems=(problem,))
