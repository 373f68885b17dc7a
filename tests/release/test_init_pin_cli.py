"""`ledgerops init` run from this checkout (an editable install) says its pin is unpublished."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from tests.conftest import run_cli


def test_init_from_a_local_copy_pins_the_version_and_names_the_file_to_edit(tmp_path: Path) -> None:
    done = run_cli("init", str(tmp_path / "ledger"), "--no-git")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "ledger" / ".github" / "ledgerops-requirements.txt"
    lines = path.read_text().splitlines()
    assert lines[-1] == f"ledgerops=={importlib.metadata.version('ledgerops')}"
    assert "installed from a local copy" in lines[-2] and lines[-2].startswith("# ")
    assert "warning:" in done.stderr and str(path) in done.stderr
