"""`ledgerops remind`: today's reminders, or their plan (--dry-run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import deliver, delivery_options, ledger_option, to_date, today_option
from ledgerops.context import Context


@click.command()
@ledger_option
@today_option
@delivery_options
def remind(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool) -> None:
    """Send today's reminders (docs/spec.md §6), each (invoice, stage) at most once; record and commit them.

    Exit 0: everything due went out; 1: a message failed (the others still went); 2: cannot run.
    """
    from ledgerops.app import remind as app

    sys.exit(deliver(app, Context(ledger_dir, to_date(today)), dry_run, fmt, transport, no_push))
