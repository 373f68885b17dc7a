"""The requirement `ledgerops init` pins, for each way ledgerops can have been installed."""

from __future__ import annotations

import json

from ledgerops.core.requirement import pin


def test_an_index_install_pins_the_release() -> None:
    assert pin("1.2.3", None).lines == ("ledgerops==1.2.3",)
    assert pin("1.2.3", None).unreleased is False


def test_a_git_install_pins_the_exact_commit() -> None:
    direct = {
        "url": "https://github.com/ledgerops/ledgerops",
        "vcs_info": {"vcs": "git", "commit_id": "0123abcd" * 5, "requested_revision": "main"},
    }
    found = pin("1.2.3", json.dumps(direct))
    assert found.lines == (f"ledgerops @ git+https://github.com/ledgerops/ledgerops@{'0123abcd' * 5}",)
    assert found.unreleased is False


def test_a_downloaded_archive_pins_its_url() -> None:
    direct = {"url": "https://example.com/ledgerops-1.2.3.tar.gz", "archive_info": {"hashes": {}}}
    assert pin("1.2.3", json.dumps(direct)).lines == (
        "ledgerops @ https://example.com/ledgerops-1.2.3.tar.gz",
    )


def test_a_local_folder_or_editable_install_pins_the_version_with_a_warning() -> None:
    for direct in (
        {"url": "file:///home/me/ledgerops", "dir_info": {"editable": True}},
        {"url": "file:///home/me/ledgerops", "dir_info": {}},
        {"url": "file:///tmp/ledgerops-1.2.3-py3-none-any.whl", "archive_info": {}},
    ):
        found = pin("1.2.3", json.dumps(direct))
        assert found.unreleased is True
        assert found.lines[-1] == "ledgerops==1.2.3"
        assert all(line.startswith("# ") for line in found.lines[:-1])
        assert direct["url"] in found.lines[0]


def test_unreadable_metadata_pins_the_release() -> None:
    for text in ("not json", "[]", '{"url": 3}'):
        assert pin("1.2.3", text).lines == ("ledgerops==1.2.3",)
