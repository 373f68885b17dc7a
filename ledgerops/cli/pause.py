"""`ledgerops pause`: pause an invoice, or every open invoice of a client, through a date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    by_option,
    date_option,
    ledger_option,
    plain_text,
    report_saved,
    saving_options,
    to_date,
    today_option,
)
from ledgerops.context import Context


@click.command()
@ledger_option
@today_option
@click.argument("target", metavar="INVOICE|CLIENT")
@date_option("--until", "The last day of the pause; reminders resume the day after.")
@click.option("--reason", required=True, help="One of policy.exceptions.reasons, e.g. promise_to_pay.")
@click.option("--note", default="", callback=plain_text, help="Why, for the record.")
@by_option
@saving_options
def pause(
    ledger_dir: Path,
    today: Any,
    target: str,
    until: datetime | None,
    reason: str,
    note: str,
    source: str,
    no_commit: bool,
    push: bool | None,
) -> None:
    """Pause automatic messages for an invoice, or every open invoice of a client, through --until."""
    from ledgerops.app import pause as app

    if until is None:
        raise click.UsageError("--until is required")
    ctx = Context(ledger_dir, to_date(today))
    cases, saved = app.pause(ctx, target, until.date(), reason, note, source, commit=not no_commit, push=push)
    for case in cases:
        click.echo(f"opened {case.id} ({case.reason}, until {case.until}) for {case.invoice}")
    report_saved(saved)
