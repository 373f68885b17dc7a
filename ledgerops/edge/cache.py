"""A cache outside the ledger, for answers that cost more to recompute than to keep.

It lives in the user's cache folder ($LEDGEROPS_CACHE_DIR, else $XDG_CACHE_HOME/ledgerops,
else ~/.cache/ledgerops), never in the ledger: a command that only reads the ledger still
changes none of its files, and a fresh clone starts with no cache. A missing, damaged or
outdated cache is treated as no cache, and one that cannot be written is not written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any


def location(ledger_dir: Path, name: str) -> Path:
    """The cache file `name` of this ledger folder (one per folder: two clones keep two)."""
    base = os.environ.get("LEDGEROPS_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = str(Path(xdg) / "ledgerops") if xdg else str(Path.home() / ".cache" / "ledgerops")
    folder = hashlib.sha256(os.fsencode(ledger_dir.resolve())).hexdigest()[:32]
    return Path(base) / f"{folder}-{name}.pickle"


def content_key(data: bytes) -> bytes:
    """A file content's fingerprint: equal digests, equal contents."""
    return hashlib.blake2b(data, digest_size=16).digest()


def load(path: Path, stamp: str) -> tuple[Any, int] | None:
    """The value saved with this `stamp`, and the cache file's modification time (ns).

    The stamp is read first, so a cache written by another version is never unpickled.
    """
    try:
        with open(path, "rb") as handle:
            if pickle.load(handle) != stamp:
                return None
            written = os.fstat(handle.fileno()).st_mtime_ns
            return pickle.load(handle), written
    # A cache file is ours, but can be truncated or from an older build: any failure to
    # read it only means there is no cache.
    except Exception:
        return None


def save(path: Path, stamp: str, value: Any) -> None:
    """Write the cache whole (temporary file, then rename), or leave it as it was."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            pickle.dump(stamp, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def build_stamp() -> str:
    """Which build of ledgerops this is: its version, Python's, and the size and time of
    each of its source files, so an answer cached by other code is never used."""
    import sys

    from ledgerops import __version__

    package = Path(__file__).resolve().parent.parent
    parts = [__version__, sys.version]
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
