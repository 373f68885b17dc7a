"""Ledgers in real git repositories, for the commands that commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import copy_example


def git(repo: Path, *args: str) -> str:
    command = [
        "git",
        "-c",
        "user.name=Tester",
        "-c",
        "user.email=tester@example.invalid",
        "-C",
        str(repo),
        *args,
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)


def example_repo(target: Path) -> Path:
    """The example ledger as a git repository on branch main, everything committed."""
    copy_example(target)
    (target / ".gitignore").write_text("outbox/\n")
    git(target, "init", "--quiet", "--initial-branch", "main")
    git(target, "config", "user.name", "Tester")  # who `pay` and `void` commit as
    git(target, "config", "user.email", "tester@example.invalid")
    commit_all(target, "the example ledger")
    return target


def log(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").splitlines()


def changed_files(repo: Path, rev: str = "HEAD") -> list[str]:
    return git(repo, "show", "--name-only", "--format=", rev).split()


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain")
