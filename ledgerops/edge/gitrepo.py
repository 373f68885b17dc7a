"""Git, through GitPython: the only module that imports it (imported lazily: it is slow)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledgerops.core.errors import GitError

BOT_NAME = "ledgerops[bot]"
BOT_EMAIL = "ledgerops-bot@users.noreply.github.com"


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


def lock_file(ledger_dir: Path, name: str) -> Path:
    """Where a command keeps its lock: inside .git (never committed, one per clone), or a
    hidden file in a ledger that is not in a repository."""
    repo = _repo(ledger_dir)
    if repo is None or repo.bare:
        return ledger_dir / f".{name}"
    return Path(repo.git_dir) / name


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


def has_remote(path: Path) -> bool:
    """Whether the ledger's repository has any remote: its records are shared with others."""
    repo = _repo(path)
    return repo is not None and bool(repo.remotes)


def arrival_order(path: Path, folder: str) -> dict[str, int]:
    """Files under `folder` (relative to `path`) ranked by the commit of the current branch
    that last added them, oldest first: for a merged pull request, the merge. Files added by
    one commit share its rank. Empty outside git; a file not committed has no rank."""
    repo = _repo(path)
    if repo is None:
        return {}
    root = Path(repo.working_tree_dir).resolve()
    base = path.resolve()
    output = repo.git.log("--first-parent", "-m", "--diff-filter=A", "--name-only", "--format=%x00",
                          "--", str(base / folder))  # fmt: skip
    commits = [chunk.split() for chunk in output.split("\0")[1:]]  # newest first
    ranks: dict[str, int] = {}
    for age, names in enumerate(commits):
        for name in names:  # a file added again (deleted, then re-approved) ranks by its last addition
            ranks.setdefault((root / name).relative_to(base).as_posix(), len(commits) - age)
    return ranks


def commit(
    repo_dir: Path,
    paths: Iterable[Path],
    message: str,
    author_name: str | None = None,
    author_email: str | None = None,
    *,
    as_person: bool = False,
) -> str:
    """Commit exactly `paths` (written or deleted), whatever else is staged; returns the
    commit id. Hooks are skipped: the tool validated the ledger before it wrote, and a
    slow or interactive hook must not stand between a sent email and its record.

    The author is the bot unless given: LEDGEROPS_BOT_NAME / LEDGEROPS_BOT_EMAIL rename it.
    `as_person`: the author and committer are whoever `git commit` would record here (the
    GIT_AUTHOR_* / GIT_COMMITTER_* variables, else user.name / user.email), never the bot:
    a change a person makes through the tool (see `person`).
    LEDGEROPS_COMMIT_SUFFIX (the scheduled workflows set `[skip ci]`) ends the message, so
    push-triggered workflows skip the bot's commits and no automation can loop on them."""
    import git

    identity: dict[str, str] = {}
    if not as_person:
        bot_name, bot_email = bot_identity()
        author_name, author_email = author_name or bot_name, author_email or bot_email
        identity = {
            "GIT_AUTHOR_NAME": author_name,
            "GIT_AUTHOR_EMAIL": author_email,
            "GIT_COMMITTER_NAME": author_name,
            "GIT_COMMITTER_EMAIL": author_email,
        }
    suffix = os.environ.get("LEDGEROPS_COMMIT_SUFFIX", "").strip()
    if suffix:
        message = f"{message}\n\n{suffix}"

    repo = _repo(repo_dir)
    if repo is None:
        raise GitError(f"{repo_dir} is not in a git repository")
    names = [str(Path(p).resolve()) for p in paths]
    if not names:
        raise GitError("nothing to commit")
    try:
        with repo.git.custom_environment(**identity):
            repo.git.add("--all", "--", *names)
            repo.git.commit("--no-verify", "--quiet", "-m", message, "--only", "--", *names)
    except git.GitCommandError as error:
        detail = (error.stderr or error.stdout or "").strip().splitlines()
        raise GitError(f"git commit failed: {detail[-1] if detail else error}") from error
    return repo.head.commit.hexsha


