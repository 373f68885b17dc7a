"""`ledgerops report`: the weekly review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import date_option, emit, ledger_option, note_errors, to_date
from ledgerops.context import Context


@click.command()
@ledger_option
@date_option("--as-of", "The review's date (YYYY-MM-DD), to the end of that day; default: today.")
@click.option("--format", "fmt", type=click.Choice(("markdown", "json")), default="markdown", show_default=True,
              help="markdown: the page for GitHub; json: the figures for programs (docs/spec.md §9.3).")  # fmt: skip
@click.option(
    "--write", is_flag=True, help="Save reports/weekly/<ISO week>.md and reports/README.md, then commit."
)
@click.option("--no-commit", is_flag=True, help="With --write: save the files but do not commit them.")
@click.option("--push", is_flag=True,
              help="With --write: push the commit to origin, writing again if origin moved on (never forced).")  # fmt: skip
def report(ledger_dir: Path, as_of: Any, fmt: str, write: bool, no_commit: bool, push: bool) -> None:
    """The weekly review: aging, DSO, on-time rate, drift alerts and the exception queue."""
    from ledgerops.app import report as app
    from ledgerops.render import report as render

    ctx = Context(ledger_dir, to_date(as_of))
    if push and (no_commit or not write):
        raise click.UsageError("--push goes with --write and without --no-commit")
    if write:
        _, written = app.publish(ctx) if push else app.write(ctx, commit=not no_commit)
        show = render.written_json if fmt == "json" else render.written_text
        emit(show(written.paths, written.commit))
        return
    review, errors = app.review(ctx)
    emit(render.review_json(review) if fmt == "json" else render.review_markdown(review))
    note_errors(errors)
