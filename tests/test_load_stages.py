"""The load pipeline's stages, and the edit guard that compares a file with how the command read it."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from ledgerops.app.load import READABLE, VALID, load_ledger, reread, valid_in
from ledgerops.app.records import edit_record
from ledgerops.context import Context
from ledgerops.core.errors import ChangedSinceRead, LedgerHasErrors
from ledgerops.yamlfile.edit import SetValue
from ledgerops.yamlfile.schema import INVOICE

REPO = Path(__file__).resolve().parent.parent
DAY = date(2026, 11, 27)
INVOICE_PATH = "invoices/2026/INV-2026-0004.yaml"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    root.mkdir()
    for name in ("policy.yaml", "clients", "invoices", "exceptions"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    return root


def _note(text: str) -> list[SetValue]:
    return [SetValue("hold", text)]


def test_an_edit_of_a_file_unchanged_since_load_is_written(ledger: Path) -> None:
    ready = load_ledger(Context(ledger, DAY), READABLE)
    edit_record(ledger, INVOICE_PATH, _note("checked"), INVOICE, ready.read_as(INVOICE_PATH))
    assert "hold: checked" in (ledger / INVOICE_PATH).read_text()


def test_a_file_changed_after_the_command_read_it_is_not_edited(ledger: Path) -> None:
    ready = load_ledger(Context(ledger, DAY), READABLE)
    target = ledger / INVOICE_PATH
    theirs = target.read_text() + "# a colleague's comment\n"
    target.write_text(theirs)  # someone edits the file while the command works
    with pytest.raises(ChangedSinceRead, match="changed while ledgerops was working on it"):
        edit_record(ledger, INVOICE_PATH, _note("checked"), INVOICE, ready.read_as(INVOICE_PATH))
    assert target.read_text() == theirs


def test_a_file_replaced_by_the_same_bytes_still_counts_as_changed(ledger: Path) -> None:
    """An editor that saves by rename gives the file a new inode: the content read may no
    longer be what the other writer based its change on, so the edit is refused."""
    ready = load_ledger(Context(ledger, DAY), READABLE)
    target = ledger / INVOICE_PATH
    copy = target.with_name("copy.tmp")
    copy.write_bytes(target.read_bytes())
    os.replace(copy, target)
    with pytest.raises(ChangedSinceRead):
        edit_record(ledger, INVOICE_PATH, _note("checked"), INVOICE, ready.read_as(INVOICE_PATH))


def test_a_file_the_command_did_not_read_is_not_edited(ledger: Path) -> None:
    with pytest.raises(ChangedSinceRead):
        edit_record(ledger, INVOICE_PATH, _note("checked"), INVOICE, None)


def test_reread_takes_the_tools_own_write_as_the_new_version(ledger: Path) -> None:
    ctx = Context(ledger, DAY)
    ready = load_ledger(ctx, READABLE)
    edit_record(ledger, INVOICE_PATH, _note("one"), INVOICE, ready.read_as(INVOICE_PATH))
    with pytest.raises(ChangedSinceRead):
        edit_record(ledger, INVOICE_PATH, _note("two"), INVOICE, ready.read_as(INVOICE_PATH))
    ready = reread(ctx, ready, [INVOICE_PATH])
    edit_record(ledger, INVOICE_PATH, _note("two"), INVOICE, ready.read_as(INVOICE_PATH))
    assert next(inv for inv in ready.ledger.invoices if inv.path == INVOICE_PATH).hold == "one"


def _break(ledger: Path, path: str) -> None:
    target = ledger / path
    target.write_text(target.read_text().replace("currency: EUR", "currency: EURO"))


def test_readable_answers_despite_errors_in_records_and_valid_refuses_them(ledger: Path) -> None:
    _break(ledger, INVOICE_PATH)
    ctx = Context(ledger, DAY)
    ready = load_ledger(ctx, READABLE)
    assert ready.has_errors and any(inv.path == INVOICE_PATH for inv in ready.ledger.invoices)
    with pytest.raises(LedgerHasErrors, match=re.escape(f"({INVOICE_PATH}); nothing was changed;")):
        load_ledger(ctx, VALID)
    with pytest.raises(LedgerHasErrors):
        load_ledger(ctx, valid_in(INVOICE_PATH))
    assert load_ledger(ctx, valid_in("clients/brotwerk.yaml")).has_errors


def test_no_stage_answers_without_a_readable_policy(ledger: Path) -> None:
    (ledger / "policy.yaml").write_text("currency: [\n")
    for stage in (READABLE, VALID, valid_in()):
        with pytest.raises(LedgerHasErrors, match=r"policy\.yaml cannot be read"):
            load_ledger(Context(ledger, DAY), stage)
