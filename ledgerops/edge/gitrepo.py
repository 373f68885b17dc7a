"""Git, through GitPython: the only module that imports it (imported lazily: it is slow)."""

from __future__ import annotations

from pathlib import Path


def init_repository(path: Path, branch: str = "main") -> None:
    import git

    git.Repo.init(path, initial_branch=branch)
