"""Cases as GitHub issues: the issue each case should have, and the few requests that get
the repository there. Git stays the source of truth: an issue mirrors its case file.

An issue is found again by a hidden marker in its body (`<!-- ledgerops-case: EXC-… -->`),
never by its title, and carries a digest of what it shows, so an unchanged case costs no
write. Pure: the caller renders the body and talks to GitHub.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ledgerops.core.amounts import balance
from ledgerops.core.model import Client, ExceptionCase, Invoice, Ledger, ReminderRecord
from ledgerops.core.money import money_str

LABEL = "ledgerops"  # every issue the sync manages has it: the list asks for this label only
REASON_LABEL = "ledgerops:{reason}"
_MARKER = "<!-- ledgerops-case: {case} -->"
_DIGEST = "<!-- ledgerops-digest: {digest} -->"
MARKER = re.compile(r"<!-- ledgerops-case: (?P<case>EXC-[A-Za-z0-9._-]+) -->")
DIGEST = re.compile(r"<!-- ledgerops-digest: (?P<digest>[0-9a-f]{16}) -->")


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What an issue says about one case; nothing here moves with the clock alone, so the
    same ledger always gives the same issue (only a broken promise appears with the day)."""

    case: ExceptionCase
    invoice: Invoice | None
    client: Client | None
    amount_due: str | None  # a decimal string in the invoice's currency
    currency: str | None
    reminders: tuple[ReminderRecord, ...]
    promise_broken: bool  # `until` passed while the case is still open


@dataclass(frozen=True, slots=True)
class Wanted:
    """The issue one case should have."""

    case_id: str
    title: str
    body: str  # ends with the marker and the digest
    labels: tuple[str, ...]
    open: bool
    digest: str


@dataclass(frozen=True, slots=True)
class Existing:
    """An issue as GitHub has it."""

    number: int
    open: bool
    body: str


@dataclass(frozen=True, slots=True)
class Action:
    """One thing to do on GitHub. Kinds:
    create   a new issue for an open case;
    update   the case changed: new title, body and labels;
    close    the case was resolved: comment with the resolution, then close;
    reopen   closed on GitHub while the case is open in git: say so, then re-open;
    duplicate  a second issue for one case (overlapping syncs): point at the first, close."""

    kind: str
    case_id: str
    number: int | None
    wanted: Wanted
    keep: int | None = None  # for duplicate: the issue that stays


@dataclass(frozen=True, slots=True)
class SyncPlan:
    actions: tuple[Action, ...]
    unchanged: tuple[tuple[str, int], ...]  # (case, issue) already as wanted


@dataclass(frozen=True)
class Done:
    kind: str  # create | update | close | reopen | duplicate | found (another sync created it)
    case_id: str
    number: int | None
    url: str = ""


@dataclass
class SyncResult:
    repository: str
    dry_run: bool
    done: list[Done] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    writes: int = 0
    has_errors: bool = False  # the ledger has errors: only what loaded was synced


def case_facts(ledger: Ledger, today: date) -> list[CaseFacts]:
    """Every case of the ledger, in id order."""
    invoices = {inv.id: inv for inv in ledger.invoices}
    facts = []
    for case in sorted(ledger.exceptions, key=lambda c: c.id):
        invoice = invoices.get(case.invoice) if case.invoice else None
        client = ledger.clients.get(invoice.client) if invoice is not None else None
        due = money_str(balance(invoice), invoice.currency) if invoice is not None else None
        broken = case.status == "open" and case.until is not None and case.until < today
        currency = invoice.currency if invoice is not None else None
        reminders = invoice.reminders if invoice is not None else ()
        facts.append(CaseFacts(case, invoice, client, due, currency, reminders, broken))
    return facts


def title(facts: CaseFacts) -> str:
    """`INV-2026-0007 · ACME GmbH · dispute · 2975.00 EUR (EXC-2026-0003)`."""
    case = facts.case
    client = facts.client.name if facts.client else (facts.invoice.client if facts.invoice else "?")
    amount = f"{facts.amount_due} {facts.currency}" if facts.amount_due is not None else "amount unknown"
    reason = "broken promise to pay" if facts.promise_broken else case.reason.replace("_", " ")
    text = f"{case.invoice} · {client} · {reason} · {amount} ({case.id})"
    return " ".join(text.split())[:250]


def labels(case: ExceptionCase) -> tuple[str, ...]:
    return (LABEL, REASON_LABEL.format(reason=case.reason))


def wanted(facts: CaseFacts, rendered_body: str) -> Wanted:
    """The issue for a case, given its rendered body (Markdown, without the markers)."""
    case = facts.case
    head = title(facts)
    tags = labels(case)
    is_open = case.status == "open"
    digest = body_digest(head, rendered_body, tags, is_open)
    body = (
        rendered_body.rstrip("\n")
        + "\n\n"
        + _MARKER.format(case=case.id)
        + "\n"
        + _DIGEST.format(digest=digest)
        + "\n"
    )
    return Wanted(case.id, head, body, tags, is_open, digest)


def body_digest(head: str, body: str, tags: Iterable[str], is_open: bool) -> str:
    text = "\n".join([head, *sorted(tags), "open" if is_open else "closed", body])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def case_of(body: str) -> str | None:
    """The case an issue belongs to: the last marker, the one the sync wrote below the text
    (a note quoted above it could contain anything)."""
    found = MARKER.findall(body or "")
    return found[-1] if found else None


def digest_of(body: str) -> str | None:
    found = DIGEST.findall(body or "")
    return found[-1] if found else None


def plan_sync(wanted_issues: Sequence[Wanted], existing: Sequence[Existing]) -> SyncPlan:
    """The requests that make GitHub show the ledger's cases, and nothing more.

    A case's issue is the lowest-numbered one with its marker; any later one is a
    duplicate left by two syncs that overlapped, and is closed pointing at the first. A
    resolved case that never had an issue gets none (there is nothing left to do)."""
    by_case: dict[str, list[Existing]] = {}
    for issue in sorted(existing, key=lambda i: i.number):
        case_id = case_of(issue.body)
        if case_id is not None:
            by_case.setdefault(case_id, []).append(issue)
    actions: list[Action] = []
    unchanged: list[tuple[str, int]] = []
    for want in wanted_issues:
        issues = by_case.get(want.case_id, [])
        if not issues:
            if want.open:
                actions.append(Action("create", want.case_id, None, want))
            continue
        first, *others = issues
        actions += [
            Action("duplicate", want.case_id, other.number, want, keep=first.number)
            for other in others
            if other.open
        ]
        same = digest_of(first.body) == want.digest
        if want.open and not first.open:
            actions.append(Action("reopen", want.case_id, first.number, want))
        elif not want.open and first.open:
            actions.append(Action("close", want.case_id, first.number, want))
        elif not same:
            actions.append(Action("update", want.case_id, first.number, want))
        else:
            unchanged.append((want.case_id, first.number))
    return SyncPlan(tuple(actions), tuple(unchanged))


def open_cases_first(facts: Iterable[CaseFacts]) -> list[CaseFacts]:
    """Open cases before resolved ones, so a sync cut short has told about the live ones."""
    return sorted(facts, key=lambda f: (f.case.status != "open", f.case.id))
