"""`ledgerops send`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import (
    FORMATS,
    emit,
    ledger_option,
    no_commit_option,
    no_push_option,
    to_date,
    today_option,
    transport_option,
)
from ledgerops.context import Context


@click.command()
@ledger_option
@today_option
@transport_option
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and write nothing.")
@no_commit_option
@no_push_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def send(
    ledger_dir: Path, today: Any, transport: str, dry_run: bool, no_commit: bool, no_push: bool, fmt: str
) -> None:
    """Email every approved, unsent invoice with its PDF and record it as sent, each at most
    once (the claim protocol of 'run'): the claim is committed and pushed before the email leaves.

    Exit 0: every invoice it tried was accepted (blocked ones are listed); 1: some were not.
    """
    from ledgerops.app import send as app
    from ledgerops.render import actions

    ctx = Context(ledger_dir, to_date(today))
    report = app.run(ctx, transport=transport, dry_run=dry_run, commit=not no_commit, push=not no_push)
    emit(actions.send_json(report) if fmt == "json" else actions.send_text(report))
    sys.exit(0 if report.ok else 1)