def person(path: Path) -> str | None:
    """Who a commit made here by a person would carry, as `Name <email>`: the identity
    `git commit` itself would use (GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL, else the repository's
    or the user's user.name / user.email). None when git knows no one, or outside git."""
    import git

    repo = _repo(path)
    if repo is None:
        return None
    try:
        ident = repo.git.var("GIT_AUTHOR_IDENT")
    except git.GitCommandError:
        return None
    who = ident.rsplit(">", 1)[0] + ">" if ">" in ident else ""
    name = who.split("<", 1)[0].strip()
    return who if name and "<>" not in who else None


def start_branch(path: Path, name: str) -> tuple[str, str]:
    """Create a branch from HEAD and switch to it, keeping the working tree as it is:
    `name`, or `name-2`, `name-3`, ... when taken. Returns (the branch, the one left)."""
    import git

    repo = _repo(path)
    if repo is None:
        raise GitError(f"{path} is not in a git repository")
    if repo.head.is_detached:
        raise GitError("the repository is on a detached HEAD; check out a branch first")
    previous = repo.head.reference.name
    taken = {head.name for head in repo.heads}
    branch = next(n for n in (name, *(f"{name}-{i}" for i in range(2, 1000))) if n not in taken)
    try:
        repo.git.switch("--quiet", "--create", branch)
    except git.GitCommandError as error:
        raise GitError(f"git switch failed: {_last_line(error)}") from error
    return branch, previous


def abandon_branch(path: Path, branch: str, previous: str) -> None:
    """Undo start_branch after a failed write: back to `previous`, the new branch deleted."""
    import git

    repo = _repo(path)
    if repo is None:
        return
    try:
        repo.git.switch("--quiet", previous)
        repo.git.branch("--quiet", "-D", branch)
    except git.GitCommandError:
        pass


# --- the claim protocol's git side: sync, push, and start over after a rejected push -----
_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref")


@dataclass(frozen=True)
class Checkout:
    """A ledger's repository as a run uses it: its branch, and the remote it pushes to."""

    repo: Any  # git.Repo, kept opaque so nothing outside this module touches GitPython
    branch: str
    remote: str | None  # "origin" when it exists and pushing is wanted

    @property
    def lock_path(self) -> Path:
        return Path(self.repo.git_dir) / "ledgerops-run.lock"


def open_checkout(ledger_dir: Path, push: bool) -> Checkout | None:
    """The repository holding the ledger, or None when the ledger is not in one."""
    repo = _repo(ledger_dir)
    if repo is None or repo.bare:
        return None
    if repo.head.is_detached:
        raise GitError("the repository is on a detached HEAD; check out a branch first")
    remote = "origin" if push and "origin" in [r.name for r in repo.remotes] else None
    return Checkout(repo, repo.head.reference.name, remote)


def ensure_clean(checkout: Checkout, ledger_dir: Path) -> None:
    """Refuse uncommitted changes to tracked ledger files: a run commits, and may reset."""
    if checkout.repo.is_dirty(
        index=True, working_tree=True, untracked_files=False, path=str(ledger_dir.resolve())
    ):
        raise GitError("the ledger has uncommitted changes; commit or stash them first (nothing was sent)")


def sync(checkout: Checkout) -> None:
    """Catch up with the remote by fast-forward only; refuse local commits it lacks."""
    if checkout.remote is None or not _fetch(checkout):
        return
    repo, upstream = checkout.repo, f"{checkout.remote}/{checkout.branch}"
    if repo.head.commit.hexsha == repo.commit(upstream).hexsha:
        return
    if not repo.is_ancestor(repo.head.commit, upstream):
        raise GitError(
            f"{checkout.branch} has commits that {upstream} lacks; push them (or drop them) first (nothing was sent)"
        )
    repo.git.merge("--ff-only", "--quiet", upstream)


def _fetch(checkout: Checkout) -> bool:
    """Fetch the branch; False when the remote does not have it yet."""
    import git

    try:
        checkout.repo.git.fetch("--quiet", checkout.remote, checkout.branch)
    except git.GitCommandError as error:
        if "couldn't find remote ref" in str(error):
            return False
        raise GitError(f"git fetch failed: {_last_line(error)}") from error
    return True


