"""Git, through GitPython: the only module that imports it (imported lazily: it is slow)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

BOT_NAME = "ledgerops[bot]"
BOT_EMAIL = "ledgerops-bot@users.noreply.github.com"


class GitError(Exception):
    """A git operation the command needs failed."""


def init_repository(path: Path, branch: str = "main") -> None:
    import git

    git.Repo.init(path, initial_branch=branch)


def _repo(path: Path) -> Any:
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def is_repository(path: Path) -> bool:
    """Whether `path` is inside a git working tree."""
    repo = _repo(path)
    return repo is not None and not repo.bare


def current_branch(path: Path) -> str | None:
    """The checked-out branch of the repository holding `path`; None when HEAD is detached."""
    repo = _repo(path)
    if repo is None or repo.head.is_detached:
        return None
    return repo.head.reference.name


def uncommitted_paths(path: Path) -> frozenset[str]:
    """Files under `path` that differ from the last commit (changed, staged, new or
    deleted), relative to `path` with '/'."""
    repo = _repo(path)
    if repo is None:
        return frozenset()
    output = repo.git.status("--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", str(path))
    root = Path(repo.working_tree_dir).resolve()
    base = path.resolve()
    found = set()
    for entry in output.split("\0"):
        if len(entry) > 3:
            found.add((root / entry[3:]).relative_to(base).as_posix())
    return frozenset(found)


def commit(
    repo_dir: Path,
    paths: Iterable[Path],
    message: str,
    author_name: str = BOT_NAME,
    author_email: str = BOT_EMAIL,
) -> str:
    """Commit exactly `paths` (written or deleted), whatever else is staged; returns the
    commit id. Hooks are skipped: the tool validated the ledger before it wrote, and a
    slow or interactive hook must not stand between a sent email and its record."""
    import git

    repo = _repo(repo_dir)
    if repo is None:
        raise GitError(f"{repo_dir} is not in a git repository")
    names = [str(Path(p).resolve()) for p in paths]
    if not names:
        raise GitError("nothing to commit")
    identity = {
        "GIT_AUTHOR_NAME": author_name,
        "GIT_AUTHOR_EMAIL": author_email,
        "GIT_COMMITTER_NAME": author_name,
        "GIT_COMMITTER_EMAIL": author_email,
    }
    try:
        with repo.git.custom_environment(**identity):
            repo.git.add("--all", "--", *names)
            repo.git.commit("--no-verify", "--quiet", "-m", message, "--only", "--", *names)
    except git.GitCommandError as error:
        detail = (error.stderr or error.stdout or "").strip().splitlines()
        raise GitError(f"git commit failed: {detail[-1] if detail else error}") from error
    return repo.head.commit.hexsha
