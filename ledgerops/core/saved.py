"""What a person's writing command did in git after it wrote its files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Saved:
    """The commit a person's command made (None: not committed), who it carries, where it
    was pushed, and, when a push was wanted but failed, why and how to push it by hand."""

    commit: str | None = None
    author: str | None = None  # "Name <email>"
    pushed_to: str | None = None  # "origin/main"
    not_pushed: str | None = None  # the reason, and what to run; the commit stays local
