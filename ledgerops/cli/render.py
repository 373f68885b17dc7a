"""`ledgerops render`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import ledger_option, to_date, today_option
from ledgerops.context import Context


@click.command(name="render")
@click.argument("invoice_id")
@ledger_option
@today_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("html", "pdf", "txt", "cii", "ubl")),
    default=None,
    help="Default: from the -o file's extension, else txt.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def render_invoice(
    invoice_id: str, ledger_dir: Path, today: Any, fmt: str | None, output: Path | None
) -> None:
    """Render one invoice as HTML, PDF or text, as the client will see it, or as EN 16931 CII or UBL XML."""
    from ledgerops.app import render as app

    fmt = fmt or (output.suffix.lstrip(".") if output and output.suffix[1:] in app.FORMATS else "txt")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise click.UsageError("a PDF needs -o FILE (or a pipe)")
    data = app.run(Context(ledger_dir, to_date(today)), invoice_id, fmt, output)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        click.echo(f"wrote {output}")
