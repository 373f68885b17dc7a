"""A bug in ledgerops exits 3 with one line, so scripts can tell it from "cannot run" (2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A real `ledgerops check` run in which the checker itself is broken: the same path any bug
# in app/ takes up to the CLI.
BROKEN_CHECK = """
import sys
import ledgerops.app.check

def broken(*args, **kwargs):
    return {}["policy"]

ledgerops.app.check.run = broken
from ledgerops.cli import main
sys.argv = ["ledgerops", *sys.argv[1:]]
main()
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BROKEN_CHECK, *args], capture_output=True, text=True, timeout=60
    )


def test_an_internal_bug_exits_3_with_one_line_and_no_traceback() -> None:
    result = _run("check", "--ledger", str(REPO), "--today", "2026-11-27")
    assert result.returncode == 3
    assert result.stderr == "ledgerops: internal error (KeyError); rerun with --debug\n"
    assert "Traceback" not in result.stdout


def test_debug_shows_the_traceback_of_an_internal_bug() -> None:
    result = _run("--debug", "check", "--ledger", str(REPO), "--today", "2026-11-27")
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "KeyError: 'policy'" in result.stderr


def test_cannot_run_still_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        ["ledgerops", "check", "--ledger", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.startswith("ledgerops: error: ") and "Traceback" not in result.stderr
