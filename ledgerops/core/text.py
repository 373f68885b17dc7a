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


# Control characters other than the tab and the line feed of a block of text: ESC and its
# kin would drive a terminal that shows the value, and print as garbage on an invoice.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


# The years a ledger date may have: `check` refuses others (a typo such as 3026, and date
# arithmetic stays far from its limits), so every command refuses them too.
YEARS = range(1900, 3000)
YEARS_TEXT = f"a year between {YEARS.start} and {YEARS.stop - 1}"

# How much of a value an error message repeats: enough to recognise it, never a screenful.
ECHO_LIMIT = 200
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def escaped(text: str) -> str:
    """The text with every line break and control character written as an escape (\\n, \\e,
    \\x07, \\u2028), so echoing it can neither break a line nor drive a terminal."""
    return _BREAK_OR_CONTROL.sub(lambda m: _NAMED.get(m[0]) or _code(m[0]), text)


def _code(char: str) -> str:
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def capped(text: str, limit: int = ECHO_LIMIT) -> str:
    """The text, cut after `limit` characters with a note of how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"
