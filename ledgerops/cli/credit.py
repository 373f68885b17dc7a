"""`ledgerops credit`: a draft credit note for an issued invoice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    emit,
    ledger_option,
    plain_text,
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
@click.option("--amount", help="Credit this amount, tax included (an invoice with one tax rate).")
@click.option("--lines", "line_numbers", help="Credit these lines of the invoice whole: 1-based, e.g. 1,3.")
@click.option("--full", is_flag=True, help="Credit everything not credited yet.")
@click.option(
    "--reason", required=True, callback=said_text, help="One of policy.credit_reasons, e.g. discount."
)
@click.option("--case", "case_id", help="The exception case that led to it.")
@click.option("--note", callback=plain_text, help="A line printed on the credit note.")
@saving_options
def credit(
    invoice_id: str,
    ledger_dir: Path,
    today: Any,
    amount: str | None,
    line_numbers: str | None,
    full: bool,
    reason: str,
    case_id: str | None,
    note: str | None,
    no_commit: bool,
    push: bool | None,
) -> None:
    """Write a draft credit note for an issued invoice; it lowers the invoice's balance at once."""
    from ledgerops.app import credit as app
    from ledgerops.render import actions

    result = app.credit(
        Context(ledger_dir, to_date(today)),
        invoice_id,
        app.What(amount, line_numbers, full),
        reason,
        case_id,
        note,
        commit=not no_commit,
        push=push,
    )
    emit(actions.credited_text(result))
    report_saved(result.saved)
    sys.exit(0 if result.written else 1)
