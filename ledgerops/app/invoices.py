"""`ledgerops invoices`: the derived state of every invoice as of today."""

from __future__ import annotations

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.errors import LedgerHasErrors
from ledgerops.core.status import InvoiceStatus, invoice_statuses


def run(ctx: Context) -> tuple[list[InvoiceStatus], bool, str]:
    """(rows, whether check found errors, today); refuses only when the policy is unreadable."""
    loaded = load(ctx)
    if loaded.ledger is None:
        raise LedgerHasErrors("policy.yaml cannot be read; run 'ledgerops check' to see why")
    rows = invoice_statuses(loaded.ledger, loaded.today)
    return rows, loaded.has_errors, loaded.today.isoformat()
