"""The ways a command cannot run at all; a user's bad data is a Diagnostic instead.

Every layer raises these, so no layer above has to translate another's exceptions: the CLI
prints any of them as one line and exits with its `exit_code`.
"""

from __future__ import annotations


class LedgeropsError(Exception):
    """A clear, expected reason why a command cannot run; printed as one line, exit 2."""

    exit_code = 2


class NotALedger(LedgeropsError):
    """The folder is not a ledger (no readable policy.yaml)."""


class LedgerHasErrors(LedgeropsError):
    """The ledger has error diagnostics, and the command needs valid data."""


class UsageError(LedgeropsError):
    """The command was asked for something it cannot do as given."""


class ChangedSinceRead(LedgeropsError):
    """The file on disk is not the one the tool read: someone else wrote it meanwhile."""

    def __init__(self, path: object) -> None:
        super().__init__(f"{path} changed while ledgerops was working on it; run the command again")
        self.path = path


class EditRefused(LedgeropsError):
    """The edit could not be made without changing more than the tool-owned keys."""


class GitError(LedgeropsError):
    """A git operation the command needs failed."""


class MailSettingsError(LedgeropsError):
    """The SMTP settings in the environment are missing or contradict each other."""


class TemplateProblem(LedgeropsError):
    """A template cannot be found, parsed or rendered; `code` is the diagnostic `check`
    reports for it."""

    def __init__(self, message: str, code: str = "template-error") -> None:
        super().__init__(message)
        self.code = code


class UnsafeHeader(LedgeropsError):
    """A header value with a line break or control character: refused, never sent."""


class PdfProblem(LedgeropsError):
    """The PDF cannot be made as it should look (for example a character no font can show)."""


class ModelProblem(LedgeropsError):
    """The language model `tone suggest` asks is not configured, cannot be reached, does not
    answer in time or refuses the request; nothing was written."""


class PaymentServiceProblem(LedgeropsError):
    """The payment service `payments sync` polls is not configured, cannot be reached, does not
    answer in time or refuses the key; nothing was written."""
