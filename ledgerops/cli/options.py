"""Options and output helpers that several commands share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ledgerops.core.text import YEARS, YEARS_TEXT, has_break_or_control

if TYPE_CHECKING:
    from ledgerops.context import Context
    from ledgerops.core.saved import Saved

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


def bounded_date(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> datetime | None:
    """A date option holds a date `check` accepts in a record, so a command never writes one
    that `check` then refuses."""
    if value is not None and value.year not in YEARS:
        raise click.BadParameter(f"{value:%Y-%m-%d}: {YEARS_TEXT} was expected")
    return value


def date_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        name, type=click.DateTime(["%Y-%m-%d"]), default=None, callback=bounded_date, help=help_text
    )


def plain_text(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A free-text option that ends up in a record: one line, no control characters. Refused
    here, before the command reads the ledger, in the words of every such refusal."""
    from ledgerops.core.errors import UsageError

    if value is not None and has_break_or_control(value):
        raise UsageError(
            f"{_option(param)} must be one line of text, without line breaks or control characters"
        )
    return value


def said_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A free-text option that must say something: plain, and not empty."""
    from ledgerops.core.errors import UsageError

    value = plain_text(ctx, param, value)
    if value is not None and not value.strip():
        raise UsageError(f"{_option(param)} must not be empty: say in a few words what and why")
    return value


def _option(param: click.Parameter) -> str:
    return max(param.opts, key=len) if param.opts else str(param.name)


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return date_option(
        "--today", "Pretend today is this date (YYYY-MM-DD); default: today in the policy's time zone."
    )(func)


def no_commit_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")(func)


def push_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--push/--no-push",
        "push",
        default=None,
        help="Push the commit to origin (default: only on the approval branch, where the daily run reads).",
    )(func)


def saving_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--no-commit and --push/--no-push: how a person's change is kept (docs/commands.md)."""
    return no_commit_option(push_option(func))


def report_saved(saved: Saved, json_output: bool = False) -> None:
    """A person's commit on stdout (not into JSON output); a push that failed on stderr, and
    exit 1 (the change is written and committed: nothing is lost, it just did not reach origin)."""
    from ledgerops.render.actions import saved_lines

    for line in [] if json_output else saved_lines(saved):
        click.echo(line)
    if saved.not_pushed:
        click.echo(f"warning: {saved.not_pushed}", err=True)
        raise SystemExit(1)


def transport_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--transport",
        type=click.Choice(("outbox", "smtp")),
        default=None,
        help="outbox writes .eml files to outbox/; smtp sends with the LEDGEROPS_SMTP_* settings. "
        "Default: smtp when LEDGEROPS_SMTP_HOST is set, else outbox in a ledger without a git remote; "
        "a ledger with a remote must choose.",
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
        emit(render(shown.plan, shown.messages, shown.waiting))
        for failure in shown.failures:
            click.echo(f"ledgerops: {failure.invoice} {failure.stage}: {failure.detail}", err=True)
        return 1 if shown.failures else 0
    summary = app.run(ctx, transport, push=not no_push)
    emit(runreport.summary_json(summary) if fmt == "json" else runreport.summary_text(summary))
    return 0 if summary.ok else 1


def by_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--by", "source", envvar=["LEDGEROPS_USER", "USER"], default="manual", show_default=True,
                        callback=said_text, help="Who routes the case (recorded as its source); default $LEDGEROPS_USER or $USER.")(func)  # fmt: skip
