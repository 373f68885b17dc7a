"""`ledgerops exception open|resolve|list`: the exception queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    FORMATS,
    by_option,
    date_option,
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


@click.group()
def exception() -> None:
    """The exception queue: cases that need a person. An open case pauses its invoice."""


@exception.command("open")
@ledger_option
@today_option
@click.argument("invoice")
@click.option("--reason", required=True, help="One of policy.exceptions.reasons, e.g. dispute.")
@click.option(
    "--note", default="", callback=plain_text, help="What happened, for the person who picks it up."
)
@date_option("--until", "Pause only through this date (e.g. a promise to pay); reminders resume after it.")
@by_option
@saving_options
def exception_open(
    ledger_dir: Path,
    today: Any,
    invoice: str,
    reason: str,
    note: str,
    until: Any,
    source: str,
    no_commit: bool,
    push: bool | None,
) -> None:
    """Open a case for INVOICE: no automatic message goes out for it while it is open."""
    from ledgerops.app import exception as app

    new = app.NewCase(invoice, reason, note, source, to_date(until))
    case, saved = app.open_case(Context(ledger_dir, to_date(today)), new, commit=not no_commit, push=push)
    click.echo(f"opened {case.id} ({case.reason}) for {case.invoice}: {case.path}")
    report_saved(saved)


@exception.command("resolve")
@ledger_option
@today_option
@click.argument("case_id", metavar="EXC")
@click.option("--resolution", required=True, callback=said_text, help="What was decided.")
@saving_options
def exception_resolve(
    ledger_dir: Path, today: Any, case_id: str, resolution: str, no_commit: bool, push: bool | None
) -> None:
    """Resolve case EXC; its invoice gets automatic messages again."""
    from ledgerops.app import exception as app

    ctx = Context(ledger_dir, to_date(today))
    case, saved = app.resolve(ctx, case_id, resolution, commit=not no_commit, push=push)
    click.echo(f"resolved {case.id}: {case.path}")
    report_saved(saved)


@exception.command("list")
@ledger_option
@today_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def exception_list(ledger_dir: Path, today: Any, fmt: str) -> None:
    """The open cases, oldest first, with their reason codes."""
    from ledgerops.app import exception as app
    from ledgerops.render import queue

    entries, ledger, day = app.queue(Context(ledger_dir, to_date(today)))
    clients = {inv.id: inv.client for inv in ledger.invoices}
    emit(queue.queue_json(entries, clients, day) if fmt == "json" else queue.queue_text(entries, clients))


@exception.command("sync-github")
@ledger_option
@today_option
@click.option("--dry-run", is_flag=True, help="List the issues and show what would change; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def exception_sync_github(ledger_dir: Path, today: Any, dry_run: bool, fmt: str) -> None:
    """One GitHub issue per case, kept in step with the case files (GITHUB_REPOSITORY, GITHUB_TOKEN)."""
    from ledgerops.app import sync_github as app
    from ledgerops.cli.options import note_errors
    from ledgerops.render import issue

    result = app.run(Context(ledger_dir, to_date(today)), dry_run)
    emit(issue.sync_json(result) if fmt == "json" else issue.sync_text(result))
    note_errors(result.has_errors)
