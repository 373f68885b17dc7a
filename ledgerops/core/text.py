"""What an id, an email address and a one-line value may hold: one rule for every reader.

The reader of ledger files, event payloads, the command line and the email composer all
ask these questions; answering them in one place keeps `check` and the commands agreeing.
"""

from __future__ import annotations

import re

# docs/spec.md §1.2: ids never hold path separators; they name files.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\Z")
# Line breaks (including the Unicode ones) and control characters: in an email header they
# would start a new header, so a value that ends up there must hold none.
_BREAK_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def is_id(text: str) -> bool:
    return _ID.match(text) is not None


def is_email(text: str) -> bool:
    return _EMAIL.match(text) is not None


def has_break_or_control(text: str) -> bool:
    return _BREAK_OR_CONTROL.search(text) is not None
