"""`ledgerops invoices`: the derived state of every invoice as of today."""

from __future__ import annotations

from ledgerops.app.load import READABLE, load_ledger
from ledgerops.context import Context
from ledgerops.core.status import InvoiceStatus, invoice_statuses


def run(ctx: Context) -> tuple[list[InvoiceStatus], bool, str]:
    """(rows, whether check found errors, today); refuses only when the policy is unreadable."""
    loaded = load_ledger(ctx, READABLE)
    rows = invoice_statuses(loaded.ledger, loaded.today)
    return rows, loaded.has_errors, loaded.today.isoformat()
