"""Who this run is, and whether the run that left a claim behind is still alive."""

from __future__ import annotations

import os
import secrets
import socket

_RUN_TOKEN = secrets.token_hex(4)


def run_id() -> str:
    """'<host>:<pid>:<token>': written into every claim this process makes. The token tells
    this run from an earlier one with the same host and pid (in a container every run is
    pid 1), whose claims would otherwise look like this run's own."""
    return f"{socket.gethostname()}:{os.getpid()}:{_RUN_TOKEN}"


def random_token() -> str:
    """Six hex digits for a new case id: 16 million values a day, so two branches (or two
    runs) opening cases on the same day practically never pick the same one."""
    return secrets.token_hex(3)


def owner_alive(run: str) -> bool | None:
    """Whether the process named by a claim still runs; None when it ran on another host.
    A claim with this process's pid but not its token was left by an earlier run: dead."""
    parts = run.split(":")  # '<host>:<pid>', or '<host>:<pid>:<token>' since runs carry a token
    if len(parts) < 2 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return None
    pid = int(parts[1])
    if pid == os.getpid():
        return run == run_id()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
