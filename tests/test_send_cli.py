"""`ledgerops draft` and `send` end to end: real git repositories, a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import run_cli, snapshot
from tests.gitledger import changed_files, commit_all, example_repo, git, log, status

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = "2026-11-27"


def _env(server, **extra: str) -> dict[str, str]:
    return {**os.environ, **server.environ(**extra)}


def _received(server) -> dict[str, email.message.EmailMessage]:
    messages = [email.message_from_bytes(r.data, policy=email.policy.default) for r in server.received]
    return {str(m["Message-ID"]).split(".")[0].lstrip("<"): m for m in messages}


def test_draft_then_send_delivers_once_and_records_it(tmp_path: Path, smtp_server) -> None:
    ledger = example_repo(tmp_path / "ledger")
    args = ("--ledger", str(ledger), "--today", TODAY)
    drafted = run_cli("draft", *args, "--client", "harbor-pine", "--project", "CAT27", "--milestone", "M3")
    assert drafted.returncode == 0, drafted.stderr
    assert "drafted DRAFT-harbor-pine-CAT27-M3" in drafted.stdout
    before = snapshot(ledger)
    again = run_cli("draft", *args, "--client", "harbor-pine", "--project", "CAT27", "--milestone", "M3")
    assert again.returncode == 0 and "already invoiced by DRAFT-harbor-pine-CAT27-M3" in again.stdout
    assert snapshot(ledger) == before
    commit_all(ledger, "Merge draft DRAFT-harbor-pine-CAT27-M3")  # the approval, after the example's draft

    server = smtp_server()
    sent = run_cli("send", *args, "--transport", "smtp", "--format", "json", env=_env(server))
    assert sent.returncode == 0, sent.stdout + sent.stderr
    report = json.loads(sent.stdout)
    assert [(s["invoice"], s["draft"]) for s in report["sent"]] == [
        ("INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2"),  # numbered in the order they were approved
        ("INV-2026-0016", "DRAFT-harbor-pine-CAT27-M3"),
    ]
    assert report["failed"] == [] and report["commit"]

    message = _received(server)["INV-2026-0016"]
    assert message["To"] == "payables@harborandpine.example"
    assert message["Cc"] == "dana.whitfield@harborandpine.example"
    assert message["From"] == "Mara Lindqvist Design <billing@lindqvist-design.example>"
    assert message["Message-ID"] == "<INV-2026-0016.invoice@lindqvist-design.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    link = "https://pay.lindqvist-design.example/INV-2026-0016"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()
    (pdf,) = [part for part in message.iter_attachments()]
    assert pdf.get_content_type() == "application/pdf" and pdf.get_filename() == "INV-2026-0016.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "INV-2026-0016" in text and "$1,900.00" in text and "Dec 11, 2026" in text

    recorded = (ledger / "invoices/2026/INV-2026-0016.yaml").read_text()
    assert "status: sent\nsent_at: 2026-11-27T" in recorded and "claims" not in recorded
    # Each email is claimed in a commit before it leaves, and recorded in the next one.
    assert log(ledger)[:3] == [
        "ledgerops send 2026-11-27: record INV-2026-0016 invoice (accepted)",
        "ledgerops send 2026-11-27: record INV-2026-0015 invoice (accepted); "
        "issue DRAFT-harbor-pine-CAT27-M3 as INV-2026-0016; claim INV-2026-0016 invoice",
        "ledgerops send 2026-11-27: issue DRAFT-harbor-pine-SOCIAL-M2 as INV-2026-0015; claim INV-2026-0015 invoice",
    ]
    renamed = git(ledger, "show", "--name-status", "--no-renames", "--format=", "HEAD~2").split("\n")
    assert sorted(renamed) == [  # the draft renamed into its number in its claim commit
        "", "A\tinvoices/2026/INV-2026-0015.yaml", "D\tinvoices/drafts/DRAFT-harbor-pine-SOCIAL-M2.yaml"]  # fmt: skip
    assert report["commit"] == git(ledger, "rev-parse", "HEAD").strip()
    assert changed_files(ledger) == ["invoices/2026/INV-2026-0016.yaml"]
    assert status(ledger) == ""
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0

    second = run_cli("send", *args, "--transport", "smtp", env=_env(server))
    assert second.returncode == 0 and "no approved invoice waits to be sent" in second.stdout
    assert len(server.received) == 2 and len(log(ledger)) == 5


def _fault_ledger(root: Path, addresses: list[str]) -> Path:
    """One approved draft per address, issued in that order; an address names a server fault."""
    (root / "invoices/drafts").mkdir(parents=True)
    (root / "clients").mkdir()
    (root / "exceptions").mkdir()
    (root / "policy.yaml").write_text(
        "company: {name: Jane Doe Studio, email: billing@janedoe.example, address: 'Main St 1, Berlin',"
        " tax_id: DE136695976}\ntimezone: Europe/Berlin\n"
        'payment_link: "https://pay.example/{invoice_id}"\npayment_methods: [card]\n'
    )
    for number, address in enumerate(addresses, start=1):
        client = f"client-{number}"
        (root / f"clients/{client}.yaml").write_text(
            f"id: {client}\nname: Client {number} Ltd\nemail: {address}\nsegment: standard\n"
            "address: 1 Main Street, Springfield\n"
        )
        (root / f"invoices/drafts/DRAFT-{client}.yaml").write_text(
            f"id: DRAFT-{client}\nclient: {client}\nissue_date: 2026-11-26\ndue_date: 2026-12-26\n"
            "service_date: 2026-11-26\ncurrency: EUR\nlines:\n  - {description: Design work, quantity: 1, unit_price: 100.00, tax_rate: 19}\n"
            "status: draft   # the tool sets sent and sent_at\n"
        )
    git(root, "init", "--quiet", "--initial-branch", "main")
    commit_all(root, "approved drafts")
    return root


def _sent(ledger: Path, count: int) -> list[bool]:
    """Whether INV-2026-0001... are sent (a number not taken yet counts as not sent)."""
    paths = [ledger / f"invoices/2026/INV-2026-{n:04d}.yaml" for n in range(1, count + 1)]
    return [path.exists() and "status: sent" in path.read_text() for path in paths]


def _send_json(ledger: Path, server) -> tuple[int, dict]:
    result = run_cli("send", "--ledger", str(ledger), "--today", TODAY, "--transport", "smtp", "--format", "json",
                     env=_env(server))  # fmt: skip
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("fault", "retry"),
    [("refuse550", False),  # recipient refused for good: fix the address
     ("busy450", True),  # recipient refused for now: next run
     ("dropmail", True),  # the server hung up before the data: never delivered
     ("reject554", False)],  # the data itself refused
)  # fmt: skip
def test_an_invoice_not_sent_keeps_its_number_and_holds_back_no_other(
    tmp_path: Path, smtp_server, fault: str, retry: bool
) -> None:
    ledger = _fault_ledger(
        tmp_path / "ledger", ["ap@one.example", f"{fault}@two.example", "ap@three.example"]
    )
    server = smtp_server()
    code, report = _send_json(ledger, server)
    assert code == 1
    assert [(s["invoice"], s["draft"]) for s in report["sent"]] == [
        ("INV-2026-0001", "DRAFT-client-1"), ("INV-2026-0003", "DRAFT-client-3")]  # fmt: skip
    assert [(f["invoice"], f["draft"], f["status"], f["retry"], f["code"]) for f in report["failed"]] == [
        ("INV-2026-0002", "DRAFT-client-2", "not_sent", retry, "send-failed")
    ]
    assert _sent(ledger, 3) == [True, False, True] and len(server.received) == 2
    first = (ledger / "invoices/2026/INV-2026-0001.yaml").read_text()
    assert "status: sent    # the tool sets sent and sent_at\nsent_at: 2026-11-27T" in first  # comment kept
    # Numbers are never released: the invoice not sent stays issued, with its claim withdrawn.
    kept = (ledger / "invoices/2026/INV-2026-0002.yaml").read_text()
    assert kept.startswith("id: INV-2026-0002\ndrafted_as: DRAFT-client-2\n") and "claims" not in kept
    assert "status: draft" in kept and list((ledger / "invoices/drafts").iterdir()) == []
    assert status(ledger) == ""
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0  # no gap

    # The next run tries again, first, what may work now.
    code, again = _send_json(ledger, server)
    assert code == 1 and [f["invoice"] for f in again["failed"]] == ["INV-2026-0002"]
    assert [s["invoice"] for s in again["send"]] == ["INV-2026-0002"]


def test_an_unknown_outcome_is_recorded_as_sent_with_a_case_and_never_sent_again(
    tmp_path: Path, smtp_server
) -> None:
    """The server read the data, then hung up: maybe delivered. A second copy is the
    embarrassing mistake, so the invoice counts as sent (issued), and a person checks."""
    ledger = _fault_ledger(
        tmp_path / "ledger", ["ap@one.example", "dropdata@two.example", "ap@three.example"]
    )
    server = smtp_server()
    code, report = _send_json(ledger, server)
    assert code == 1
    assert [s["invoice"] for s in report["sent"]] == ["INV-2026-0001", "INV-2026-0003"]
    (case_id,) = report["exceptions_opened"]
    assert [(f["invoice"], f["status"], f["code"], f["exception"]) for f in report["failed"]] == [
        ("INV-2026-0002", "unknown", "send-unknown", case_id)
    ]
    assert _sent(ledger, 3) == [True, True, True] and len(server.received) == 3
    case = (ledger / f"exceptions/{case_id}.yaml").read_text()
    assert "invoice: INV-2026-0002\nreason: delivery_unknown\n" in case
    assert "<INV-2026-0002.invoice@janedoe.example>" in case
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0
    assert status(ledger) == ""

    code, again = _send_json(ledger, server)
    assert code == 0 and again["send"] == again["sent"] == again["failed"] == []
    assert len(server.received) == 3


def test_a_drop_between_messages_reconnects_and_the_batch_goes_on(tmp_path: Path, smtp_server) -> None:
    ledger = _fault_ledger(tmp_path / "ledger", ["ap@one.example", "ap@two.example", "ap@three.example"])
    server = smtp_server()
    server.handler.drop_after = 1  # the server closes the connection after each message
    code, report = _send_json(ledger, server)
    assert code == 0 and [s["invoice"] for s in report["sent"]] == [
        "INV-2026-0001",
        "INV-2026-0002",
        "INV-2026-0003",
    ]
    assert _sent(ledger, 3) == [True, True, True] and len(server.received) == 3


@pytest.mark.filterwarnings("ignore")
def test_an_authentication_failure_sends_nothing_and_issues_one_invoice_at_most(
    tmp_path: Path, smtp_server
) -> None:
    ledger = _fault_ledger(tmp_path / "ledger", ["ap@one.example", "ap@two.example"])
    server = smtp_server(tls="starttls", user="jane", password="right-password")
    env = _env(server, LEDGEROPS_SMTP_TLS="starttls", LEDGEROPS_SMTP_USER="jane",
               LEDGEROPS_SMTP_PASSWORD="wrong-password-123")  # fmt: skip
    result = run_cli("send", "--ledger", str(ledger), "--today", TODAY, "--transport", "smtp", env=env)
    assert result.returncode == 1
    assert "authentication failed" in result.stdout
    assert "wrong-password-123" not in result.stdout + result.stderr
    assert server.received == []
    # The first draft was issued and claimed (the connection opens with the first email), then
    # its claim released; it keeps its number and goes first once the password is right.
    assert (
        status(ledger) == ""
        and log(ledger)[0] == "ledgerops send 2026-11-27: record INV-2026-0001 invoice (not_sent)"
    )
    assert sorted(p.name for p in (ledger / "invoices").rglob("*.yaml")) == [
        "DRAFT-client-2.yaml",
        "INV-2026-0001.yaml",
    ]
    assert "claims" not in (ledger / "invoices/2026/INV-2026-0001.yaml").read_text()
    assert run_cli("check", "--ledger", str(ledger), "--today", TODAY).returncode == 0


def test_the_outbox_is_the_default_transport(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    result = run_cli("send", "--ledger", str(ledger), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    eml = ledger / "outbox" / "INV-2026-0015.invoice@lindqvist-design.example.eml"
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert (
        parsed["Subject"] == "Invoice INV-2026-0015 from Mara Lindqvist Design: Holiday 2026 social campaign"
    )
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["INV-2026-0015.pdf"]
    assert status(ledger) == ""  # outbox/ is git-ignored; the record is committed


def test_dry_run_lists_what_would_be_sent_and_why_others_wait(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    args = ("--ledger", str(ledger), "--today", TODAY)
    assert (
        run_cli("draft", *args, "--client", "nordlicht", "--project", "WEB", "--milestone", "M1").returncode
        == 0
    )
    assert (
        run_cli(
            "draft", *args, "--client", "kaze-robotics", "--project", "IREX", "--milestone", "M2"
        ).returncode
        == 0
    )
    commit_all(ledger, "approve two drafts")
    assert (
        run_cli("draft", *args, "--client", "brotwerk", "--project", "SHOP", "--milestone", "M2").returncode
        == 0
    )
    before = snapshot(ledger)
    result = run_cli("send", *args, "--dry-run", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(s["invoice"], s["draft"], s["total"], s["currency"]) for s in report["send"]] == [
        ("INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2", "1600.00", "USD")  # the number it would take now
    ]
    assert {b["invoice"]: b["code"] for b in report["blocked"]} == {
        "DRAFT-nordlicht-WEB-M1": "send-po-missing", "DRAFT-kaze-robotics-IREX-M2": "send-on-hold",
        "DRAFT-brotwerk-SHOP-M2": "send-not-approved"}  # fmt: skip
    assert report["sent"] == [] and snapshot(ledger) == before


def test_send_refuses_everything_while_check_reports_errors(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    bad = ledger / "clients/brotwerk.yaml"
    bad.write_text(bad.read_text().replace("segment: standard", "segment: unknown-segment"))
    commit_all(ledger, "a broken client")
    before = snapshot(ledger)
    result = run_cli("send", "--ledger", str(ledger), "--today", TODAY)
    assert result.returncode == 2 and "run 'ledgerops check'" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(ledger) == before


def test_send_only_from_the_approval_branch(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    git(ledger, "checkout", "--quiet", "-b", "draft/DRAFT-brotwerk-SHOP-M2")
    before = snapshot(ledger)
    result = run_cli("send", "--ledger", str(ledger), "--today", TODAY)
    assert result.returncode == 2
    assert "sent only from the approval branch 'main'" in result.stderr
    assert snapshot(ledger) == before


def test_a_ledger_outside_git_is_sent_and_recorded_without_a_commit(example: Path) -> None:
    result = run_cli("send", "--ledger", str(example), "--today", TODAY)
    assert result.returncode == 0 and "committed" not in result.stdout
    assert "status: sent\nsent_at: 2026-11-27T" in (example / "invoices/2026/INV-2026-0015.yaml").read_text()
    assert not (example / ".git").exists()
