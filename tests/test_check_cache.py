"""`check` with its cache answers exactly what a fresh read answers, whatever changed.

The ledgers come from benchmarks/generate.py, large enough for `check` to keep a cache;
each step edits the ledger the way a person would, then compares `check` (cache kept
from the previous step) with `check --no-cache`, and the counts `--debug` prints show
which files the cached run really read again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ledgerops.app import check
from ledgerops.app.load import SPLIT_FROM, load, with_templates
from ledgerops.context import Context
from ledgerops.render.output import sort_diagnostics
from tests.conftest import EXAMPLE_DAY, REPO, run_cli

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

DAY = "2026-11-27"
INVOICES = 600  # with 30 clients and the exception files, above check.CACHE_FROM


def generate(target: Path, invoices: int, clients: int) -> Path:
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(target),
         "--invoices", str(invoices), "--clients", str(clients)],
        check=True, capture_output=True,
    )  # fmt: skip
    return target


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("generated") / "ledger", INVOICES, 30)


def run_check(ledger: Path, *extra: str, today: str = DAY) -> tuple[dict, int]:
    """check's JSON answer, and how many invoice files it read (not from the cache)."""
    done = run_cli("--debug", "check", "--ledger", str(ledger), "--today", today, "--format", "json", *extra)
    assert done.returncode in (0, 1), done.stderr
    counts = re.search(r"read (\d+) invoice file\(s\), (\d+) from the cache", done.stderr)
    assert counts, done.stderr
    return json.loads(done.stdout), int(counts[1])


def same_as_fresh(ledger: Path, today: str = DAY) -> tuple[dict, int]:
    cached, read = run_check(ledger, today=today)
    fresh, fresh_read = run_check(ledger, "--no-cache", today=today)
    assert cached == fresh
    assert fresh_read == INVOICES or fresh_read == len(list((ledger / "invoices").rglob("*.yaml")))
    return cached, read


def codes(answer: dict) -> set[str]:
    return {d["code"] for d in answer["diagnostics"]}


