"""Git helpers against real repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ledgerops.edge import gitrepo


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    gitrepo.init_repository(tmp_path)
    (tmp_path / "a.yaml").write_text("a: 1\n")
    (tmp_path / "b.yaml").write_text("b: 1\n")
    gitrepo.commit(tmp_path, [tmp_path / "a.yaml", tmp_path / "b.yaml"], "start")
    return tmp_path


def test_commit_takes_exactly_the_given_paths(repo: Path) -> None:
    (repo / "a.yaml").write_text("a: 2\n")
    (repo / "b.yaml").write_text("b: 2\n")
    _git(repo, "add", "b.yaml")  # staged by the user: must stay out of the tool's commit
    (repo / "new").mkdir()
    (repo / "new" / "c.yaml").write_text("c: 1\n")
    sha = gitrepo.commit(repo, [repo / "a.yaml", repo / "new" / "c.yaml"], "record: a and c")
    assert _git(repo, "show", "--name-only", "--format=%an <%ae>|%cn|%s", sha).split() == [
        "ledgerops[bot]", "<ledgerops-bot@users.noreply.github.com>|ledgerops[bot]|record:", "a", "and", "c",
        "a.yaml", "new/c.yaml",
    ]  # fmt: skip
    assert gitrepo.uncommitted_paths(repo) == {"b.yaml"}


def test_a_persons_commit_carries_the_persons_identity_not_the_bots(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGEROPS_BOT_NAME", "the bot")
    _git(repo, "config", "user.name", "Mara Lindqvist")
    _git(repo, "config", "user.email", "mara@example.invalid")
    assert gitrepo.person(repo) == "Mara Lindqvist <mara@example.invalid>"
    (repo / "a.yaml").write_text("a: 3\n")
    sha = gitrepo.commit(repo, [repo / "a.yaml"], "pay: a", as_person=True)
    assert _git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha).strip() == (
        "Mara Lindqvist <mara@example.invalid>|Mara Lindqvist <mara@example.invalid>"
    )
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Jonas Kurz")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "jonas@example.invalid")
    assert gitrepo.person(repo) == "Jonas Kurz <jonas@example.invalid>"  # as `git commit` would
    assert gitrepo.person(repo.parent / "nowhere") is None


def test_branch_and_repository_detection(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert gitrepo.is_repository(repo) and gitrepo.current_branch(repo) == "main"
    _git(repo, "checkout", "-q", "-b", "feature")
    assert gitrepo.current_branch(repo) == "feature"
    _git(repo, "checkout", "-q", "--detach")
    assert gitrepo.current_branch(repo) is None
    elsewhere = tmp_path_factory.mktemp("plain")
    assert not gitrepo.is_repository(elsewhere) and gitrepo.current_branch(elsewhere) is None


def test_uncommitted_paths_are_relative_to_a_ledger_in_a_subfolder(repo: Path) -> None:
    ledger = repo / "ledger"
    (ledger / "invoices").mkdir(parents=True)
    (ledger / "invoices" / "x.yaml").write_text("x: 1\n")
    (repo / "a.yaml").write_text("a: 3\n")  # outside the ledger folder: not reported
    assert gitrepo.uncommitted_paths(ledger) == {"invoices/x.yaml"}


def test_commit_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(gitrepo.GitError, match="not in a git repository"):
        gitrepo.commit(tmp_path, [tmp_path / "x"], "nope")
