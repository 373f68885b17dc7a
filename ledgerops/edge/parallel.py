"""The machine's second core: part of a list's work done in a forked child process.

Forking (rather than starting a new interpreter) lets the child use what the parent has
already read, so only the results travel back, through a pipe.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def can_split() -> bool:
    """Fork where it is safe and there is a second core. macOS's system libraries do not
    support fork without exec, and Windows has no fork."""
    return hasattr(os, "fork") and sys.platform != "darwin" and (os.cpu_count() or 1) > 1


def split_map(work: Callable[[list[Item]], list[Result]], items: list[Item]) -> list[Result]:
    """work(items), with the second half done by a forked child at the same time.

    `work` must be a pure function of its items and must not write anything: the child's
    effects are lost. If the child fails in any way, the parent does its half too.
    """
    if len(items) < 2 or not can_split():
        return work(items)
    half = len(items) // 2
    first, second = items[:half], items[half:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(work, second, read_end, write_end)
    os.close(write_end)
    mine = work(first)
    with os.fdopen(read_end, "rb") as pipe:
        try:
            theirs = pickle.load(pipe)
        except Exception:  # a child that died mid-write: the parent does its half
            theirs = None
    _, status = os.waitpid(pid, 0)
    if theirs is None or status != 0:
        theirs = work(second)
    return mine + theirs


def _child(
    work: Callable[[list[Item]], list[Result]], items: list[Item], read_end: int, write_end: int
) -> None:
    status = 1
    try:
        os.close(read_end)
        # Pickle first, then write: the parent reads only after its own half, and a pipe
        # that fills up while pickling would stall the child until then.
        data = pickle.dumps(work(items), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        # Never return into the parent's code: no atexit handlers, no flushing its buffers.
        os._exit(status)
