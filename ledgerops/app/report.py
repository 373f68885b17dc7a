"""`ledgerops report`: the weekly review as of a date, printed, or written to reports/ and committed."""

from __future__ import annotations

from dataclasses import dataclass

from ledgerops.app.load import Loaded, load
from ledgerops.context import Context
from ledgerops.core.review import WeeklyReview, weekly_review
from ledgerops.edge import store
from ledgerops.errors import LedgerHasErrors
from ledgerops.render.report import readme_markdown, review_markdown

WEEKLY_DIR = "reports/weekly"
README = "reports/README.md"


@dataclass(frozen=True)
class Written:
    paths: tuple[str, ...]  # relative to the ledger, with '/'
    commit: str | None  # the new commit's id, None with --no-commit


def loaded_ledger(ctx: Context) -> Loaded:
    """The ledger as loaded; refuses only when the policy itself is unreadable."""
    loaded = load(ctx)
    if loaded.ledger is None:
        raise LedgerHasErrors("policy.yaml cannot be read; run 'ledgerops check' to see why")
    return loaded


def review(ctx: Context) -> tuple[WeeklyReview, bool]:
    """The review as of ctx.today (default: today), and whether `check` found errors."""
    loaded = loaded_ledger(ctx)
    ledger = loaded.ledger
    assert ledger is not None
    return weekly_review(ledger, ledger.policy, loaded.today), loaded.has_errors


def write(ctx: Context, commit: bool) -> tuple[WeeklyReview, Written]:
    """reports/weekly/<week>.md, and reports/README.md when this is the newest week, then a commit.

    Refuses a ledger with errors: a committed report must be reproducible from valid data.
    """
    weekly, has_errors = review(ctx)
    if has_errors:
        raise LedgerHasErrors("the ledger has errors, so no report is written; run 'ledgerops check'")
    root = ctx.ledger_dir
    page = review_markdown(weekly)
    files = {f"{WEEKLY_DIR}/{weekly.week}.md": page}
    newest = max(store.names(root / WEEKLY_DIR, ".md"), default="")
    if f"{weekly.week}.md" >= newest:
        files[README] = readme_markdown(weekly, f"weekly/{weekly.week}.md", page)
    for path, text in files.items():
        store.write_atomic(root / path, text.encode("utf-8"))
    return weekly, Written(tuple(files), None)
