"""`ledgerops draft`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import FORMATS, date_option, emit, ledger_option, to_date, today_option
from ledgerops.context import Context


@click.command()
@ledger_option
@today_option
@click.option("--client", help="Client id (with --project and --milestone).")
@click.option("--project", help="Project code from the client's contract data.")
@click.option("--milestone", help="Milestone id from the client's contract data.")
@click.option(
    "--event",
    "event_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An event file (JSON or YAML): {client, project, milestone, completed_on, po_number, amount}.",
)
@click.option(
    "--github-event",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A GitHub event payload ($GITHUB_EVENT_PATH): closed milestone, billable issue, dispatch.",
)
@date_option("--date", "The invoice's issue date (default: the event's date, else today).")
@click.option("--po", "po_number", help="The client's purchase-order number.")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, "github")), default="text", show_default=True,
              help="github: step outputs (status, invoice, path, needs_review, summary) for $GITHUB_OUTPUT.")  # fmt: skip
def draft(
    ledger_dir: Path,
    today: Any,
    client: str | None,
    project: str | None,
    milestone: str | None,
    event_file: Path | None,
    github_event: Path | None,
    date: Any,
    po_number: str | None,
    fmt: str,
) -> None:
    """Write a draft invoice for a delivered milestone (never commits: approval is the merge).

    Exit 0: drafted, already invoiced, or not a billable event; 1: the event cannot be drafted.
    """
    from ledgerops.app import draft as app
    from ledgerops.render import actions

    source = app.EventSource(client, project, milestone, event_file, github_event, to_date(date), po_number)
    result = app.run(Context(ledger_dir, to_date(today)), source)
    emit({"json": actions.draft_json, "github": actions.draft_github}.get(fmt, actions.draft_text)(result))
    sys.exit(1 if result.status == "invalid" else 0)
