"""`ledgerops exception sync-github` end to end: the real command, as the workflow runs it,
against a local stand-in for GitHub's issue endpoints (tests/github_standin.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import LEDGEROPS, example_repo, git, run_cli, snapshot
from tests.github_standin import REPO, TOKEN, GitHubStandIn

pytestmark = pytest.mark.slow
DAY = "2026-11-27"
OPEN_CASE = "EXC-2026-0001"  # the example ledger's open final escalation of INV-2026-0005


@pytest.fixture
def github(httpserver: HTTPServer) -> GitHubStandIn:
    standin = GitHubStandIn(httpserver)
    standin.install()
    return standin


def _env(github: GitHubStandIn, token: str = TOKEN) -> dict[str, str]:
    return {**os.environ, "GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": token}


def sync(root: Path, github: GitHubStandIn, *extra: str) -> dict:
    done = run_cli("exception", "sync-github", "--ledger", str(root), "--today", DAY, "--format", "json",
                   *extra, env=_env(github))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout + done.stderr
    return json.loads(done.stdout)


def test_a_new_case_opens_one_issue_with_its_facts(tmp_path: Path, github: GitHubStandIn) -> None:
    root = example_repo(tmp_path / "ledger")
    result = sync(root, github)
    assert [(a["action"], a["case"]) for a in result["actions"]] == [("create", OPEN_CASE)]
    (issue,) = github.issues.values()
    assert (
        issue["title"] == "INV-2026-0005 · Kaze Robotics K.K. · final escalation · 488723 JPY (EXC-2026-0001)"
    )
    body = issue["body"]
    assert f"<!-- ledgerops-case: {OPEN_CASE} -->" in body
    assert "Call Kaze accounting" in body  # the case note
    assert f"https://github.com/{REPO}/blob/HEAD/exceptions/{OPEN_CASE}.yaml" in body
    assert "`overdue_7`" in body  # the reminder history
    assert f"ledgerops exception resolve {OPEN_CASE}" in body  # what to do
    assert {label["name"] for label in issue["labels"]} == {"ledgerops", "ledgerops:final_escalation"}
    assert {"ledgerops", "ledgerops:final_escalation"} <= set(github.labels)
    # the resolved case that never had an issue gets none
    assert "EXC-2026-0002" not in json.dumps(list(github.issues.values()))


def test_an_unchanged_case_makes_no_write_request(tmp_path: Path, github: GitHubStandIn) -> None:
    root = example_repo(tmp_path / "ledger")
    sync(root, github)
    github.log.clear()
    github.page_size = 1  # and the list is read across pages
    result = sync(root, github)
    assert result["actions"] == [] and result["writes"] == 0
    assert result["unchanged"] == [{"case": OPEN_CASE, "issue": 1}]
    assert github.writes() == []
    assert github.log, "the sync read the issues"


def test_two_overlapping_syncs_open_one_issue(tmp_path: Path, github: GitHubStandIn) -> None:
    """Two clones (no lock in common) and two syncs in one clone, all started at once."""
    first = example_repo(tmp_path / "one")
    second = tmp_path / "two"
    subprocess.run(["git", "clone", "-q", str(first), str(second)], check=True)
    command = ["exception", "sync-github", "--today", DAY, "--format", "json"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    runs = [
        subprocess.Popen([LEDGEROPS, *command, "--ledger", str(where)], env=_env(github), **pipes)
        for where in (first, second, first)
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert len(github.open_issues()) == 1
    keep = min(github.issues)
    for number, issue in github.issues.items():
        if number != keep:  # a duplicate from the same instant is closed, pointing at the first
            assert issue["state"] == "closed" and github.comments[number] == [
                f"Duplicate of #{keep}: two syncs overlapped and opened this one too. Closing it."
            ]
    # one more sync changes nothing
    github.log.clear()
    assert sync(first, github)["writes"] == 0


def test_a_resolved_case_closes_its_issue_with_the_resolution(tmp_path: Path, github: GitHubStandIn) -> None:
    root = example_repo(tmp_path / "ledger")
    sync(root, github)
    done = run_cli("exception", "resolve", OPEN_CASE, "--ledger", str(root), "--today", DAY,
                   "--resolution", "Paid by phone agreement; bank transfer on 2026-11-30")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = sync(root, github)
    assert [(a["action"], a["issue"]) for a in result["actions"]] == [("close", 1)]
    issue = github.issues[1]
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert github.comments[1] == [
        f"Resolved in the ledger on {DAY}: Paid by phone agreement; bank transfer on 2026-11-30\n\nClosing this issue."
    ]
    assert "### Resolution" in issue["body"]
    github.log.clear()
    assert sync(root, github)["writes"] == 0


def test_an_issue_closed_by_hand_is_reopened(tmp_path: Path, github: GitHubStandIn) -> None:
    root = example_repo(tmp_path / "ledger")
    sync(root, github)
    github.issues[1]["state"] = "closed"
    github.issues[1]["labels"].append({"name": "urgent"})  # a person's own label stays
    result = sync(root, github)
    assert [(a["action"], a["issue"]) for a in result["actions"]] == [("reopen", 1)]
    assert github.issues[1]["state"] == "open"
    (comment,) = github.comments[1]
    assert "git is the source of truth" in comment and "merging the case file" in comment
    assert {label["name"] for label in github.issues[1]["labels"]} >= {"urgent", "ledgerops"}


def test_a_changed_case_updates_its_issue(tmp_path: Path, github: GitHubStandIn) -> None:
    root = example_repo(tmp_path / "ledger")
    sync(root, github)
    case = root / "exceptions" / f"{OPEN_CASE}.yaml"
    case.write_text(case.read_text().replace("Call Kaze accounting", "Call Kaze's CFO"))
    git(root, "-c", "user.name=M", "-c", "user.email=m@example.invalid", "commit", "-qam", "note")
    result = sync(root, github)
    assert [(a["action"], a["issue"]) for a in result["actions"]] == [("update", 1)]
    assert "Call Kaze's CFO" in github.issues[1]["body"] and not github.comments


def test_dry_run_reads_and_writes_nothing(tmp_path: Path, github: GitHubStandIn) -> None:
    root = example_repo(tmp_path / "ledger")
    before = snapshot(root)
    result = sync(root, github, "--dry-run")
    assert result["dry_run"] is True
    assert [(a["action"], a["case"]) for a in result["actions"]] == [("create", OPEN_CASE)]
    assert github.writes() == [] and github.issues == {}
    assert snapshot(root) == before


def test_bad_settings_and_refusals_are_one_line_without_the_token(
    tmp_path: Path, github: GitHubStandIn
) -> None:
    root = example_repo(tmp_path / "ledger")
    env = {k: v for k, v in _env(github).items() if k != "GITHUB_TOKEN"}
    done = run_cli("exception", "sync-github", "--ledger", str(root), env=env)
    assert done.returncode == 2 and "GITHUB_TOKEN is not set" in done.stderr
    wrong = "ghs_wrong_token_456"
    done = run_cli("exception", "sync-github", "--ledger", str(root), env=_env(github, wrong))
    assert done.returncode == 2, done.stderr
    assert "401 Bad credentials" in done.stderr and "Traceback" not in done.stderr
    assert wrong not in done.stdout + done.stderr
    env = {**_env(github), "GITHUB_REPOSITORY": "not a repo"}
    done = run_cli("exception", "sync-github", "--ledger", str(root), env=env)
    assert done.returncode == 2 and "owner/name" in done.stderr
