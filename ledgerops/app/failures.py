"""The expected failures of the lower layers, turned into one-line 'cannot run' errors.

yamlfile, render and edge may not import ledgerops.errors, so each raises its own plain
exception; commands run inside `expected_failures()` so none of them reaches the user as
an internal error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ledgerops.edge.gitrepo import GitError
from ledgerops.edge.mail import MailSettingsError
from ledgerops.edge.store import ChangedSinceRead
from ledgerops.errors import LedgeropsError
from ledgerops.render.problems import PdfProblem, TemplateProblem, UnsafeHeader
from ledgerops.yamlfile.edit import EditRefused

EXPECTED = (EditRefused, GitError, MailSettingsError, PdfProblem, TemplateProblem, UnsafeHeader)


class CannotRun(LedgeropsError):
    pass


@contextmanager
def expected_failures() -> Iterator[None]:
    try:
        yield
    except ChangedSinceRead as error:
        raise CannotRun(
            f"{error} changed while ledgerops was working on it; run the command again"
        ) from error
    except EXPECTED as error:
        raise CannotRun(str(error)) from error
