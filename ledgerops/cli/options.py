"""Options and output helpers that several commands share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ledgerops.context import Context

FORMATS = ("text", "json")


def ledger_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--ledger",
        "ledger_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The ledger folder.",
    )(func)


def date_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(name, type=click.DateTime(["%Y-%m-%d"]), default=None, help=help_text)


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return date_option(
        "--today", "Pretend today is this date (YYYY-MM-DD); default: today in the policy's time zone."
    )(func)


def no_commit_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")(func)


def transport_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--transport",
        type=click.Choice(("outbox", "smtp")),
        default="outbox",
        show_default=True,
        help="outbox writes .eml files to outbox/; smtp sends with the LEDGEROPS_SMTP_* settings.",
    )(func)


def no_push_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--no-push", is_flag=True, help="Commit, but do not fetch from or push to origin.")(
        func
    )


def to_date(value: Any) -> date | None:
    """The day of a click.DateTime value."""
    return value.date() if value is not None else None


def emit(text: str) -> None:
    click.echo(text, nl=False)


def note_errors(errors: bool) -> None:
    if errors:
        click.echo("note: the ledger has errors; run 'ledgerops check'", err=True)


def delivery_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = (
        click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing, send nothing."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        transport_option,
        no_push_option,
    )  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def deliver(app: Any, ctx: Context, dry_run: bool, fmt: str, transport: str, no_push: bool) -> int:
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


def by_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--by", "source", envvar=["LEDGEROPS_USER", "USER"], default="manual", show_default=True,
                        help="Who routes the case (recorded as its source); default $LEDGEROPS_USER or $USER.")(func)  # fmt: skip