def push(checkout: Checkout) -> bool:
    """Push the branch; False when the remote moved on first (never forced)."""
    import git

    if checkout.remote is None:
        return True
    try:
        checkout.repo.git.push("--quiet", checkout.remote, f"HEAD:refs/heads/{checkout.branch}")
    except git.GitCommandError as error:
        if any(marker in str(error) for marker in _REJECTED):
            return False
        raise GitError(f"git push failed: {_last_line(error)}") from error
    return True


def unpushed_commits(checkout: Checkout) -> list[tuple[str, str, str]] | None:
    """(author name, author email, subject) of each commit of the branch that its upstream,
    as last fetched or pushed, lacks, newest first; None without a remote-tracking branch.
    No fetch: a push updates the tracking branch, and one that landed unseen (the run died
    first) only makes its commits look unpushed; `start_over` then fetches them back."""
    import git

    if checkout.remote is None:
        return None
    upstream = f"{checkout.remote}/{checkout.branch}"
    try:
        checkout.repo.git.rev_parse("--verify", "--quiet", f"refs/remotes/{upstream}")
    except git.GitCommandError:
        return None
    log = checkout.repo.git.log("--format=%an%x1f%ae%x1f%s", f"{upstream}..HEAD")
    commits = []
    for line in log.splitlines():
        name, email, subject = [*line.split("\x1f", 2), "", ""][:3]
        commits.append((name, email, subject))
    return commits


def bot_identity() -> tuple[str, str]:
    """The author of the tool's own commits (commit()'s default)."""
    name = os.environ.get("LEDGEROPS_BOT_NAME") or BOT_NAME
    return name, os.environ.get("LEDGEROPS_BOT_EMAIL") or BOT_EMAIL


def restore(ledger_dir: Path, paths: Iterable[str]) -> None:
    """Put files back as the last commit has them: a file the commit lacks is removed."""
    repo = _repo(ledger_dir)
    if repo is None:
        return
    for path in paths:
        target = (ledger_dir / path).resolve()
        relative = target.relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
        if repo.git.ls_tree("HEAD", "--", relative):
            repo.git.checkout("HEAD", "--", relative)  # the index too
        else:
            repo.git.rm("--cached", "--quiet", "--ignore-unmatch", "--", relative)
            target.unlink(missing_ok=True)


def stale_index_lock(checkout: Checkout, now: float, older_than: float) -> Path | None:
    """git's index.lock when it is older than `older_than` seconds: left by a git process
    that was killed (a live one holds it for milliseconds)."""
    path = Path(checkout.repo.git_dir) / "index.lock"
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return None
    return path if age > older_than else None


def undo_last_commit(checkout: Checkout) -> None:
    """Take back the commit just made (never pushed): the branch and the files as before it."""
    checkout.repo.git.reset("--hard", "--quiet", "HEAD~1")


def start_over(checkout: Checkout) -> None:
    """After a rejected push: take the remote's branch, dropping this run's unpushed commits.

    The run then plans again from that state; nothing of a claim is rebased onto it.
    """
    _fetch(checkout)
    checkout.repo.git.reset("--hard", "--quiet", f"{checkout.remote}/{checkout.branch}")


def _last_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def file_at(repo_dir: Path, ref: str, path: Path) -> bytes:
    """The bytes of `path` (a file of the working tree) as committed at `ref` (a branch, tag
    or commit), for comparing today's file with another version of it."""
    import git

    repo = _repo(repo_dir)
    if repo is None:
        raise GitError(f"{repo_dir} is not in a git repository")
    relative = path.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    try:
        return repo.git.show(f"{ref}:{relative}", stdout_as_string=False)
    except git.GitCommandError as error:
        detail = (error.stderr or "").strip().splitlines()
        raise GitError(f"cannot read {relative} at '{ref}': {detail[-1] if detail else error}") from error
