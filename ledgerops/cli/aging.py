"""`ledgerops aging`: receivable by days past due, in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import FORMATS, date_option, emit, ledger_option, note_errors, to_date
from ledgerops.context import Context


@click.command()
@ledger_option
@date_option("--as-of", "Measure to the end of this day (YYYY-MM-DD); default: today.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def aging(ledger_dir: Path, as_of: Any, fmt: str) -> None:
    """Receivable by days past due, per currency and per client."""
    from ledgerops.app import aging as app
    from ledgerops.render import report as render

    table, errors = app.run(Context(ledger_dir, to_date(as_of)))
    emit(render.aging_json(table) if fmt == "json" else render.aging_text(table))
    note_errors(errors)
