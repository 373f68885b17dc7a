"""What the writing commands share: a ledger fit to write to, edits and new files, commits."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledgerops.app.load import Ready, load_ledger, require_no_errors, valid_in
from ledgerops.context import Context
from ledgerops.core.diagnostics import Diagnostic
from ledgerops.core.errors import ChangedSinceRead, GitError, LedgerHasErrors, UsageError
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.saved import Saved
from ledgerops.core.text import has_break_or_control
from ledgerops.edge import gitrepo, store
from ledgerops.yamlfile.edit import Change, edit_text, record_key_order, record_text
from ledgerops.yamlfile.schema import Struct


def one_line(option: str, value: str | None) -> str | None:
    """A command-line value for a one-line field (a payment's ref or method), refused when
    it holds a line break or a control character rather than written as a block of text."""
    if value is not None and has_break_or_control(value):
        raise UsageError(f"{option} must be one line of text, without line breaks or control characters")
    return value


def unreadable_invoice(ready: Ready, invoice_id: str | None = None) -> LedgerHasErrors | None:
    """The error to raise when an invoice file (this one, or any) failed to load, with the
    position and message of its first error, so a command never answers as if it did not
    exist: "there is no invoice" for a file with a YAML error, or a client's invoice skipped."""
    broken = ready.ledger.broken_invoices
    wanted = sorted(broken) if invoice_id is None else [invoice_id] if invoice_id in broken else []
    for name in wanted:
        first = next(
            (d for d in ready.diagnostics
             if d.severity == "error" and d.source.path.endswith(f"/{name}.yaml")
             and d.source.path.startswith("invoices/")),
            None,
        )  # fmt: skip
        if first is not None:
            where = f"{first.source.path}:{first.source.line}:{first.source.col}"
            return LedgerHasErrors(
                f"{where}: the invoice file cannot be read ({first.code}: {first.message}); "
                "fix it first, nothing was changed ('ledgerops check' shows every problem)"
            )
        return LedgerHasErrors(
            f"the file of {name} cannot be read; nothing was changed; run 'ledgerops check'"
        )
    return None


def find_invoice(ledger: Ledger, invoice_id: str) -> Invoice:
    for invoice in ledger.invoices:
        if invoice.id == invoice_id:
            return invoice
    if invoice_id in ledger.broken_invoices:
        raise LedgerHasErrors(f"the file of {invoice_id} cannot be read; run 'ledgerops check' to see why")
    close = difflib.get_close_matches(invoice_id, [inv.id for inv in ledger.invoices], n=1)
    raise UsageError(f"no invoice '{invoice_id}'" + (f" (did you mean {close[0]}?)" if close else ""))


def edit_record(
    ledger_dir: Path, path: str, changes: Sequence[Change], spec: Struct, read_as: store.Version | None
) -> Path:
    """Apply round-trip changes to one record file, written atomically and only if the file
    is still as the command loaded it (`read_as`, from Ready.read_as); ChangedSinceRead
    otherwise, and nothing is written."""
    return write_edited(ledger_dir, path, edited(ledger_dir, path, changes, spec, read_as), read_as)


def write_edited(ledger_dir: Path, path: str, data: bytes, read_as: store.Version | None) -> Path:
    """edit_record's second half: the bytes `edited` made, written if the file is unchanged."""
    target = ledger_dir / path
    store.write_atomic(target, data, read_as=read_as)
    return target


def move_record(
    ledger_dir: Path, path: str, new_path: str, data: bytes, read_as: store.Version | None
) -> Path:
    """A record's edited bytes (from `edited`) written to `new_path`, and `path` removed (a
    draft becoming its numbered invoice). The new file is complete before the old one goes."""
    target = ledger_dir / new_path
    if target.exists():
        raise UsageError(f"{new_path} already exists; nothing was changed")
    if store.version(ledger_dir / path) != read_as:
        raise ChangedSinceRead(path)
    store.write_atomic(target, data)
    (ledger_dir / path).unlink()
    return target


def edited(
    ledger_dir: Path, path: str, changes: Sequence[Change], spec: Struct, read_as: store.Version | None
) -> bytes:
    """The record file with round-trip changes applied, as bytes; ChangedSinceRead when the
    file is no longer as the command loaded it."""
    data, now = store.read_versioned(ledger_dir, path)
    if read_as is None or now != read_as:
        raise ChangedSinceRead(path)
    text = data.decode("utf-8-sig")
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return (bom + edit_text(text, changes, record_key_order(spec))).encode("utf-8")


def create_record(ledger_dir: Path, path: str, record: Any, spec: Struct) -> Path:
    target = ledger_dir / path
    if target.exists():
        raise UsageError(f"{path} already exists; nothing was changed")
    store.write_atomic(target, record_text(record, spec).encode("utf-8"))
    return target


def require_committed(ledger_dir: Path, paths: Iterable[str], commit: bool) -> None:
    """The tool commits exactly the files it edits: refuse when one of them also holds
    someone's uncommitted change, which the commit would sweep in."""
    if not commit or not gitrepo.is_repository(ledger_dir):
        return
    dirty = sorted(set(paths) & gitrepo.uncommitted_paths(ledger_dir))
    if dirty:
        raise UsageError(
            f"{', '.join(dirty)} has uncommitted changes; commit them first (or use --no-commit)"
        )


@dataclass(frozen=True)
class Saving:
    """How a person's writing command keeps its change, decided before it writes anything:
    commit it (as the person), and push it to origin or not."""

    commit: bool = False
    checkout: gitrepo.Checkout | None = None  # set when the commit is to be pushed
    author: str | None = None


NO_IDENTITY = (
    "git does not know who you are, and the commit must carry your name; set it with "
    "'git config user.name \"Your Name\"' and 'git config user.email you@example.com' "
    "(or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL), or add --no-commit; nothing was changed"
)


def plan_saving(
    ledger_dir: Path, ledger: Ledger, paths: Iterable[str], commit: bool, push: bool | None
) -> Saving:
    """The one rule of every command a person runs to change the ledger (pay, void,
    exception open/resolve, pause): in a git repository it commits exactly the files it
    wrote, as the person (their git identity, never the bot's), unless `--no-commit`; and it
    pushes that commit to origin when asked (`--push`), or by default when the checked-out
    branch is the approval branch, where the daily run reads. `--no-push` keeps it local.
    Every refusal happens here, before a file is written."""
    if not commit:
        if push:
            raise UsageError("--push needs a commit to push; drop --no-commit")
        return Saving()
    if not gitrepo.is_repository(ledger_dir):
        if push:
            raise UsageError(f"{ledger_dir} is not in a git repository, so there is nothing to push")
        return Saving()
    require_committed(ledger_dir, paths, commit)
    author = gitrepo.person(ledger_dir)
    if author is None:
        raise UsageError(NO_IDENTITY)
    if push is False or (
        push is None and gitrepo.current_branch(ledger_dir) != ledger.policy.approval_branch
    ):
        return Saving(True, None, author)
    checkout = gitrepo.open_checkout(ledger_dir, push=True)
    if checkout is None or checkout.remote is None:
        if push:
            raise UsageError("--push: the repository has no remote 'origin' to push to; nothing was changed")
        return Saving(True, None, author)
    return Saving(True, checkout, author)


def save(ledger_dir: Path, saving: Saving, paths: Sequence[Path], message: str) -> Saved:
    """Commit the written files as planned, then push. A failed push loses nothing: the
    commit stays in this clone, and `not_pushed` says why and how to push it by hand."""
    if not saving.commit or not paths:
        return Saved()
    sha = gitrepo.commit(ledger_dir, paths, message, as_person=True)
    checkout = saving.checkout
    if checkout is None:
        return Saved(sha, saving.author)
    remote, branch = checkout.remote, checkout.branch
    try:
        pushed = gitrepo.push(checkout)
        reason = f"{remote}/{branch} has commits this clone lacks"
    except GitError as error:
        pushed, reason = False, str(error)
    if pushed:
        return Saved(sha, saving.author, pushed_to=f"{remote}/{branch}")
    return Saved(sha, saving.author, not_pushed=(
        f"not pushed: {reason}. Nothing is lost: the commit {sha[:10]} stays in this clone. "
        f"Publish it with 'git pull --rebase {remote} {branch} && git push {remote} {branch}' "
        "(or push it on a branch of its own and open a pull request)"
    ))  # fmt: skip


def errors_in(diagnostics: Iterable[Diagnostic], path: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error" and d.source.path == path]


def load_invoice(ctx: Context, invoice_id: str) -> tuple[Invoice, Ready]:
    """The invoice `pay` or `void` edits: errors elsewhere in the ledger don't stop them;
    errors in its own file do."""
    ready = load_ledger(ctx, valid_in())
    invoice = find_invoice(ready.ledger, invoice_id)
    require_no_errors(ready, [invoice.path])
    return invoice, ready
