"""`ledgerops check`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import emit, ledger_option, to_date, today_option
from ledgerops.context import Context


@click.command()
@ledger_option
@today_option
@click.option("--format", "fmt", type=click.Choice(("text", "json", "github")), default="text", show_default=True,
              help="text for people, json for programs (docs/spec.md §9.1), github for pull-request annotations.")  # fmt: skip
@click.option(
    "--github-prefix", default="", help="With --format github: the ledger's folder in the repository."
)
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the answers for unchanged files, kept outside the ledger.")  # fmt: skip
@click.pass_obj
def check(
    obj: dict[str, Any], ledger_dir: Path, today: Any, fmt: str, github_prefix: str, cache: bool
) -> None:
    """Validate every file of the ledger against the policy. Never writes to the ledger.

    Exit 0: no errors (warnings allowed); 1: errors; 2: the command could not run.
    """
    from ledgerops.app import check as app
    from ledgerops.app.load import source_line
    from ledgerops.render import output

    loaded = app.run(Context(ledger_dir, to_date(today)), use_cache=cache)
    if obj["debug"]:
        click.echo(f"ledgerops: read {loaded.invoices_read} invoice file(s), "
                   f"{loaded.invoices_kept} from the cache", err=True)  # fmt: skip
    diagnostics = loaded.diagnostics
    if fmt == "json":
        emit(output.diagnostics_json(diagnostics))
    elif fmt == "github":
        emit(output.diagnostics_github(diagnostics, github_prefix))
    else:
        emit(output.diagnostics_text(diagnostics, lambda path, line: source_line(ledger_dir, path, line)))
    sys.exit(1 if loaded.has_errors else 0)
