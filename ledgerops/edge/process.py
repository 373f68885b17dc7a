"""Who this run is, and whether the run that left a claim behind is still alive."""

from __future__ import annotations

import os
import secrets
import socket


def run_id() -> str:
    """'<host>:<pid>': written into every claim this process makes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def random_token() -> str:
    """Six hex digits for a new case id: 16 million values a day, so two branches (or two
    runs) opening cases on the same day practically never pick the same one."""
    return secrets.token_hex(3)


def owner_alive(run: str) -> bool | None:
    """Whether the process named by a claim still runs; None when it ran on another host."""
    host, _, pid = run.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
