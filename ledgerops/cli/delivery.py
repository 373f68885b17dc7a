"""`ledgerops remind` and `ledgerops run`: the plan (--dry-run) or the delivery itself."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    FORMATS,
    emit,
    ledger_option,
    no_push_option,
    to_date,
    today_option,
    transport_option,
)
from ledgerops.context import Context


def _delivery_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = (
        click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing, send nothing."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        transport_option,
        no_push_option,
    )  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _deliver(app: Any, ctx: Context, dry_run: bool, fmt: str, transport: str, no_push: bool) -> int:
    """remind and run: print the plan (--dry-run) or run it; the exit code.

    With --dry-run, 1 means a message could not be composed; otherwise that one failed."""
    from ledgerops.render import runreport

    if dry_run:
        shown = app.preview(ctx)
        render = runreport.preview_json if fmt == "json" else runreport.preview_text
        emit(render(shown.plan, shown.messages))
        for failure in shown.failures:
            click.echo(f"ledgerops: {failure.invoice} {failure.stage}: {failure.detail}", err=True)
        return 1 if shown.failures else 0
    summary = app.run(ctx, transport, push=not no_push)
    emit(runreport.summary_json(summary) if fmt == "json" else runreport.summary_text(summary))
    return 0 if summary.ok else 1


@click.command()
@ledger_option
@today_option
@_delivery_options
def remind(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool) -> None:
    """Send today's reminders (SPEC §6), each (invoice, stage) at most once; record and commit them.

    Exit 0: everything due went out; 1: a message failed (the others still went); 2: cannot run.
    """
    from ledgerops.app import remind as app

    sys.exit(_deliver(app, Context(ledger_dir, to_date(today)), dry_run, fmt, transport, no_push))


@click.command("run")
@ledger_option
@today_option
@_delivery_options
def run_(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool) -> None:
    """The daily job: check, send approved invoices, send reminders, record, commit, push.

    Every email leaves at most once, even when runs overlap or one is killed. A failure for
    one invoice never stops the others. Exit 0: all done; 1: something failed; 2: cannot run.
    """
    from ledgerops.app import run as app

    sys.exit(_deliver(app, Context(ledger_dir, to_date(today)), dry_run, fmt, transport, no_push))
