"""`ledgerops init`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--company", default="My Company", show_default=True, help="Your company name.")
@click.option("--email", default="billing@example.com", show_default=True, help="Your billing address.")
@click.option("--currency", default="EUR", show_default=True, help="Your default currency.")
@click.option("--no-git", is_flag=True, help="Do not run 'git init'.")
def init(directory: Path, company: str, email: str, currency: str, no_git: bool) -> None:
    """Create a new, empty ledger in DIRECTORY that passes 'ledgerops check'."""
    from ledgerops import __version__
    from ledgerops.app import init as app

    ledger = app.run(directory, company=company, email=email, currency=currency, git=not no_git)
    click.echo(f"created a new ledger in {directory} ({len(ledger.files)} files); next: edit policy.yaml")
    if ledger.unreleased:
        click.echo(
            f"warning: this ledgerops ({__version__}) was installed from a local copy, not a package index;"
            f" its workflows cannot install it until you edit {ledger.unreleased}",
            err=True,
        )
