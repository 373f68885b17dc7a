"""`ledgerops check`: every problem of the ledger, sorted by file and line. Never writes."""

from __future__ import annotations

from ledgerops.app.load import Loaded, load, with_templates
from ledgerops.context import Context
from ledgerops.render.output import sort_diagnostics


def run(ctx: Context) -> Loaded:
    loaded = with_templates(ctx, load(ctx))
    return Loaded(loaded.ledger, tuple(sort_diagnostics(loaded.diagnostics)), loaded.today)
