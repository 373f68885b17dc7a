"""`ledgerops pay`: record a payment on a sent invoice."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    bounded_date,
    emit,
    ledger_option,
    report_saved,
    saving_options,
    to_date,
    today_option,
)
from ledgerops.context import Context


@click.command()
@click.argument("invoice_id")
@ledger_option
@today_option
@click.option("--amount", required=True, help="The amount received, e.g. 1847.61.")
@click.option("--date", "paid_on", type=click.DateTime(["%Y-%m-%d"]), required=True, callback=bounded_date,
              help="When it arrived.")  # fmt: skip
@click.option("--method", help="One of policy.payment_methods, e.g. bank_transfer.")
@click.option("--ref", help="Bank reference or receipt number.")
@saving_options
def pay(
    invoice_id: str,
    ledger_dir: Path,
    today: Any,
    amount: str,
    paid_on: datetime,
    method: str | None,
    ref: str | None,
    no_commit: bool,
    push: bool | None,
) -> None:
    """Record a payment on a sent invoice (and commit it, as you)."""
    from ledgerops.app import pay as app
    from ledgerops.render import actions

    ctx = Context(ledger_dir, to_date(today))
    result = app.pay(ctx, invoice_id, amount, paid_on.date(), method, ref, commit=not no_commit, push=push)
    emit(actions.recorded_text(result, "pay"))
    report_saved(result.saved)
    sys.exit(0 if result.written else 1)
