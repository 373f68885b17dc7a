"""Ledger files on disk: finding the records, and writing atomically.

tempfile is imported by the function that writes: `check` only reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ledgerops.core.errors import ChangedSinceRead


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A record file found in the ledger, and which kind of record it holds."""

    kind: str  # policy | client | invoice | exception | credit_note
    path: str  # relative to the ledger, with '/'


RECORD_FOLDERS = (("clients", "client"), ("exceptions", "exception"))


def find_records(ledger_dir: Path) -> tuple[list[RecordFile], list[str]]:
    """Every record file, and the paths of files with a YAML extension ledgerops skips (.yml)."""
    found = [RecordFile("policy", "policy.yaml")] if (ledger_dir / "policy.yaml").is_file() else []
    skipped: list[str] = []
    for folder, kind in RECORD_FOLDERS:
        _scan(ledger_dir, folder, kind, found, skipped)
    for folder, kind in (("invoices", "invoice"), ("credit-notes", "credit_note")):
        if (ledger_dir / folder).is_dir():
            _scan(ledger_dir, folder, kind, found, skipped)
            for entry in sorted(os.scandir(ledger_dir / folder), key=lambda e: e.name):
                if entry.is_dir() and not entry.name.startswith("."):
                    _scan(ledger_dir, f"{folder}/{entry.name}", kind, found, skipped)
    return found, skipped


def _scan(root: Path, folder: str, kind: str, found: list[RecordFile], skipped: list[str]) -> None:
    try:
        entries = sorted(e.name for e in os.scandir(root / folder) if e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in entries:
        if name.endswith(".yaml"):
            found.append(RecordFile(kind, f"{folder}/{name}"))
        elif name.endswith(".yml"):
            skipped.append(f"{folder}/{name}")


def names(folder: Path, suffix: str) -> list[str]:
    """The names of the files in `folder` that end in `suffix`; none when there is no such folder."""
    try:
        return sorted(e.name for e in os.scandir(folder) if e.is_file() and e.name.endswith(suffix))
    except (FileNotFoundError, NotADirectoryError):
        return []


# A file's size, mtime, inode and ctime: git's test for "changed since I looked" (a rename
# over it changes the inode, any write its ctime), taken without reading the content.
Version = tuple[int, int, int, int]


def read_bytes(ledger_dir: Path, path: str) -> bytes:
    return read_versioned(ledger_dir, path)[0]


def read_versioned(ledger_dir: Path, path: str) -> tuple[bytes, Version]:
    """The file's bytes, and its Version as read: what an edit later checks against."""
    # os.open/os.read, not open(): no buffered file object for a file read whole, which
    # halves the cost of reading 100,000 small files.
    descriptor = os.open(os.path.join(ledger_dir, path), os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = [os.read(descriptor, 1 << 16)]
        while chunks[-1]:  # until end of file: a read may return less than there is
            chunks.append(os.read(descriptor, 1 << 16))
        return b"".join(chunks), _version(os.fstat(descriptor))
    finally:
        os.close(descriptor)


def version(path: str | Path) -> Version | None:
    """The file's Version now; None when it does not exist."""
    try:
        return _version(os.stat(path))
    except FileNotFoundError:
        return None


def _version(stat: os.stat_result) -> Version:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


def write_atomic(path: Path, data: bytes, read_as: Version | None = None) -> None:
    """Write via a temporary file in the same folder, fsync, then rename.

    With `read_as`, refuse when the file changed since the command read it (Fava's guard).
    """
    if read_as is not None and version(path) != read_as:
        raise ChangedSinceRead(str(path))
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
