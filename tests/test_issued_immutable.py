"""Issued invoices are immutable (issue 16, part 2): `run` writes a digest of the billed facts
when it issues a draft, and `check` errors (issued-changed) once they are edited; payments,
comments and the other records of what happened since do not count."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledgerops.core.immutable import issued_changed, issued_digest
from ledgerops.core.model import Invoice, Line
from tests.conftest import run_cli
from tests.gitledger import commit_all, example_repo

DAY = "2026-11-27"
ISSUED = "invoices/2026/INV-2026-0015.yaml"


def _check(ledger: Path) -> tuple[int, list[dict[str, object]]]:
    done = run_cli("check", "--ledger", str(ledger), "--today", DAY, "--format", "json")
    return done.returncode, [
        d for d in json.loads(done.stdout)["diagnostics"] if d["code"] == "issued-changed"
    ]


@pytest.fixture(scope="module")
def issued_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ledger = example_repo(tmp_path_factory.mktemp("immutable") / "ledger")
    done = run_cli("run", "--ledger", str(ledger), "--today", DAY, "--transport", "outbox")
    assert done.returncode == 0, done.stdout + done.stderr
    return ledger


@pytest.fixture
def ledger(issued_ledger: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "ledger"
    shutil.copytree(issued_ledger, copy)
    return copy


@pytest.mark.slow
def test_run_writes_the_digest_and_an_edited_price_fails_check(ledger: Path) -> None:
    path = ledger / ISSUED
    text = path.read_text()
    digest = re.search(r"^issued_digest: \"?(sha256:[0-9a-f]{64})\"?$", text, re.M)
    assert digest, text
    assert _check(ledger) == (0, [])

    price = re.search(r"unit_price: ([0-9.]+)", text)
    assert price
    path.write_text(text.replace(price[0], f"unit_price: {Decimal(price[1]) + 100}", 1))
    code, found = _check(ledger)
    assert code == 1
    line = text[: digest.start()].count("\n") + 1
    assert [(d["file"], d["line"]) for d in found] == [(ISSUED, line)], found
    assert "credit note" in str(found[0]["hint"]) and "git checkout" in str(found[0]["hint"])

    human = run_cli("check", "--ledger", str(ledger), "--today", DAY)
    assert human.returncode == 1
    assert f"{ISSUED}:{line}:" in human.stdout + human.stderr


@pytest.mark.slow
def test_comments_layout_and_payments_do_not_count(ledger: Path) -> None:
    path = ledger / ISSUED
    text = path.read_text()
    edited = "# checked with the client on the phone\n" + text.replace(
        "\nlines:", "\n# what was billed\nlines:"
    )
    edited += "payments:\n  - {date: 2026-11-27, amount: 100.00, method: bank_transfer, ref: part}\n"
    path.write_text(edited)
    commit_all(ledger, "a comment and a payment")
    assert _check(ledger) == (0, [])


def _invoice(**changes: object) -> Invoice:
    base = Invoice(id="INV-2026-0001", client="acme", issue_date=date(2026, 11, 2),
                   due_date=date(2026, 12, 2), currency="EUR", status="sent",
                   lines=(Line("Design", Decimal("1"), Decimal("2500.00"), Decimal("19")),),
                   path="invoices/2026/INV-2026-0001.yaml")  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_digest_covers_the_billed_facts_only() -> None:
    base = _invoice()
    digest = issued_digest(base)
    same = [
        _invoice(status="void", hold="x", note=None),
        _invoice(lines=(Line("Design", Decimal("1.0"), Decimal("2500"), Decimal("19.00")),)),
    ]
    assert all(issued_digest(invoice) == digest for invoice in same)
    different = [
        _invoice(client="other"),
        _invoice(currency="USD"),
        _invoice(id="INV-2026-0002"),
        _invoice(po_number="PO-1"),
        _invoice(due_date=date(2026, 12, 3)),
        _invoice(service_date=date(2026, 11, 1)),
        _invoice(lines=(Line("Design", Decimal("1"), Decimal("2500.00"), Decimal("0"), "export"),)),
        _invoice(lines=(*base.lines, Line("More", Decimal("1"), Decimal("1"), Decimal("19")))),
    ]
    assert len({issued_digest(invoice) for invoice in different} | {digest}) == len(different) + 1
    assert not issued_changed(base)  # issued before digests: not judged
    assert not issued_changed(replace(base, issued_digest=digest))
    assert issued_changed(replace(base, issued_digest=digest, currency="USD"))


@pytest.mark.slow
def test_a_deleted_digest_is_an_error_of_its_own(ledger: Path) -> None:
    path = ledger / ISSUED
    text = path.read_text()
    path.write_text(re.sub(r"^issued_digest: .*\n", "", text, flags=re.M))
    done = run_cli("check", "--ledger", str(ledger), "--today", DAY, "--format", "json")
    assert done.returncode == 1
    found = [d for d in json.loads(done.stdout)["diagnostics"] if d["code"] == "issued-digest-missing"]
    drafted_as = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("drafted_as:"))
    assert [(d["file"], d["line"]) for d in found] == [(ISSUED, drafted_as)], found
    assert "git log -p" in str(found[0]["hint"])