def invoice_of(ledger: Path, client: str) -> list[Path]:
    return [
        p for p in sorted((ledger / "invoices").rglob("*.yaml")) if f"\nclient: {client}\n" in p.read_text()
    ]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_every_edit_gets_the_answer_of_a_fresh_read(generated: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    shutil.copytree(generated, ledger)
    answer, read = same_as_fresh(ledger)
    assert answer["ok"] and read == INVOICES  # nothing cached yet
    answer, read = run_check(ledger)
    assert answer["ok"] and read == 0  # nothing changed: every answer kept

    first = sorted((ledger / "invoices" / "2026").glob("*.yaml"))[0]
    edit(first, "unit_price: ", "unit_price: 0.125 # was ")
    answer, read = same_as_fresh(ledger)
    assert read == 1 and "amount-precision" in codes(answer)

    client = sorted((ledger / "clients").glob("*.yaml"))[0]
    client_id = client.stem
    theirs = invoice_of(ledger, client_id)
    currency = re.search(r"^currency: (\w+)", client.read_text(), re.M)[1]
    other = "JPY" if currency != "JPY" else "EUR"
    edit(client, f"currency: {currency}", f"currency: {other}")
    answer, read = same_as_fresh(ledger)
    assert read == len(theirs) and "currency-mismatch" in codes(answer)

    client.write_text("id: [unclosed\n")  # the client's file breaks: no 'unknown client' cascade
    answer, read = same_as_fresh(ledger)
    assert read == len(theirs) and "yaml-syntax" in codes(answer) and "unknown-client" not in codes(answer)

    client.unlink()
    answer, read = same_as_fresh(ledger)
    assert read == len(theirs) and "unknown-client" in codes(answer)

    later = "2028-06-30"  # drafts go stale, holds grow long: only those invoices are read
    answer, read_later = same_as_fresh(ledger, today=later)
    assert 0 < read_later < INVOICES and "stale-draft" in codes(answer)
    answer, read = run_check(ledger, today=later)
    assert read == 0
    assert run_check(ledger)[1] == read_later  # back to today: the same ones again

    os.utime(first)  # touched, not changed
    assert same_as_fresh(ledger)[1] == 1

    copy = first.with_name("INV-2026-9999.yaml")
    shutil.copy(first, copy)  # a copied file: a duplicate id, found across files
    answer, read = same_as_fresh(ledger)
    assert read == 1 and {"duplicate-id", "id-mismatch"} <= codes(answer)
    copy.unlink()

    middle = sorted((ledger / "invoices" / "2025").glob("*.yaml"))[5]
    middle.unlink()  # a hole in the numbering
    answer, read = same_as_fresh(ledger)
    assert read == 0 and "numbering-gap" in codes(answer)

    edit(ledger / "policy.yaml", "segments:\n", "segments:\n  partner: {review: true}\n")
    answer, read = same_as_fresh(ledger)
    assert read == len(list((ledger / "invoices").rglob("*.yaml")))  # a new policy: all again


def test_a_damaged_or_foreign_cache_is_no_cache(generated: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    shutil.copytree(generated, ledger)
    run_check(ledger)
    parts = sorted(Path(os.environ["LEDGEROPS_CACHE_DIR"]).glob("*-check-*.pickle"))
    assert len(parts) > 3  # one part per folder: top, clients, exceptions, each year
    for damage in (lambda data: b"", lambda data: b"not a pickle", lambda data: data[: len(data) // 2]):
        for part in parts:
            part.write_bytes(damage(part.read_bytes()))
        answer, read = run_check(ledger)
        assert answer["ok"] and read == INVOICES


def test_an_unwritable_cache_folder_only_means_no_cache(generated: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    shutil.copytree(generated, ledger)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    done = run_cli(
        "check",
        "--ledger",
        str(ledger),
        "--today",
        DAY,
        env={**os.environ, "LEDGEROPS_CACHE_DIR": str(blocked)},
    )
    assert done.returncode == 0, done.stderr
    assert blocked.read_text() == "a file where the cache folder should be"


def test_check_writes_nothing_into_the_ledger(generated: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    shutil.copytree(generated, ledger)
    before = sorted(str(p.relative_to(ledger)) for p in ledger.rglob("*"))
    run_check(ledger)
    run_check(ledger)
    assert sorted(str(p.relative_to(ledger)) for p in ledger.rglob("*")) == before


Damage = Callable[[Path], None]


def _break_files(ledger: Path) -> None:
    invoices = sorted((ledger / "invoices").rglob("*.yaml"))
    edit(invoices[10], "status: ", "status: sent\nstatus: ")
    edit(invoices[20], "issue_date: ", "issue_date: 2019-02-30\nx-was: ")
    edit(invoices[30], "client: ", "client: nobody\nx-was: ")
    invoices[40].unlink()
    edit(sorted((ledger / "clients").glob("*.yaml"))[3], "segment: ", "segment: vip\nx-was: ")


def test_many_files_read_by_two_processes_give_the_whole_ledger_answer(tmp_path: Path) -> None:
    """Above SPLIT_FROM invoices the reading is split over two processes; check's answer,
    made of summaries, is the one the whole-ledger load gives, made of records."""
    ledger = generate(tmp_path / "ledger", SPLIT_FROM + 500, 100)
    _break_files(ledger)
    ctx = Context(ledger, EXAMPLE_DAY)
    whole = sort_diagnostics(with_templates(ctx, load(ctx)).diagnostics)
    split = check.run(ctx, use_cache=False)
    assert split.invoices_read == SPLIT_FROM + 499
    assert list(split.diagnostics) == whole
    assert {d.code for d in whole} >= {"duplicate-key", "invalid-date", "unknown-client", "unknown-segment"}
