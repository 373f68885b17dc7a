"""`ledgerops run`: the daily job, or its plan (--dry-run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import deliver, delivery_options, ledger_option, to_date, today_option
from ledgerops.context import Context


@click.command("run")
@ledger_option
@today_option
@delivery_options
def run_(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool) -> None:
    """The daily job: check, send approved invoices, send reminders, record, commit, push.

    Every email leaves at most once, even when runs overlap or one is killed. A failure for
    one invoice never stops the others. Exit 0: all done; 1: something failed; 2: cannot run.
    """
    from ledgerops.app import run as app

    sys.exit(deliver(app, Context(ledger_dir, to_date(today)), dry_run, fmt, transport, no_push))
