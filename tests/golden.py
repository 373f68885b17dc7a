"""Golden files: a test's output compared with a reviewed copy in the repository.

A missing golden fails like a changed one; goldens are written only on request, with
`pytest --update-golden` or LEDGEROPS_UPDATE_GOLDEN=1, so a typo in a name cannot pass.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest


def assert_golden(path: Path, actual: str, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no golden file {path}; run pytest --update-golden and review the diff", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(path), "actual")
        pytest.fail(
            f"{path.name} differs from the golden file (rerun with --update-golden if intended):\n"
            + "".join(diff),
            pytrace=False,
        )
