"""Options and output helpers that several commands share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

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
