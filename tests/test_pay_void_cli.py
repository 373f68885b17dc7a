"""`ledgerops pay` and `void`: validated round-trip edits, committed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot
from tests.gitledger import changed_files, example_repo, git, log, status

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = "2026-11-27"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "ledger")


def test_pay_appends_a_payment_keeps_the_file_and_commits(ledger: Path) -> None:
    path = ledger / "invoices/2026/INV-2026-0004.yaml"
    before = path.read_text()
    result = run_cli("pay", "INV-2026-0004", "--ledger", str(ledger), "--today", TODAY, "--amount", "1546.00",
                     "--date", "2026-11-27", "--method", "bank_transfer", "--ref", "Rest INV-2026-0004")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "balance 0.00 EUR (paid in full)" in result.stdout
    after = path.read_text()
    added = '  - {date: 2026-11-27, amount: 1546.00, method: bank_transfer, ref: "Rest INV-2026-0004"}\n'
    marker = '  - {date: 2026-10-30, amount: 1000.00, method: bank_transfer, ref: "Rate 2 INV-2026-0004"}\n'
    assert after == before.replace(marker, marker + added)
    assert log(ledger)[0] == "pay: INV-2026-0004 1546.00 EUR on 2026-11-27"
    assert (
        git(ledger, "log", "-1", "--format=%an <%ae>").strip() == "Tester <tester@example.invalid>"
    )  # not the bot
    assert (
        "as Tester <tester@example.invalid>" in result.stdout and "pushed" not in result.stdout
    )  # no origin
    assert changed_files(ledger) == ["invoices/2026/INV-2026-0004.yaml"] and status(ledger) == ""
    listed = run_cli("invoices", "--ledger", str(ledger), "--today", TODAY)
    assert re.search(r"\nINV-2026-0004 +brotwerk +paid ", listed.stdout)


def test_an_overpayment_is_recorded_with_a_warning(ledger: Path) -> None:
    result = run_cli("pay", "INV-2026-0013", "--ledger", str(ledger), "--today", TODAY, "--amount", "2500.00",
                     "--date", "2026-11-27", "--no-commit")  # fmt: skip
    assert result.returncode == 0
    assert "warning overpaid: with this payment INV-2026-0013 is overpaid by 100.00 USD" in result.stdout
    assert log(ledger) == ["the example ledger"] and status(ledger) == " M invoices/2026/INV-2026-0013.yaml\n"


@pytest.mark.parametrize(
    ("invoice", "args", "words"),
    [("INV-2026-0007", ["--amount", "1000.50", "--date", "2026-11-27"], "amount-precision"),
     ("INV-2026-0013", ["--amount", "100.00", "--date", "2026-11-15"], "payment-before-issue"),
     ("INV-2026-0013", ["--amount", "100.00", "--date", "2026-11-28"], "date-in-future"),
     ("DRAFT-harbor-pine-SOCIAL-M2", ["--amount", "100.00", "--date", "2026-11-27"], "invoice-not-sent"),
     ("INV-2026-0003", ["--amount", "100.00", "--date", "2026-11-27"], "invoice-void"),
     ("INV-2026-0010", ["--amount", "2000.00", "--date", "2026-11-18", "--method", "card", "--ref",
                        "stripe pi_3SLm81LkdIwH"], "payment-duplicate")],
)  # fmt: skip
def test_a_payment_that_cannot_be_recorded_changes_nothing(
    ledger: Path, invoice: str, args: list, words: str
) -> None:
    before = snapshot(ledger)
    result = run_cli("pay", invoice, "--ledger", str(ledger), "--today", TODAY, *args)
    assert result.returncode == 1 and words in result.stdout and "fix:" in result.stdout
    assert snapshot(ledger) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [(["INV-2026-9999", "--amount", "1", "--date", TODAY], "no invoice 'INV-2026-9999'"),
     (["INV-2026-013", "--amount", "1", "--date", TODAY], "did you mean INV-2026-0013?"),
     (["INV-2026-0013", "--amount", "1.000,00", "--date", TODAY], "is not a decimal number"),
     (["INV-2026-0013", "--amount", "1", "--date", TODAY, "--ref", "a\nb"], "--ref must be one line of text"),
     (["INV-2026-0013", "--amount", "1", "--date", TODAY, "--ref", "a\u2028b"], "--ref must be one line"),
     (["INV-2026-0013", "--amount", "1", "--date", TODAY, "--method", "card\r"], "--method must be one line")],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line(ledger: Path, args: list, words: str) -> None:
    before = snapshot(ledger)
    result = run_cli("pay", *args, "--ledger", str(ledger), "--today", TODAY)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert snapshot(ledger) == before


def test_pay_refuses_to_sweep_someone_elses_uncommitted_edit_into_its_commit(ledger: Path) -> None:
    path = ledger / "invoices/2026/INV-2026-0013.yaml"
    path.write_text(path.read_text() + "notes: my own unfinished edit\n")
    before = snapshot(ledger)
    result = run_cli("pay", "INV-2026-0013", "--ledger", str(ledger), "--today", TODAY, "--amount", "100.00",
                     "--date", TODAY)  # fmt: skip
    assert result.returncode == 2 and "uncommitted changes" in result.stderr
    assert snapshot(ledger) == before


def test_void_records_status_date_and_reason(ledger: Path) -> None:
    # Issued (numbered) but never sent: the one case the law leaves to void.
    path = ledger / "invoices/2026/INV-2026-0013.yaml"
    text = path.read_text().replace("status: sent\nsent_at: 2026-11-16T10:44:13+01:00\n",
                                    "service_date: 2026-11-16\nstatus: draft\ndrafted_as: DRAFT-harbor-pine-SOCIAL-M1\n")  # fmt: skip
    path.write_text(text)
    path.write_text(text + f"issued_digest: {_digest_of(ledger, 'INV-2026-0013')}\n")  # as the tool issues it
    git(ledger, "commit", "-qam", "INV-2026-0013 issued, never sent")
    result = run_cli("void", "INV-2026-0013", "--ledger", str(ledger), "--today", TODAY,
                     "--reason", "Campaign cancelled by the client")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "status: void\ndrafted_as: DRAFT-harbor-pine-SOCIAL-M1\n" in path.read_text()
    assert "\nvoided_at: 2026-11-27\nvoid_reason: Campaign cancelled by the client\n" in path.read_text()
    assert log(ledger)[0] == "void: INV-2026-0013 (Campaign cancelled by the client)"
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0


def test_a_sent_invoice_is_not_voided_but_credited(ledger: Path) -> None:
    before = snapshot(ledger)
    result = run_cli("void", "INV-2026-0013", "--ledger", str(ledger), "--today", TODAY, "--reason", "x")
    assert result.returncode == 1 and "void-sent" in result.stdout
    assert "ledgerops credit INV-2026-0013 --full --reason cancellation" in result.stdout
    assert snapshot(ledger) == before


def test_a_paid_invoice_cannot_be_voided(ledger: Path) -> None:
    before = snapshot(ledger)
    result = run_cli("void", "INV-2026-0010", "--ledger", str(ledger), "--today", TODAY, "--reason", "x")
    assert result.returncode == 1 and "void-has-payments" in result.stdout
    assert snapshot(ledger) == before


def _digest_of(ledger: Path, invoice_id: str) -> str:
    from datetime import date

    from ledgerops.app.load import load
    from ledgerops.context import Context
    from ledgerops.core.immutable import issued_digest

    loaded = load(Context(ledger, date.fromisoformat(TODAY)))
    assert loaded.ledger is not None
    return issued_digest(next(inv for inv in loaded.ledger.invoices if inv.id == invoice_id))
