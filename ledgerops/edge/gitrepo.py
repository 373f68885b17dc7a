"""Git, through GitPython: the only module that imports it (imported lazily: it is slow)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledgerops.errors import LedgeropsError


def init_repository(path: Path, branch: str = "main") -> None:
    import git

    git.Repo.init(path, initial_branch=branch)


# --- the claim protocol's git side: sync, push, and start over after a rejected push -----
_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref")


class GitProblem(LedgeropsError):
    """The repository is not in a state a run can safely work from."""


@dataclass(frozen=True)
class Checkout:
    """A ledger's repository as a run uses it: its branch, and the remote it pushes to."""

    repo: Any  # git.Repo, kept opaque so nothing outside this module touches GitPython
    root: Path
    branch: str
    remote: str | None  # "origin" when it exists and pushing is wanted

    @property
    def lock_path(self) -> Path:
        return Path(self.repo.git_dir) / "ledgerops-run.lock"


def open_checkout(ledger_dir: Path, push: bool) -> Checkout | None:
    """The repository holding the ledger, or None when the ledger is not in one."""
    import git

    try:
        repo = git.Repo(ledger_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    if repo.head.is_detached:
        raise GitProblem("the repository is on a detached HEAD; check out a branch first")
    remote = "origin" if push and "origin" in [r.name for r in repo.remotes] else None
    return Checkout(repo, Path(repo.working_tree_dir or ledger_dir), repo.active_branch.name, remote)


def ensure_clean(checkout: Checkout, ledger_dir: Path) -> None:
    """Refuse uncommitted changes to tracked ledger files: a run commits and may reset."""
    rel = os.path.relpath(ledger_dir.resolve(), checkout.root.resolve())
    if checkout.repo.is_dirty(index=True, working_tree=True, untracked_files=False, path=rel):
        raise GitProblem("the ledger has uncommitted changes; commit or stash them before a run")


def sync(checkout: Checkout) -> None:
    """Catch up with the remote by fast-forward only; refuse local commits it lacks."""
    if checkout.remote is None or not _fetch(checkout):
        return
    repo, upstream = checkout.repo, f"{checkout.remote}/{checkout.branch}"
    if repo.is_ancestor(repo.head.commit, upstream):
        repo.git.merge("--ff-only", upstream)
    elif repo.head.commit.hexsha != repo.commit(upstream).hexsha:
        raise GitProblem(
            f"{checkout.branch} has commits that {upstream} lacks; push them (or drop them) before a run"
        )


def _fetch(checkout: Checkout) -> bool:
    """Fetch the branch; False when the remote does not have it yet."""
    import git

    try:
        checkout.repo.git.fetch(checkout.remote, checkout.branch)
    except git.GitCommandError as error:
        if "couldn't find remote ref" in str(error):
            return False
        raise GitProblem(f"git fetch failed: {_last_line(error)}") from error
    return True


def commit_paths(checkout: Checkout, paths: Iterable[Path], message: str) -> bool:
    """Commit exactly these files (added, changed or deleted); False when nothing changed."""
    repo = checkout.repo
    rels = sorted({os.path.relpath(p.resolve() if p.exists() else p, checkout.root.resolve()) for p in paths})
    if not rels:
        return False
    repo.git.add("-A", "--", *rels)
    if not repo.git.diff("--cached", "--name-only", "--", *rels):
        return False
    repo.git.commit("-m", message, "--", *rels)
    return True


def push(checkout: Checkout) -> bool:
    """Push the branch; False when the remote moved on (never forced)."""
    import git

    if checkout.remote is None:
        return True
    try:
        checkout.repo.git.push(checkout.remote, f"HEAD:refs/heads/{checkout.branch}")
    except git.GitCommandError as error:
        if any(marker in str(error) for marker in _REJECTED):
            return False
        raise GitProblem(f"git push failed: {_last_line(error)}") from error
    return True


def start_over(checkout: Checkout) -> None:
    """After a rejected push: take the remote's branch and drop this run's unpushed commits.

    The run then re-plans from the new state; nothing of a claim is rebased onto it.
    """
    _fetch(checkout)
    checkout.repo.git.reset("--hard", f"{checkout.remote}/{checkout.branch}")


def _last_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
