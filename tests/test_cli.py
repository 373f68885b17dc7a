"""The real `ledgerops` command end to end: exit codes, output formats, nothing written, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, copy_example, run_cli, snapshot

HEAVY = ("jinja2", "git", "markdown_it", "fpdf", "segno", "babel", "ruamel", "pypdf")


def test_the_example_ledger_passes_check() -> None:
    result = run_cli("check", "--ledger", str(REPO), "--today", "2026-11-27")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout or "ok: no problems found" in result.stdout


def test_check_json_follows_the_public_contract(example: Path) -> None:
    invoice = example / "invoices/2026/INV-2026-0007.yaml"
    invoice.write_text(invoice.read_text().replace("status: sent", "status: paid"))
    result = run_cli("check", "--ledger", str(example), "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    found = [d for d in payload["diagnostics"] if d["code"] == "invalid-status"]
    assert len(found) == 1
    assert set(found[0]) >= {"file", "line", "column", "code", "severity", "message"}
    assert found[0]["file"] == "invoices/2026/INV-2026-0007.yaml"
    assert found[0]["severity"] == "error"
    line = invoice.read_text().splitlines()[found[0]["line"] - 1]
    assert line[found[0]["column"] - 1 :].startswith("paid")


def test_check_text_is_compiler_style_with_the_line_and_the_fix(example: Path) -> None:
    client = example / "clients/kaze-robotics.yaml"
    client.write_text(client.read_text().replace("segment: strategic", "segment: vip"))
    result = run_cli("check", "--ledger", str(example), "--today", "2026-11-27")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("clients/kaze-robotics.yaml:")
    assert " error unknown-segment: segment 'vip' is not in policy.segments" in first
    assert "  fix: " in result.stdout


def test_check_github_writes_workflow_commands(example: Path) -> None:
    invoice = example / "invoices/2026/INV-2026-0013.yaml"
    invoice.write_text(invoice.read_text().replace("currency: USD", "currency: CHF"))
    result = run_cli("check", "--ledger", str(example), "--today", "2026-11-27", "--format", "github")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "unknown-currency" in line]
    assert lines and lines[0].startswith("::error file=invoices/2026/INV-2026-0013.yaml,line=")
    assert ",title=unknown-currency::" in lines[0]


def test_check_never_writes_and_never_shows_a_traceback(example: Path) -> None:
    (example / "clients/brotwerk.yaml").write_bytes(b"id: brotwerk\nname: \xff\n")
    (example / "invoices/2026/INV-2026-0009.yaml").write_text("- just\n- a list\n")
    before = snapshot(example)
    result = run_cli("check", "--ledger", str(example), "--today", "2026-11-27")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(example) == before


def test_not_a_ledger_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--ledger", str(tmp_path))
    assert result.returncode == 2
    assert "no policy.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_arguments_exit_2() -> None:
    result = run_cli("check", "--format", "xml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_broken_policy_is_reported_not_crashed(example: Path) -> None:
    (example / "policy.yaml").write_text("company: [unclosed\n")
    result = run_cli("check", "--ledger", str(example), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["diagnostics"][0]["code"] == "yaml-syntax"


def test_invoices_lists_every_derived_state() -> None:
    result = run_cli("invoices", "--ledger", str(REPO), "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["invoice"]: row for row in json.loads(result.stdout)["invoices"]}
    states = {row["state"] for row in rows.values()}
    assert states == {"draft", "open", "due", "overdue", "paid", "void", "on_hold"}
    assert rows["INV-2026-0004"]["days_overdue"] == 93
    assert rows["INV-2026-0004"]["balance"] == "1546.00"
    assert rows["INV-2026-0007"]["balance"] == "640000"


def test_init_makes_a_ledger_that_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "books"
    result = run_cli("init", str(target), "--company", "Jane: Doe & Co", "--email", "billing@janedoe.example")
    assert result.returncode == 0, result.stderr
    assert (target / ".git").is_dir()
    assert "outbox/" in (target / ".gitignore").read_text()
    check = run_cli("check", "--ledger", str(target), "--today", "2026-11-27")
    assert check.returncode == 0, check.stdout
    assert "warning" not in check.stdout
    schema = json.loads((target / ".vscode/ledgerops/invoice.schema.json").read_text())
    assert schema == json.loads(run_cli("schema", "invoice").stdout)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    copy_example(tmp_path / "books")
    before = snapshot(tmp_path)
    result = run_cli("init", str(tmp_path / "books"))
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert snapshot(tmp_path) == before


def test_schema_describes_every_field() -> None:
    schema = json.loads(run_cli("schema", "client").stdout)
    assert schema["required"] == ["id", "name", "email", "segment"]
    assert schema["additionalProperties"] is False
    milestone = schema["properties"]["projects"]["additionalProperties"]["properties"]["milestones"]
    assert "amount" in milestone["additionalProperties"]["properties"]


def _heavy_imports(*argv: str) -> list[str]:
    """The heavy libraries a `ledgerops` process imported, by their top-level names."""
    probe = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})), file=sys.stderr))\n"
        "from ledgerops.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_check_and_help_do_not_import_heavy_libraries() -> None:
    assert _heavy_imports("check", "--ledger", str(REPO), "--today", "2026-11-27") == []
    assert _heavy_imports("--help") == []


def test_reminders_do_not_load_the_pdf_libraries(example: Path) -> None:
    """Only an invoice email has a PDF: reminders, and a run with no invoice to send, don't
    pay for importing fpdf2 and segno."""
    args = ("--ledger", str(example), "--format", "json")
    assert not {"fpdf", "segno"} & set(_heavy_imports("remind", *args, "--today", "2026-11-27", "--dry-run"))
    assert not {"fpdf", "segno"} & set(_heavy_imports("run", *args, "--today", "2026-11-25", "--dry-run"))
    assert not {"fpdf", "segno"} & set(_heavy_imports("remind", *args, "--today", "2026-11-27"))
    assert (example / "outbox/INV-2026-0012.due@lindqvist-design.example.eml").is_file()
