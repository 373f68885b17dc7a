"""Real ledgers for the reminder tests: a copy of the example ledger in a git repository,
optionally cloned from a bare `origin`, so runs commit and push as they do in production."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import LEDGEROPS, copy_example

DAY = "2026-11-27"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def example_repo(target: Path) -> Path:
    """The example ledger as a git repository with one commit on main."""
    copy_example(target)
    (target / ".gitignore").write_text("outbox/\n")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "example ledger")
    return target


def with_origin(tmp: Path, clones: int = 1) -> tuple[Path, list[Path]]:
    """A bare origin holding the example ledger, and `clones` working copies of it."""
    seed = example_repo(tmp / "seed")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    copies = [tmp / f"clone{n}" for n in range(clones)]
    for copy in copies:
        git(tmp, "clone", "-q", str(origin), str(copy))
    return origin, copies


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)
    if git(repo, "remote"):
        git(repo, "push", "-q", "origin", "main")


def smtp_env(server, **extra: str) -> dict[str, str]:
    return {**os.environ, **server.environ(**extra)}


def start_run(ledger: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [LEDGEROPS, "run", "--ledger", str(ledger), "--today", DAY, "--format", "json", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str]) -> tuple[int, dict, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, (json.loads(out) if out.strip() else {}), err
