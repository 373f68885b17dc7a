"""`ledgerops aging`: receivable by days past due, per currency and per client, as of a date."""

from __future__ import annotations

from ledgerops.app.report import loaded_ledger
from ledgerops.context import Context
from ledgerops.core.metrics import Aging, aging


def run(ctx: Context) -> tuple[Aging, bool]:
    """The aging as of ctx.today (default: today), and whether `check` found errors."""
    loaded = loaded_ledger(ctx)
    ledger = loaded.ledger
    assert ledger is not None
    return aging(ledger, ledger.policy, loaded.today), loaded.has_errors
