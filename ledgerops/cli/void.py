"""`ledgerops void`: void an invoice; it keeps its number."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    date_option,
    emit,
    ledger_option,
    report_saved,
    said_text,
    saving_options,
    to_date,
    today_option,
)
from ledgerops.context import Context


@click.command()
@click.argument("invoice_id")
@ledger_option
@today_option
@click.option(
    "--reason", required=True, callback=said_text, help="Why the invoice is voided (kept in the file)."
)
@date_option("--date", "The void date (default: today).")
@saving_options
def void(
    invoice_id: str, ledger_dir: Path, today: Any, reason: str, date: Any, no_commit: bool, push: bool | None
) -> None:
    """Void an invoice: it keeps its number, and nothing is owed on it any more."""
    from ledgerops.app import void as app
    from ledgerops.render import actions

    result = app.void(
        Context(ledger_dir, to_date(today)),
        invoice_id,
        reason,
        to_date(date),
        commit=not no_commit,
        push=push,
    )
    emit(actions.recorded_text(result, "void"))
    report_saved(result.saved)
    sys.exit(0 if result.written else 1)
