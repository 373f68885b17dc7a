"""Records that remember the file and the (line, column) of each of their fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ledgerops.core.diagnostics import Source

Positions = Mapping[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Located:
    """Base of top-level records. Field paths are dotted: 'lines.0.unit_price'."""

    path: str = field(default="", kw_only=True, compare=False)
    pos: Positions = field(default_factory=dict, kw_only=True, compare=False, repr=False)

    def at(self, *keys: str | int) -> Source:
        """The position of the deepest part of the field path that was written."""
        parts = [str(k) for k in keys]
        while parts:
            where = self.pos.get(".".join(parts))
            if where:
                return Source(self.path, where[0], where[1])
            parts.pop()
        return Source(self.path, 1, 1)
