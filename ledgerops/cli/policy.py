"""`ledgerops policy impact`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledgerops.cli.options import FORMATS, emit, ledger_option, to_date, today_option
from ledgerops.context import Context


@click.group()
def policy() -> None:
    """Review the billing policy."""


@policy.command("impact")
@ledger_option
@today_option
@click.option("--against", metavar="REF", default=None,
              help="Compare with policy.yaml at this git ref (branch, tag, commit); default: HEAD.")  # fmt: skip
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The proposed policy: show what this file changes against the working tree's policy.")  # fmt: skip
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True,
              help="How many days ahead to run the schedule.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def policy_impact(
    ledger_dir: Path, today: Any, against: str | None, policy_file: Path | None, days: int, fmt: str
) -> None:
    """What a policy change does: the working tree's policy against a git ref (before), or a
    proposed policy file (after) against the working tree's: messages sent, moved or dropped,
    late fees and escalations over the next days, and the last 8 weeks replayed."""
    from ledgerops.app import policy_impact as app
    from ledgerops.render import impact as render

    impact, before, after = app.run(Context(ledger_dir, to_date(today)), against, policy_file, days)
    emit(
        render.impact_json(impact, before, after)
        if fmt == "json"
        else render.impact_text(impact, before, after)
    )
