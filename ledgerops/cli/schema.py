"""`ledgerops schema`."""

from __future__ import annotations

from pathlib import Path

import click

from ledgerops.cli.options import emit


@click.command()
@click.argument(
    "record", required=False, type=click.Choice(("policy", "client", "invoice", "exception", "credit_note"))
)
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write <record>.schema.json files into this folder instead of printing.")  # fmt: skip
def schema(record: str | None, output_dir: Path | None) -> None:
    """Print (or write) the JSON Schema of a record, for editor autocompletion."""
    from ledgerops.app import schema as app

    if output_dir is not None:
        for path in app.write(output_dir, record):
            click.echo(str(path))
    else:
        emit(app.text(record or "invoice"))
