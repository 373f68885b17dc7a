"""The requirement line a new ledger's workflows install, worked out from how the running
ledgerops was installed (its PEP 610 direct_url.json, if any)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    lines: tuple[str, ...]  # what ledgerops-requirements.txt says after its header
    unreleased: bool  # True when the line names a release that may not be on any index


def pin(version: str, direct_url: str | None) -> Pin:
    """`ledgerops==<version>` for an index install; the exact commit for a VCS install; for a
    local folder or wheel (editable installs too) the version with a note, because a file://
    path on this machine would not exist on a CI runner."""
    released = f"ledgerops=={version}"
    if direct_url is None:
        return Pin((released,), unreleased=False)
    try:
        origin = json.loads(direct_url)
    except ValueError:
        return Pin((released,), unreleased=False)
    if not isinstance(origin, dict) or not isinstance(origin.get("url"), str):
        return Pin((released,), unreleased=False)
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str) and isinstance(vcs.get("commit_id"), str):
        return Pin((f"ledgerops @ {vcs['vcs']}+{origin['url']}@{vcs['commit_id']}",), unreleased=False)
    if origin["url"].startswith("file:"):
        note = (
            f"# ledgerops {version} was installed from a local copy ({origin['url']}), not from a"
            " package index: publish it, or replace this line with a requirement a runner can install."
        )
        return Pin((note, released), unreleased=True)
    return Pin((f"ledgerops @ {origin['url']}",), unreleased=False)
