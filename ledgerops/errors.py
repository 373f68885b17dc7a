"""The few ways a command cannot run at all (exit 2); a user's bad data is a Diagnostic instead."""

from __future__ import annotations


class LedgeropsError(Exception):
    """A clear, expected reason why a command cannot run; printed as one line, exit 2."""

    exit_code = 2


class NotALedger(LedgeropsError):
    pass


class LedgerHasErrors(LedgeropsError):
    pass


class UsageError(LedgeropsError):
    pass
