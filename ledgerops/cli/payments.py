"""`ledgerops payments import`: bank statements in, payments recorded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    FORMATS,
    emit,
    ledger_option,
    report_saved,
    saving_options,
    to_date,
    today_option,
)
from ledgerops.context import Context


@click.group()
def payments() -> None:
    """Payments that arrive by themselves: bank statements and Stripe."""


@payments.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@ledger_option
@today_option
@click.option("--rules", "rules", type=click.Path(dir_okay=False, path_type=Path),
              help="A CSV rules file (columns, date and decimal format, sign); needed for CSV statements.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--done", "done", type=click.Path(file_okay=False, path_type=Path),
              help="Move the statements (inside the ledger) to this folder once imported, in the same commit.")  # fmt: skip
@saving_options
def payments_import(
    files: tuple[Path, ...], ledger_dir: Path, today: Any, rules: Path | None, dry_run: bool, fmt: str,
    done: Path | None, no_commit: bool, push: bool | None,
) -> None:  # fmt: skip
    """Match the lines of bank statements (camt.053/054, MT940, OFX, CSV) to invoices and
    record the payments (and commit them)."""
    from ledgerops.app import payments as app
    from ledgerops.render import output
    from ledgerops.render import payments as render

    ctx = Context(ledger_dir, to_date(today))
    result = app.import_statements(
        ctx, files, rules, dry_run=dry_run, commit=not no_commit, push=push, done=done
    )
    if result.problems:
        if fmt == "json":
            emit(output.diagnostics_json(result.problems))
        else:
            click.echo(output.diagnostics_text(result.problems), nl=False, err=True)
            click.echo("nothing was recorded", err=True)
        sys.exit(1)
    emit(render.import_json(result) if fmt == "json" else render.import_text(result))
    report_saved(result.saved, json_output=fmt == "json")


@payments.group("sync")
def payments_sync() -> None:
    """Payments from a payment service, since the last sync."""


@payments_sync.command("stripe")
@ledger_option
@today_option
@click.option("--dry-run", is_flag=True, help="Show what would be recorded and opened; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@saving_options
def payments_sync_stripe(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, no_commit: bool,
                         push: bool | None) -> None:  # fmt: skip
    """Poll Stripe's events (STRIPE_API_KEY) since the last sync: record succeeded payments
    that name an invoice, open a payment_failed case per failed payment and a dispute case
    per dispute (and commit them with the cursor)."""
    from ledgerops.app import stripe_sync as app
    from ledgerops.render import payments as render

    ctx = Context(ledger_dir, to_date(today))
    result = app.sync_stripe(ctx, dry_run=dry_run, commit=not no_commit, push=push)
    emit(render.sync_json(result) if fmt == "json" else render.sync_text(result))
    report_saved(result.saved, json_output=fmt == "json")
