"""The golden helper: a missing or changed golden fails; only the update switch writes one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import assert_golden


def test_a_missing_golden_fails_and_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"
    with pytest.raises(pytest.fail.Exception, match="no golden file"):
        assert_golden(path, "output\n", update=False)
    assert not path.exists()


def test_a_changed_output_fails_with_the_diff(tmp_path: Path) -> None:
    path = tmp_path / "golden.txt"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match=r"(?s)-old.*\+new"):
        assert_golden(path, "new\n", update=False)
    assert path.read_text(encoding="utf-8") == "old\n"


def test_the_update_switch_writes_the_golden(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "golden.txt"
    assert_golden(path, "new\n", update=True)
    assert_golden(path, "new\n", update=False)
