"""Records that remember the file and the (line, column) of each of their fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ledgerops.core.diagnostics import Source

# Field path -> line and column packed into one int: a ledger of 100,000 invoices holds
# millions of positions, and one small int costs a third of a (line, col) tuple.
Positions = Mapping[str, int]
_COLUMN_BITS = 20
LAST_COLUMN = (1 << _COLUMN_BITS) - 1  # columns further right are kept as this one


def pack_position(line: int, col: int) -> int:
    return (line << _COLUMN_BITS) | min(col, LAST_COLUMN)


def position_source(path: str, position: int) -> Source:
    """The Source of a packed position; 0 (not written) is the file's start."""
    if not position:
        return Source(path, 1, 1)
    return Source(path, position >> _COLUMN_BITS, position & LAST_COLUMN)


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
                return position_source(self.path, where)
            parts.pop()
        return Source(self.path, 1, 1)
