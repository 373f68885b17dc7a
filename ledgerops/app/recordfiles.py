"""Writing ledger records: new files from values, and round-trip edits of tool-owned keys.

Every write is atomic; an edit is refused when the file changed since it was read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ledgerops.edge import store
from ledgerops.errors import LedgeropsError
from ledgerops.yamlfile.edit import Change, edit_text, new_text
from ledgerops.yamlfile.schema import RECORDS


class RecordExists(LedgeropsError):
    pass


def key_order(kind: str) -> tuple[str, ...]:
    """The documented key order of a record kind, where edits insert new keys."""
    return tuple(field.key for field in RECORDS[kind].fields)


def create(root: Path, path: str, values: Mapping[str, Any], flow_keys: Iterable[str] = ()) -> None:
    target = root / path
    if target.exists():
        raise RecordExists(f"{path} already exists")
    store.write_atomic(target, new_text(values, flow_keys).encode("utf-8"))


def edit(root: Path, path: str, kind: str, changes: Sequence[Change]) -> None:
    data = store.read_bytes(root, path)
    text = edit_text(data.decode("utf-8"), changes, key_order(kind))
    store.write_atomic(root / path, text.encode("utf-8"), store.digest(data))
