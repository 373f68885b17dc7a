"""`ledgerops aging`: receivable by days past due, per currency and per client, as of a date."""

from __future__ import annotations

from ledgerops.app.load import READABLE, load_ledger
from ledgerops.context import Context
from ledgerops.core.metrics import Aging, aging


def run(ctx: Context) -> tuple[Aging, bool]:
    """The aging as of ctx.today (default: today), and whether `check` found errors."""
    loaded = load_ledger(ctx, READABLE)
    ledger = loaded.ledger
    return aging(ledger, ledger.policy, loaded.today), loaded.has_errors
