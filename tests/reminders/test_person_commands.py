"""The commands a person runs to change the ledger (pay, credit, void, exception open/resolve, pause)
leave the repository in one state: their files committed, as that person, and pushed to
origin on the approval branch, so the scheduled run (another clone) sees them."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

from .ledgers import DAY, commit_all, git, message_ids, origin_ledger, smtp_env, with_origin

pytestmark = pytest.mark.slow  # ledgerops processes, a bare origin and an SMTP server

MARA = ("Mara Lindqvist", "mara@lindqvist-design.example")
HARBOR_PINE_REMINDERS = {
    "<INV-2026-0012.due@lindqvist-design.example>",
    "<INV-2026-0013.pre_due@lindqvist-design.example>",
}


def person_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A shell whose git knows no one but what the repository says: no global or system
    configuration, no GIT_AUTHOR_* / GIT_COMMITTER_* inherited from the test's own shell,
    and user.useConfigOnly, so git never guesses a name from the host."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_"))}
    env.update({"HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / "none"), "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.useConfigOnly",
                "GIT_CONFIG_VALUE_0": "true"})  # fmt: skip
    env.update(extra)
    return env


def as_mara(clone: Path) -> Path:
    git(clone, "config", "user.name", MARA[0])
    git(clone, "config", "user.email", MARA[1])
    return clone


def ledgerops(clone: Path, env: dict[str, str], *args: str):
    return run_cli(*args, "--ledger", str(clone), "--today", DAY, env=env)


def who(repo: Path, rev: str) -> str:
    return git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", rev).strip()


MARA_ID = f"{MARA[0]} <{MARA[1]}>"


def test_a_pause_made_in_one_clone_stops_the_scheduled_run_in_another(tmp_path: Path, smtp_server) -> None:
    origin, (laptop, runner) = with_origin(tmp_path, clones=2)
    paused = ledgerops(as_mara(laptop), person_env(tmp_path), "pause", "harbor-pine", "--until", "2026-12-15",
                       "--reason", "promise_to_pay", "--note", "CFO promised payment by the 15th")  # fmt: skip
    assert paused.returncode == 0, paused.stderr
    assert f"as {MARA_ID}; pushed to origin/main" in paused.stdout
    assert git(laptop, "status", "--porcelain") == ""
    assert who(origin, "main") == f"{MARA_ID}|{MARA_ID}"
    subject = git(origin, "log", "-1", "--format=%s", "main")
    assert subject.startswith("pause: harbor-pine through 2026-12-15 (promise_to_pay): EXC-")
    assert subject.count(" for INV-2026-00") == 3  # one case per open invoice (0010, 0012, 0013), one commit

    server = smtp_server()
    done = run_cli(
        "run", "--ledger", str(runner), "--today", DAY, "--transport", "smtp", env=smtp_env(server)
    )
    assert done.returncode == 0, done.stderr
    sent = message_ids(server)
    assert not HARBOR_PINE_REMINDERS & set(sent)  # the pause reached the scheduled run
    assert sent == Counter(
        {
            "<INV-2026-0015.invoice@lindqvist-design.example>": 1,
            "<INV-2026-0007.overdue_7@lindqvist-design.example>": 1,
        }
    )
    ledger = origin_ledger(origin, tmp_path)
    assert {c.invoice for c in ledger.exceptions if c.reason == "promise_to_pay"} >= {
        "INV-2026-0012",
        "INV-2026-0013",
    }


def test_pay_then_run_in_the_same_clone(tmp_path: Path, smtp_server) -> None:
    origin, (clone,) = with_origin(tmp_path)
    paid = ledgerops(as_mara(clone), person_env(tmp_path), "pay", "INV-2026-0012", "--amount", "5400.00",
                     "--date", DAY, "--method", "bank_transfer")  # fmt: skip
    assert paid.returncode == 0, paid.stderr
    assert "pushed to origin/main" in paid.stdout
    assert (
        git(origin, "log", "-1", "--format=%s", "main").strip()
        == "pay: INV-2026-0012 5400.00 USD on 2026-11-27"
    )
    assert who(origin, "main") == f"{MARA_ID}|{MARA_ID}"

    server = smtp_server()
    done = run_cli("run", "--ledger", str(clone), "--today", DAY, "--transport", "smtp", env=smtp_env(server))
    assert done.returncode == 0, done.stderr  # no "push them first"
    assert "<INV-2026-0012.due@lindqvist-design.example>" not in message_ids(server)
    assert "<INV-2026-0013.pre_due@lindqvist-design.example>" in message_ids(server)
    assert git(clone, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")


def test_every_person_command_commits_exactly_its_files_as_the_person(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    env = person_env(tmp_path, LEDGEROPS_BOT_NAME="not me", LEDGEROPS_BOT_EMAIL="bot@example.invalid")
    as_mara(clone)
    steps = [
        ("pay", "INV-2026-0013", "--amount", "100.00", "--date", DAY),
        (
            "credit",
            "INV-2026-0014",
            "--full",
            "--reason",
            "cancellation",
            "--note",
            "sent to the wrong company",
        ),
        ("exception", "open", "INV-2026-0012", "--reason", "dispute", "--note", "hours questioned"),
        ("pause", "INV-2026-0007", "--until", "2026-12-04", "--reason", "promise_to_pay"),
    ]
    for step in steps:
        before = git(clone, "rev-parse", "HEAD").strip()
        done = ledgerops(clone, env, *step)
        assert done.returncode == 0, (step, done.stderr)
        assert git(clone, "rev-list", "--count", f"{before}..HEAD").strip() == "1", step
        assert who(clone, "HEAD") == f"{MARA_ID}|{MARA_ID}", step
        assert git(clone, "status", "--porcelain") == "", step
    case = next(p.stem for p in (clone / "exceptions").glob("*.yaml") if "hours questioned" in p.read_text())
    resolved = ledgerops(clone, env, "exception", "resolve", case, "--resolution", "agreed on 10 hours less")
    assert resolved.returncode == 0, resolved.stderr
    assert git(clone, "show", "--name-only", "--format=%s", "HEAD").split() == [
        *f"exception: resolve {case} for INV-2026-0012: agreed on 10 hours less".split(),
        f"exceptions/{case}.yaml",
    ]
    # GIT_AUTHOR_* wins over the repository's user.name, as in `git commit`.
    other = ledgerops(clone, {**env, "GIT_AUTHOR_NAME": "Jonas Kurz", "GIT_AUTHOR_EMAIL": "jonas@example.invalid"},
                      "exception", "open", "INV-2026-0013", "--reason", "other")  # fmt: skip
    assert other.returncode == 0, other.stderr
    assert who(clone, "HEAD") == f"Jonas Kurz <jonas@example.invalid>|{MARA_ID}"
    assert git(clone, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")  # each pushed on main
    assert run_cli("check", "--ledger", str(clone), "--today", DAY).returncode == 0


def test_without_a_git_identity_nothing_is_written(tmp_path: Path) -> None:
    _, (clone,) = with_origin(tmp_path)
    git(clone, "config", "--unset", "user.name")
    git(clone, "config", "--unset", "user.email")
    before = snapshot(clone)
    done = ledgerops(clone, person_env(tmp_path), "pause", "harbor-pine", "--until", "2026-12-15",
                     "--reason", "promise_to_pay")  # fmt: skip
    assert done.returncode == 2
    assert "git config user.name" in done.stderr and "--no-commit" in done.stderr
    assert snapshot(clone) == before
    written = ledgerops(clone, person_env(tmp_path), "pause", "harbor-pine", "--until", "2026-12-15",
                        "--reason", "promise_to_pay", "--no-commit")  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert "committed" not in written.stdout and len(git(clone, "status", "--porcelain").splitlines()) == 3


def test_a_rejected_push_keeps_the_commit_and_says_how_to_push(tmp_path: Path) -> None:
    origin, (laptop, other) = with_origin(tmp_path, clones=2)
    (other / "clients/brotwerk.yaml").write_text(
        (other / "clients/brotwerk.yaml").read_text() + "# moved on\n"
    )
    commit_all(other, "origin moved on")  # pushes
    done = ledgerops(as_mara(laptop), person_env(tmp_path), "exception", "open", "INV-2026-0012",
                     "--reason", "dispute")  # fmt: skip
    assert done.returncode == 1
    assert "opened EXC-" in done.stdout and "committed " in done.stdout
    assert "not pushed: origin/main has commits this clone lacks" in done.stderr
    assert "Nothing is lost" in done.stderr
    assert "git pull --rebase origin main && git push origin main" in done.stderr
    assert "Traceback" not in done.stderr
    assert git(laptop, "status", "--porcelain") == ""  # the clone is usable: nothing half-done
    assert git(laptop, "log", "-1", "--format=%s").startswith("exception: open EXC-")

    env = person_env(tmp_path)
    for args in (["pull", "-q", "--rebase", "origin", "main"], ["push", "-q", "origin", "main"]):
        git_done = run_cli_git(laptop, env, *args)
        assert git_done.returncode == 0, git_done.stderr
    ledger = origin_ledger(origin, tmp_path)
    assert [c.invoice for c in ledger.exceptions if c.reason == "dispute"] == ["INV-2026-0012"]


def run_cli_git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=False
    )


def test_off_the_approval_branch_it_commits_and_pushes_only_when_asked(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    env = person_env(tmp_path)
    git(as_mara(clone), "switch", "-q", "-c", "payments")
    local = ledgerops(clone, env, "pay", "INV-2026-0013", "--amount", "100.00", "--date", DAY)
    assert local.returncode == 0, local.stderr
    assert "committed " in local.stdout and "pushed" not in local.stdout
    assert "payments" not in git(origin, "branch", "--list")
    pushed = ledgerops(clone, env, "pay", "INV-2026-0013", "--amount", "50.00", "--date", DAY, "--push")
    assert pushed.returncode == 0, pushed.stderr
    assert "pushed to origin/payments" in pushed.stdout
    assert git(origin, "rev-parse", "payments") == git(clone, "rev-parse", "HEAD")

    git(clone, "switch", "-q", "main")
    kept = ledgerops(clone, env, "credit", "INV-2026-0014", "--full", "--reason", "duplicate", "--no-push")
    assert kept.returncode == 0 and "pushed" not in kept.stdout
    assert git(origin, "rev-parse", "main") != git(clone, "rev-parse", "HEAD")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--push", "--no-commit"], "--push needs a commit"),
        (["--push"], "no remote 'origin'"),
    ],
)
def test_a_push_that_cannot_happen_is_refused_before_writing(
    tmp_path: Path, args: list[str], words: str
) -> None:
    _, (clone,) = with_origin(tmp_path)
    git(as_mara(clone), "remote", "remove", "origin")
    before = snapshot(clone)
    done = ledgerops(clone, person_env(tmp_path), "pause", "INV-2026-0012", "--until", "2026-12-15",
                     "--reason", "promise_to_pay", *args)  # fmt: skip
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert snapshot(clone) == before
