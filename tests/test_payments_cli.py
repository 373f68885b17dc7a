"""`ledgerops payments import` end to end: real statement files, a real git repository, the
installed command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot
from tests.gitledger import changed_files, example_repo, git, log, status

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = "2026-11-27"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CAMT = EXAMPLES / "statements" / "camt053-example.xml"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "ledger")


def imported(ledger: Path, *files: Path | str, dry: bool = False) -> dict:
    args = [
        "payments",
        "import",
        *map(str, files),
        "--ledger",
        str(ledger),
        "--today",
        TODAY,
        "--format",
        "json",
    ]
    result = run_cli(*args, *(["--dry-run"] if dry else []))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_status(report: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in report["lines"]:
        out.setdefault(row["status"], []).extend(row["invoices"] or [row["line"]])
    return out


def test_a_camt_statement_records_payments_in_one_commit_and_keeps_comments(ledger: Path) -> None:
    path = ledger / "invoices/2026/INV-2026-0004.yaml"
    before = path.read_text()
    report = imported(ledger, CAMT)
    assert by_status(report) == {
        "applied": ["INV-2026-0004", "INV-2026-0014", "INV-2026-0006", "INV-2026-0009"],
        "partial": ["INV-2026-0009"],
        "reported": ["2026112600011", "INV-2026-0010"],
        "unmatched": ["INV-2026-0008", "2026112700005"],
    }
    first = report["matched"][0]
    assert {k: first[k] for k in ("line", "invoice", "amount", "currency", "date", "rule")} == {
        "line": "2026112400017", "invoice": "INV-2026-0004", "amount": "1546.00", "currency": "EUR",
        "date": "2026-11-24", "rule": "reference"}  # fmt: skip
    marker = '  - {date: 2026-10-30, amount: 1000.00, method: bank_transfer, ref: "Rate 2 INV-2026-0004"}\n'
    added = '  - {date: 2026-11-24, amount: 1546.00, method: bank_transfer, ref: "RF32INV20260004", import_id: "2026112400017"}\n'
    assert path.read_text() == before.replace(marker, marker + added)
    assert "# instalments agreed with Henrik" in path.read_text()
    assert log(ledger)[0].startswith(
        "payments import: 5 payments on INV-2026-0004, INV-2026-0014, INV-2026-0009"
    )
    assert "unmatched_payment" in log(ledger)[0]
    case_id = report["cases"][0]["id"]
    assert re.fullmatch(r"EXC-20261127-[0-9a-f]{6}", case_id)
    assert sorted(changed_files(ledger)) == [
        f"exceptions/{case_id}.yaml", "invoices/2026/INV-2026-0004.yaml", "invoices/2026/INV-2026-0006.yaml",
        "invoices/2026/INV-2026-0009.yaml", "invoices/2026/INV-2026-0014.yaml"]  # fmt: skip
    assert status(ledger) == ""
    assert report["cases"] == [{"id": case_id, "invoice": "INV-2026-0008", "reason": "unmatched_payment",
                                "note": report["cases"][0]["note"]}]  # fmt: skip
    checked = run_cli("check", "--ledger", str(ledger), "--today", TODAY)
    assert checked.returncode == 0, checked.stdout
    listed = run_cli("invoices", "--ledger", str(ledger), "--today", TODAY).stdout
    for paid in ("INV-2026-0004", "INV-2026-0006", "INV-2026-0009", "INV-2026-0014"):
        assert any(row.startswith(paid) and " paid " in row for row in listed.splitlines()), listed


def test_importing_the_same_and_an_overlapping_statement_again_records_nothing_twice(
    ledger: Path, tmp_path: Path
) -> None:
    imported(ledger, CAMT)
    head = log(ledger)
    again = imported(ledger, CAMT)
    assert by_status(again)["duplicate"] and "applied" not in by_status(again)
    assert again["cases"] == [] and log(ledger) == head and status(ledger) == ""
    # a later statement repeating the last three entries and adding one new line
    text = CAMT.read_text()
    start = text.index("<!-- 5.")
    new = ('<Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
           "<BookgDt><Dt>2026-11-27</Dt></BookgDt><AcctSvcrRef>2026112700009</AcctSvcrRef>"
           "<NtryDtls><TxDtls><RmtInf><Ustrd>INV-2026-0012 part</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>")  # fmt: skip
    head_part = text[: text.index("<!-- 1.")]
    overlap = tmp_path / "overlap.xml"
    overlap.write_text(
        head_part + text[text.index("<!-- 3.") : start] + text[start:].replace("</Stmt>", new + "</Stmt>", 1)
    )
    report = imported(ledger, overlap)
    assert by_status(report)["duplicate"] == ["2026112600008"]
    assert by_status(report)["reported"] == ["2026112600011", "INV-2026-0010", "INV-2026-0012"]  # USD invoice
    assert report["cases"] == [] and status(ledger) == ""


def test_a_csv_statement_imported_twice_and_overlapping(ledger: Path, tmp_path: Path) -> None:
    rules = EXAMPLES / "rules" / "sparkasse-csv-camt.yaml"
    statement = EXAMPLES / "statements" / "sparkasse.csv"
    args = ["--ledger", str(ledger), "--today", TODAY, "--rules", str(rules), "--format", "json"]
    first = json.loads(run_cli("payments", "import", str(statement), *args).stdout)
    assert [r["status"] for r in first["lines"]] == ["applied", "reported", "applied"]
    lines = statement.read_bytes().splitlines(keepends=True)
    overlap = tmp_path / "later.csv"
    overlap.write_bytes(lines[0] + b"".join(lines[2:]))
    second = json.loads(run_cli("payments", "import", str(overlap), str(statement), *args).stdout)
    assert [r["status"] for r in second["lines"]] == [
        "reported",
        "duplicate",
        "duplicate",
        "duplicate",
        "duplicate",
    ]
    assert log(ledger)[1] == "the example ledger"


def test_dry_run_writes_nothing_and_shows_what_would_be_recorded(ledger: Path) -> None:
    before = snapshot(ledger)
    result = run_cli("payments", "import", str(CAMT), "--ledger", str(ledger), "--today", TODAY, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert (
        "would record 5 payments" in result.stdout
        and "would open a case (unmatched_payment) for INV-2026-0008" in result.stdout
    )
    assert "applied    2026-11-24       1546.00 EUR  INV-2026-0004    reference" in result.stdout
    assert snapshot(ledger) == before and log(ledger) == ["the example ledger"]


def test_an_ambiguous_line_is_never_applied(ledger: Path, tmp_path: Path) -> None:
    statement = tmp_path / "two.ofx"
    statement.write_text(
        (EXAMPLES / "statements" / "ofx-harbor.ofx").read_text().replace("7800.00", "7600.00")
    )
    # 7600.00 is neither one invoice nor a unique set; 5400 + 2400 would be 7800
    report = imported(ledger, statement)
    assert [r["status"] for r in report["lines"]] == ["applied", "unmatched", "reported"]
    both = tmp_path / "both.xml"
    both.write_text((EXAMPLES / "statements" / "camt054-example.xml").read_text().replace(
        "<Strd><CdtrRefInf><Ref>RF48 INV2 0260 007</Ref></CdtrRefInf></Strd>",
        "<Ustrd>INV-2026-0007 and INV-2026-0011</Ustrd>"))  # fmt: skip
    before = snapshot(ledger)
    report = imported(ledger, both)
    assert [(r["status"], r["invoices"]) for r in report["lines"]] == [
        ("ambiguous", ["INV-2026-0007", "INV-2026-0011"])
    ]
    assert snapshot(ledger) == before


def test_a_paid_invoice_gets_no_reminder_after_the_import(ledger: Path) -> None:
    args = ["remind", "--dry-run", "--format", "json", "--ledger", str(ledger), "--today", TODAY]

    def reminded() -> list[str]:
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        return [item["invoice"] for item in json.loads(result.stdout)["send"]]

    assert {"INV-2026-0012", "INV-2026-0013"} <= set(reminded())
    report = imported(ledger, EXAMPLES / "statements" / "ofx-harbor.ofx")
    assert [(r["invoice"], r["rule"]) for r in report["matched"]] == [
        ("INV-2026-0010", "payer_amount"), ("INV-2026-0012", "payer_sum"), ("INV-2026-0013", "payer_sum")]  # fmt: skip
    assert not {"INV-2026-0010", "INV-2026-0012", "INV-2026-0013"} & set(reminded())


def test_a_bad_statement_records_nothing(ledger: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.xml"
    truncated.write_text(CAMT.read_text()[:3000])
    before = snapshot(ledger)
    result = run_cli(
        "payments", "import", str(CAMT), str(truncated), "--ledger", str(ledger), "--today", TODAY
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{truncated.as_posix()}:" in result.stderr and "statement-unreadable" in result.stderr
    assert "nothing was recorded" in result.stderr
    assert snapshot(ledger) == before


def test_a_rules_file_with_a_mistake_is_reported_at_its_line(ledger: Path, tmp_path: Path) -> None:
    rules = tmp_path / "bank.yaml"
    rules.write_text("fields: [date, amount]\nsign: upside_down\n")
    result = run_cli("payments", "import", str(EXAMPLES / "statements" / "sparkasse.csv"), "--rules", str(rules),
                     "--ledger", str(ledger), "--today", TODAY)  # fmt: skip
    assert (
        result.returncode == 1
        and f"{rules.as_posix()}:2:7" in result.stderr
        and "invalid-value" in result.stderr
    )


def test_a_payment_that_names_no_invoice_of_ours_opens_one_case(ledger: Path, tmp_path: Path) -> None:
    statement = tmp_path / "stray.xml"
    statement.write_text((EXAMPLES / "statements" / "camt054-example.xml").read_text().replace(
        "<Strd><CdtrRefInf><Ref>RF48 INV2 0260 007</Ref></CdtrRefInf></Strd>", "<Ustrd>Rechnung INV-2026-0099</Ustrd>").replace(">640000<", ">12345<"))  # fmt: skip
    report = imported(ledger, statement)
    assert [r["status"] for r in report["lines"]] == ["unmatched"]
    ((case_id, *rest),) = [(c["id"], c["invoice"], c["reason"]) for c in report["cases"]]
    assert re.fullmatch(r"EXC-20261127-[0-9a-f]{6}", case_id) and rest == [None, "unmatched_payment"]
    case = (ledger / f"exceptions/{case_id}.yaml").read_text()
    assert "invoice:" not in case and "reason: unmatched_payment" in case and "JP-20261126-77" in case
    assert log(ledger)[0] == "payments import: 0 payments; 1 unmatched_payment case"
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0
    listed = run_cli("exception", "list", "--ledger", str(ledger), "--today", TODAY)
    assert f"{case_id}  -" in listed.stdout, listed.stdout
    again = imported(ledger, statement)
    assert again["cases"] == [] and log(ledger)[1] == "the example ledger"


def test_done_moves_the_imported_statement_in_the_same_commit(ledger: Path, tmp_path: Path) -> None:
    (ledger / "imports").mkdir()
    statement = ledger / "imports/nov.xml"
    statement.write_bytes(CAMT.read_bytes())
    git(ledger, "add", "imports")
    git(ledger, "-c", "user.name=Mara", "-c", "user.email=mara@example.invalid", "commit", "-qm", "statement")
    report = json.loads(run_cli("payments", "import", "imports/nov.xml", "--done", "imports/done", "--today", TODAY,
                                "--format", "json", cwd=ledger).stdout)  # fmt: skip
    assert report["moved"] == [{"from": "imports/nov.xml", "to": "imports/done/nov.xml"}]
    assert not statement.exists() and (ledger / "imports/done/nov.xml").read_bytes() == CAMT.read_bytes()
    assert status(ledger) == ""
    assert "1 statement moved to imports/done" in log(ledger)[0]
    # A statement outside the ledger cannot be moved into it: refused before anything is written.
    before = snapshot(ledger)
    refused = run_cli("payments", "import", str(CAMT), "--done", "imports/done", "--today", TODAY, cwd=ledger)
    assert refused.returncode == 2 and "is not inside the ledger" in refused.stderr
    assert snapshot(ledger) == before
