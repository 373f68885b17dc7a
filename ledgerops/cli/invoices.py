"""`ledgerops invoices`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import FORMATS, emit, ledger_option, note_errors, to_date, today_option
from ledgerops.context import Context


@click.command()
@ledger_option
@today_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def invoices(ledger_dir: Path, today: Any, fmt: str) -> None:
    """List every invoice with its derived state, balance, due date and days overdue."""
    from ledgerops.app import invoices as app
    from ledgerops.render import tables

    rows, errors, day = app.run(Context(ledger_dir, to_date(today)))
    emit(tables.statuses_json(rows, day) if fmt == "json" else tables.statuses_text(rows))
    note_errors(errors)
