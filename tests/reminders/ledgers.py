"""Real ledgers for the reminder tests: a copy of the example ledger in a git repository,
optionally cloned from a bare `origin`, so runs commit and push as they do in production."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PARTS = ("policy.yaml", "clients", "invoices", "exceptions")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def example_copy(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    (target / ".gitignore").write_text("outbox/\n")
    return target


def example_repo(target: Path) -> Path:
    """The example ledger as a git repository with one commit on main."""
    example_copy(target)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "example ledger")
    return target


def with_origin(tmp: Path, clones: int = 1) -> tuple[Path, list[Path]]:
    """A bare origin holding the example ledger, and `clones` working copies of it."""
    seed = example_repo(tmp / "seed")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    copies = []
    for number in range(clones):
        copy = tmp / f"clone{number}"
        git(tmp, "clone", "-q", str(origin), str(copy))
        copies.append(copy)
    return origin, copies


def origin_file(origin: Path, path: str) -> str:
    return git(origin, "show", f"main:{path}")
