"""`ledgerops notify`: the founder's alerts and weekly digest by email."""

from __future__ import annotations

import sys
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


@click.command()
@ledger_option
@today_option
@click.option("--dry-run", is_flag=True, help="Show what would be sent; write nothing, send nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@transport_option
@no_push_option
@click.option(
    "--heartbeat",
    is_flag=True,
    help="Record that the daily run completed today (the daily workflow passes it after a "
    "successful 'ledgerops run'); without it, say so when it has not for notify.heartbeat_days.",
)
def notify(
    ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool, heartbeat: bool
) -> None:
    """Email the founder (policy notify.email, default company.email): an alert for each case
    that needs a person now, one per approved draft that cannot be sent (and why), one when
    the daily run has not completed for too long, and the weekly digest once the week's
    report is committed. Each is sent once, recorded in reports/notifications.json."""
    from ledgerops.app import notify as app
    from ledgerops.render.notice import notify_json, notify_text

    result = app.run(
        Context(ledger_dir, to_date(today)), transport, dry_run, push=not no_push, heartbeat=heartbeat
    )
    emit(notify_json(result) if fmt == "json" else notify_text(result))
    sys.exit(0 if result.ok else 1)
