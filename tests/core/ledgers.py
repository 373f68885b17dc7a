"""Small ledgers built in code for the pure core tests: no files, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ledgerops.core.model import Client, ExceptionCase, Invoice, Ledger, Line, Milestone, Project
from ledgerops.core.policy import Company, Policy, Terms

POLICY = Policy(Company("Jane Doe Studio", "billing@janedoe.example"), currency="EUR", currencies=("EUR", "JPY"),
                terms=Terms(30, (14, 30)))  # fmt: skip
WEB = Project("Website", {
    "M1": Milestone("Discovery workshop", Decimal("2500.00"), Decimal(19)),
    "M2": Milestone("Design phase", Decimal("4000.00"), Decimal(19)),
    "M3": Milestone("Launch support", None, Decimal(19)),
})  # fmt: skip
ACME = Client("acme", "ACME GmbH", ("ap@acme.example",), "standard", projects={"WEB": WEB})
KAZE = Client("kaze", "Kaze K.K.", ("ap@kaze.example",), "strategic", currency="JPY", terms_days=45,
              terms_exception="MSA: net 45", projects={"HMI": Project("HMI", {"M1": Milestone("UI", Decimal(450000))})})  # fmt: skip
NORD = Client("nord", "Nordlicht", ("ap@nord.example",), "strategic", po_required=True, projects={"WEB": WEB})


def invoice(number: int, **fields: object) -> Invoice:
    base: dict[str, object] = dict(
        id=f"INV-2026-{number:04d}", client="acme", issue_date=date(2026, 11, 2), due_date=date(2026, 12, 2),
        currency="EUR", lines=(Line("Work", Decimal(1), Decimal("1000.00"), Decimal(19)),), status="sent",
    )  # fmt: skip
    base.update(fields)
    year = base["issue_date"].year  # type: ignore[union-attr]
    if str(base["id"]).startswith("DRAFT-"):
        return Invoice(**base, path=f"invoices/drafts/{base['id']}.yaml")  # type: ignore[arg-type]
    return Invoice(**base, path=f"invoices/{year}/{base['id']}.yaml")  # type: ignore[arg-type]


def draft(name: str = "M2", **fields: object) -> Invoice:
    """An unissued draft: DRAFT-acme-WEB-<name>, in invoices/drafts/."""
    base: dict[str, object] = {"id": f"DRAFT-acme-WEB-{name}", "status": "draft", "project": "WEB",
                               "milestone": name, "issue_date": date(2026, 11, 26), "due_date": date(2026, 12, 26)}  # fmt: skip
    base.update(fields)
    if "client" in fields:
        base["id"] = f"DRAFT-{fields['client']}-WEB-{name}"
    return invoice(0, **base)


def ledger(*invoices: Invoice, exceptions: tuple[ExceptionCase, ...] = (), policy: Policy = POLICY) -> Ledger:
    clients = {c.id: c for c in (ACME, KAZE, NORD)}
    return Ledger(policy, clients, invoices, exceptions)


def with_review(policy: Policy, **changes: object) -> Policy:
    return replace(policy, review=replace(policy.review, **changes))
