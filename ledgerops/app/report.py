"""`ledgerops report`: the weekly review as of a date, printed, or written to reports/ and committed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledgerops.app.load import READABLE, VALID, load_ledger
from ledgerops.context import Context
from ledgerops.core.errors import GitError, UsageError
from ledgerops.core.review import WeeklyReview, weekly_review
from ledgerops.edge import store
from ledgerops.render.report import readme_markdown, review_markdown

WEEKLY_DIR = "reports/weekly"
PUSH_ATTEMPTS = 5
README = "reports/README.md"
TO_DATE = "-to-date"  # the page of a week still running: it never replaces the full week's page


@dataclass(frozen=True)
class Written:
    paths: tuple[str, ...]  # files whose text changed, relative to the ledger, with '/'
    commit: str | None  # the new commit's id; None with --no-commit or when nothing changed


def review(ctx: Context) -> tuple[WeeklyReview, bool]:
    """The review as of ctx.today (default: today), and whether `check` found errors."""
    loaded = load_ledger(ctx, READABLE)
    ledger = loaded.ledger
    return weekly_review(ledger, ledger.policy, loaded.today), loaded.has_errors


def write(ctx: Context, commit: bool) -> tuple[WeeklyReview, Written]:
    """reports/weekly/<week>.md for a complete week (as of its last day or later), or
    reports/weekly/<week>-to-date.md mid-week, so a mid-week write never replaces a full
    week's page; reports/README.md when this is the newest page; then a commit of exactly
    those files.

    Refuses a ledger with errors (a committed report must be reproducible from valid data),
    and checks for a repository before writing, so a refused run changes no file.
    """
    from ledgerops.edge import gitrepo

    loaded = load_ledger(ctx, VALID)
    ledger = loaded.ledger
    weekly = weekly_review(ledger, ledger.policy, loaded.today)
    root = ctx.ledger_dir
    if commit and not gitrepo.is_repository(root):
        raise UsageError(f"{root} is not in a git repository; add --no-commit to write the files only")
    page = review_markdown(weekly)
    complete = weekly.as_of >= weekly.weeks[-1].end
    name = f"{weekly.week}{'' if complete else TO_DATE}.md"
    files = {f"{WEEKLY_DIR}/{name}": page}
    newest = max((_page_key(n) for n in store.names(root / WEEKLY_DIR, ".md")), default=("", False))
    if (weekly.week, complete) >= newest:
        files[README] = readme_markdown(weekly, f"weekly/{name}", page)
    changed = [path for path, text in files.items() if _text(root / path) != text]
    for path in changed:
        store.write_atomic(root / path, files[path].encode("utf-8"))
    if not commit:
        return weekly, Written(tuple(changed), None)
    pending = {f"reports/{name}" for name in gitrepo.uncommitted_paths(root / "reports")}
    to_commit = [path for path in files if path in pending]
    if not to_commit:
        return weekly, Written(tuple(changed), None)
    message = f"report: {weekly.week} as of {weekly.as_of.isoformat()}"
    return weekly, Written(tuple(changed), gitrepo.commit(root, [root / p for p in to_commit], message))


def publish(ctx: Context) -> tuple[WeeklyReview, Written]:
    """`--write --push`: catch up with origin, write and commit the report, push. When someone
    pushed meanwhile, take origin's branch and write the report again from it: the week's
    figures then include their change, and nothing is ever force-pushed."""
    from ledgerops.edge import gitrepo

    checkout = gitrepo.open_checkout(ctx.ledger_dir, push=True)
    if checkout is None or checkout.remote is None:
        raise UsageError("--push needs a git repository with an 'origin' remote")
    gitrepo.ensure_clean(checkout, ctx.ledger_dir)
    gitrepo.sync(checkout)
    for _ in range(PUSH_ATTEMPTS):
        result = write(ctx, commit=True)
        if result[1].commit is None or gitrepo.push(checkout):
            return result
        gitrepo.start_over(checkout)
    raise GitError(f"origin changed {PUSH_ATTEMPTS} times while the report was pushed; run it again")


def _page_key(name: str) -> tuple[str, bool]:
    """(week, complete) of a page's file name: a full week's page is newer than its to-date one."""
    stem = name.removesuffix(".md")
    return (stem.removesuffix(TO_DATE), not stem.endswith(TO_DATE))


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None
