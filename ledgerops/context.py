"""What every command runs with: built once by the CLI, built directly by tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Context:
    """The ledger a command works on, and the day it acts for."""

    ledger_dir: Path
    today: date | None = None  # None: today in the policy's time zone, read from the clock
