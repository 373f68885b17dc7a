"""The requirement a new ledger pins resolves to the ledgerops wheel built from this checkout:
build it, install it as an index would, `init` a ledger with it, and install that ledger's
requirements file with no index at all, from the built wheel and its dependencies' wheels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False, env=env, cwd=cwd
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _venv(path: Path) -> Path:
    _run(sys.executable, "-m", "venv", path)
    return path / "bin"


@pytest.mark.slow
def test_the_requirement_init_pins_installs_the_built_wheel(tmp_path: Path) -> None:
    built, deps = tmp_path / "built", tmp_path / "deps"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", built, REPO)
    (wheel,) = built.glob("ledgerops-*.whl")
    # The dependencies' wheels, fetched once from the index; ledgerops itself never comes from there.
    _run(sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d", deps, wheel)
    (deps / wheel.name).unlink()
    offline = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    offline |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    links = ("--no-index", "--find-links", built, "--find-links", deps)

    maker = _venv(tmp_path / "maker")
    _run(maker / "pip", "install", "-q", *links, "ledgerops", env=offline)  # found by name, as from an index
    ledger = tmp_path / "ledger"
    made = subprocess.run(
        [maker / "ledgerops", "init", ledger, "--no-git"], capture_output=True, text=True, check=False
    )
    assert made.returncode == 0 and "warning" not in made.stderr, made.stderr
    requirements = ledger / ".github" / "ledgerops-requirements.txt"
    version = wheel.name.split("-")[1]
    assert requirements.read_text().splitlines()[-1] == f"ledgerops=={version}"

    runner = _venv(tmp_path / "runner")
    _run(runner / "pip", "install", "-q", *links, "-r", requirements, env=offline)
    shown = _run(runner / "pip", "show", "-f", "ledgerops", env=offline)
    assert f"Version: {version}" in shown
    _run(runner / "ledgerops", "check", cwd=ledger)
