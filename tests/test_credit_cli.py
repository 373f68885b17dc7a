"""`ledgerops credit`: a draft credit note, validated as check validates it, committed;
its effect on the invoice's balance and state; and what check says about credit notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot
from tests.gitledger import example_repo, log

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = "2026-11-27"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "ledger")


def _credit(ledger: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("credit", *args, "--ledger", str(ledger), "--today", TODAY)


def _row(ledger: Path, invoice: str) -> dict:  # type: ignore[type-arg]
    out = run_cli("invoices", "--ledger", str(ledger), "--today", TODAY, "--format", "json")
    return next(r for r in json.loads(out.stdout)["invoices"] if r["invoice"] == invoice)


def test_an_amount_writes_a_draft_credit_note_and_lowers_the_balance(ledger: Path) -> None:
    result = _credit(
        ledger, "INV-2026-0009", "--amount", "119.00", "--reason", "discount", "--case", "EXC-2026-0002"
    )
    assert result.returncode == 0, result.stderr
    path = ledger / "credit-notes/drafts/DRAFT-CN-INV-2026-0009-1.yaml"
    assert path.read_text() == (
        "id: DRAFT-CN-INV-2026-0009-1\ncredits: INV-2026-0009\nclient: nordlicht\ncurrency: EUR\n"
        "issue_date: 2026-11-27\nreason: discount\ncase: EXC-2026-0002\nlines:\n"
        '  - description: "Credit on INV-2026-0009: discount"\n    quantity: 1\n    unit_price: 100.00\n'
        "    tax_rate: 19\nstatus: draft\n"
    )
    assert log(ledger)[0] == "credit: INV-2026-0009 119.00 EUR (discount) as DRAFT-CN-INV-2026-0009-1"
    assert _row(ledger, "INV-2026-0009")["balance"] == "7369.67"  # 7378.00 + fee 110.67 - 119.00
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0


def test_full_credit_closes_an_unpaid_invoice(ledger: Path) -> None:
    assert _credit(ledger, "INV-2026-0014", "--full", "--reason", "cancellation").returncode == 0
    row = _row(ledger, "INV-2026-0014")
    assert (row["state"], row["balance"], row["credited"], row["refund_due"]) == (
        "credited",
        "0.00",
        "3711.16",
        "0.00",
    )
    again = _credit(ledger, "INV-2026-0014", "--full", "--reason", "cancellation")
    assert again.returncode == 2 and "credited in full already" in again.stderr


def test_crediting_a_paid_invoice_is_a_refund_due(ledger: Path) -> None:
    result = _credit(ledger, "INV-2026-0008", "--lines", "1", "--reason", "correction")
    assert result.returncode == 0, result.stderr
    row = _row(ledger, "INV-2026-0008")
    assert row["state"] == "paid" and row["refund_due"] == row["credited"] != "0.00"
    text = run_cli("invoices", "--ledger", str(ledger), "--today", TODAY).stdout
    assert f"refund due to brotwerk: {row['refund_due']} EUR on INV-2026-0008" in text


@pytest.mark.parametrize(
    ("args", "code"),
    [(("INV-2026-0009", "--amount", "99999.00", "--reason", "discount"), "credit-exceeds-invoice"),
     (("INV-2026-0009", "--amount", "10.00", "--reason", "because"), "unknown-credit-reason"),
     (("DRAFT-harbor-pine-SOCIAL-M2", "--full", "--reason", "discount"), "credit-of-draft"),
     (("INV-2026-0003", "--full", "--reason", "discount"), "credit-of-draft"),  # void
     (("INV-2026-0009", "--amount", "10.00", "--reason", "discount", "--case", "EXC-nope"), "credit-unknown-case")],
)  # fmt: skip
def test_bad_credits_are_refused_and_change_nothing(ledger: Path, args: tuple[str, ...], code: str) -> None:
    before = snapshot(ledger)
    result = _credit(ledger, *args)
    assert result.returncode == 1 and code in result.stdout, (result.stdout, result.stderr)
    assert snapshot(ledger) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [(("INV-2026-0009", "--reason", "discount"), "one of --amount"),
     (("INV-2026-0009", "--amount", "1", "--full", "--reason", "discount"), "one of --amount"),
     (("INV-2026-0009", "--amount", "1.005", "--reason", "discount"), "is not an amount of EUR"),
     (("INV-2026-0009", "--lines", "2", "--reason", "discount"), "there is no line 2"),
     (("INV-2026-0009", "--lines", "x", "--reason", "discount"), "not a list of line numbers"),
     (("INV-2026-0099", "--full", "--reason", "discount"), "no invoice 'INV-2026-0099'")],
)  # fmt: skip
def test_unusable_options_are_refused(ledger: Path, args: tuple[str, ...], words: str) -> None:
    before = snapshot(ledger)
    result = _credit(ledger, *args)
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert snapshot(ledger) == before


def test_an_amount_is_refused_for_an_invoice_with_several_tax_rates(ledger: Path) -> None:
    rates = {}
    for path in sorted((ledger / "invoices/2026").glob("*.yaml")):
        rates[path.stem] = {
            line.strip() for line in path.read_text().splitlines() if line.strip().startswith("tax_rate")
        }
    several = next((inv for inv, found in rates.items() if len(found) > 1), None)
    if several is None:  # make one: a second line at another rate
        several = "INV-2026-0014"
        path = ledger / "invoices/2026/INV-2026-0014.yaml"
        text = path.read_text().replace(
            "lines:\n", "lines:\n  - {description: Books, quantity: 1, unit_price: 10.00, tax_rate: 7}\n", 1
        )
        path.write_text(text)
    result = run_cli("credit", several, "--amount", "10.00", "--reason", "discount", "--no-commit",
                     "--ledger", str(ledger), "--today", TODAY)  # fmt: skip
    assert result.returncode == 2 and "several tax rates" in result.stderr and "--lines" in result.stderr


def test_check_reports_a_hand_written_credit_note(ledger: Path) -> None:
    folder = ledger / "credit-notes/2026"
    folder.mkdir(parents=True)
    (folder / "CN-2026-0002.yaml").write_text(
        "id: CN-2026-0002\ncredits: INV-2026-0009\nclient: brotwerk\ncurrency: USD\nissue_date: 2026-11-20\n"
        "reason: discount\nlines:\n  - {description: x, quantity: 1, unit_price: 10.00, tax_rate: 7}\nstatus: sent\n"
    )
    result = run_cli("check", "--ledger", str(ledger), "--today", TODAY, "--format", "json")
    codes = {d["code"] for d in json.loads(result.stdout)["diagnostics"]}
    assert {"credit-currency", "credit-tax-rate", "numbering-gap"} <= codes
    assert result.returncode == 1
