"""How the running ledgerops was installed: its PEP 610 direct_url.json, if pip wrote one."""

from __future__ import annotations

import importlib.metadata


def direct_url() -> str | None:
    """None for an install from a package index (or a copy not installed at all)."""
    try:
        return importlib.metadata.distribution("ledgerops").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
