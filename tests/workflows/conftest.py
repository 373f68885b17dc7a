"""Ledgers on a simulated GitHub: made by `ledgerops init`, with or without the example data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import LEDGER_PARTS, REPO, copy_example, run_cli
from tests.github_standin import GitHubStandIn
from tests.workflows.harness import FOUNDER, HARNESS_TOKEN, Repository, git

WORKFLOWS = REPO / ".github" / "workflows"


def workflow(name: str) -> Path:
    return WORKFLOWS / name


def new_ledger(path: Path, *, example_data: bool) -> Path:
    """`ledgerops init`, optionally filled with the example ledger's records, committed on main."""
    made = run_cli(
        "init", str(path), "--company", "Mara Lindqvist Design", "--email", "billing@lindqvist.example"
    )
    assert made.returncode == 0, made.stderr
    if not example_data:
        # What check asks a new user for before the first invoice leaves (docs/spec.md §4.5).
        _fill(
            path / "policy.yaml",
            '  # address: "Street 1, 10115 Berlin"\n  # tax_id: DE136695976',
            '  address: "Weserstraße 48, 12045 Berlin"\n  tax_id: DE136695976',
        )
        _fill(path / "policy.yaml", "# bank: {iban", "bank: {iban")
        _fill(path / "clients/example-client.yaml", "# address: |", "address: |")
        _fill(path / "clients/example-client.yaml", "#   Example Client", "  Example Client")
    if example_data:
        for part in LEDGER_PARTS:
            target = path / part
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        copy_example(path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "A new ledger", cwd=path, identity=FOUNDER)
    return path


def _fill(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def commit_change(clone: Path, branch: str, files: dict[str, str], message: str) -> None:
    """The founder edits files on a new branch and pushes it, as before opening a pull request."""
    git("switch", "-q", "-c", branch, cwd=clone)
    for path, text in files.items():
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text(text)
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", message, cwd=clone, identity=FOUNDER)
    git("push", "-q", "origin", branch, cwd=clone)


@pytest.fixture
def github_api(httpserver: HTTPServer) -> GitHubStandIn:
    """GitHub's issue endpoints, for the jobs that sync cases to issues (tests/github_standin.py)."""
    standin = GitHubStandIn(httpserver, token=HARNESS_TOKEN)
    standin.install()
    return standin


@pytest.fixture
def github(tmp_path: Path, github_api: GitHubStandIn) -> Repository:
    return Repository(tmp_path / "github", api_url=github_api.api_url)


@pytest.fixture
def example_repo(github: Repository, tmp_path: Path) -> Repository:
    """The example ledger (Friday 2026-11-27) as a repository made with `ledgerops init`."""
    github.publish(new_ledger(tmp_path / "seed", example_data=True))
    return github
