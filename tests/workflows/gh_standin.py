"""A stand-in for the GitHub CLI, first on the harness's PATH: it records each call in a JSON-lines
log (the test reads it) and answers the way `gh` does for the commands our workflows use.

Like the real `gh` in a workflow, it refuses to work without GH_TOKEN, and `gh pr create`
refuses a head branch that was not pushed to origin first.

Usage (by the harness's `gh` shim): gh_standin.py LOG ARGS...
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _current_branch() -> str:
    done = subprocess.run(["git", "branch", "--show-current"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _pushed(branch: str) -> bool:
    done = subprocess.run(
        ["git", "ls-remote", "--exit-code", "--heads", "origin", branch], capture_output=True, check=False
    )
    return done.returncode == 0


def main(log: Path, args: list[str]) -> int:
    if not (os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")):
        print(
            "gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.",
            file=sys.stderr,
        )
        return 4
    calls = log.read_text().splitlines() if log.exists() else []
    record: dict[str, object] = {"args": args}
    if args[:2] == ["pr", "create"]:
        head = _option(args, "--head") or _option(args, "-H") or _current_branch()
        if not _pushed(head):
            print(f"pull request create failed: head branch {head!r} is not on origin", file=sys.stderr)
            return 1
        body_file = _option(args, "--body-file") or _option(args, "-F")
        record.update(
            head=head,
            base=_option(args, "--base") or _option(args, "-B"),
            title=_option(args, "--title") or _option(args, "-t"),
            body=Path(body_file).read_text() if body_file else _option(args, "--body") or _option(args, "-b"),
        )
        number = 1 + sum('"pr", "create"' in call for call in calls)
        print(f"https://github.com/{os.environ.get('GITHUB_REPOSITORY', 'owner/repo')}/pull/{number}")
    with log.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
