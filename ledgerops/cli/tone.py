"""`ledgerops tone suggest`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import emit, ledger_option, to_date, today_option
from ledgerops.context import Context


@click.group()
def tone() -> None:
    """Suggested wording for the reminder emails, reviewed like every change."""


@tone.command("suggest")
@click.option(
    "--stage",
    required=True,
    help="The reminder stage, as in policy.reminders.sequence (e.g. overdue_7), or invoice for the invoice email.",
)
@click.option("--segment", required=True, help="The client segment, as in policy.segments (e.g. strategic).")
@click.option(
    "--brief", default=None, help="What you want of the tone, in your words (at most 500 characters)."
)
@click.option("--dry-run", is_flag=True, help="Print the suggested template; write nothing, make no branch.")
@ledger_option
@today_option
def tone_suggest(
    stage: str, segment: str, brief: str | None, dry_run: bool, ledger_dir: Path, today: Any
) -> None:
    """Ask the language model configured by LEDGEROPS_LLM_* for the wording of one reminder
    stage for one segment. The facts block stays the tool's; an answer with a figure, a date,
    an amount, a URL, an e-mail address or template syntax is rejected. The template is written
    to templates/reminders/<stage>.<segment>.md.j2 and committed on a new branch."""
    from ledgerops.app import tone as app
    from ledgerops.render.tone import suggested_text

    result = app.suggest(Context(ledger_dir, to_date(today)), stage, segment, brief, dry_run=dry_run)
    emit(suggested_text(result, dry_run))
    if result.template is not None and dry_run:
        click.echo(f"note: --dry-run: {result.path} was not written", err=True)
    sys.exit(0 if result.template is not None else 1)
