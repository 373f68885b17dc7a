"""`ledgerops run` on a copy of the example ledger with the outbox: what docs/example-ledger.md
says happens on Friday 2026-11-27."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

from .ledgers import DAY, example_repo, git

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end


def test_run_on_the_example_ledger_writes_the_expected_emails(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    before = snapshot(ledger)
    preview = run_cli("run", "--ledger", str(ledger), "--today", DAY, "--dry-run", "--format", "json")
    assert preview.returncode == 0 and snapshot(ledger) == before
    assert [(m["invoice"], m["draft"]) for m in json.loads(preview.stdout)["invoices"]] == [
        ("INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2")  # the number it would take
    ]

    done = run_cli("run", "--ledger", str(ledger), "--today", DAY, "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert [(m["invoice"], m["draft"], m["to"]) for m in summary["invoices"]] == [
        ("INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2", "payables@harborandpine.example")
    ]
    assert [(m["invoice"], m["stage"], m["amount_due"], m["currency"]) for m in summary["send"]] == [
        ("INV-2026-0007", "overdue_7", "649600", "JPY"),
        ("INV-2026-0012", "due", "5400.00", "USD"),
        ("INV-2026-0013", "pre_due", "2400.00", "USD"),
    ]
    assert summary["escalate"] == [{"invoice": "INV-2026-0006", "stage": "final_notice"}]
    assert summary["late_fees"] == [{"invoice": "INV-2026-0007", "amount": "9600", "currency": "JPY"}]
    (opened,) = summary["exceptions_opened"]
    assert re.fullmatch(r"EXC-20261127-[0-9a-f]{6}", opened) and summary["errors"] == [] and summary["ok"]
    assert not {"INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2"} & {s["invoice"] for s in summary["skipped"]}

    outbox = sorted(p.name for p in (ledger / "outbox").iterdir())
    assert outbox == [
        "INV-2026-0007.overdue_7@lindqvist-design.example.eml",
        "INV-2026-0012.due@lindqvist-design.example.eml",
        "INV-2026-0013.pre_due@lindqvist-design.example.eml",
        "INV-2026-0015.invoice@lindqvist-design.example.eml",
    ]
    invoice_mail = email.message_from_bytes(
        (ledger / "outbox" / outbox[-1]).read_bytes(), policy=email.policy.default
    )
    (pdf,) = [part for part in invoice_mail.iter_attachments()]
    assert pdf.get_filename() == "INV-2026-0015.pdf" and pdf.get_content().startswith(b"%PDF")
    issued = (ledger / "invoices/2026/INV-2026-0015.yaml").read_text()
    assert "status: sent\nsent_at: 2026-11-27T" in issued
    assert issued.startswith("id: INV-2026-0015\ndrafted_as: DRAFT-harbor-pine-SOCIAL-M2\n")
    assert "issue_date: 2026-11-27\ndue_date: 2026-12-11\n" in issued  # dated the day of issue, terms kept
    assert not (ledger / "invoices/drafts/DRAFT-harbor-pine-SOCIAL-M2.yaml").exists()
    claim = next(
        line for line in git(ledger, "log", "--format=%s").splitlines() if "claim INV-2026-0015" in line
    )
    assert "issue DRAFT-harbor-pine-SOCIAL-M2 as INV-2026-0015; claim INV-2026-0015 invoice" in claim
    assert git(ledger, "status", "--porcelain") == ""
    assert all(line.split(" ", 1)[1].startswith("ledgerops run 2026-11-27:")
               for line in git(ledger, "log", "--oneline").splitlines()[:-1])  # fmt: skip

    again = run_cli("run", "--ledger", str(ledger), "--today", DAY, "--format", "json")
    repeat = json.loads(again.stdout)
    assert again.returncode == 0 and repeat["send"] == [] and repeat["invoices"] == []
    assert len(list((ledger / "outbox").iterdir())) == 4


def test_run_text_summary_and_failures_do_not_stop_the_others(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    # The check renders sample invoices on their due date; this template only breaks later.
    (ledger / "templates/reminders").mkdir(parents=True)
    (ledger / "templates/reminders/overdue_7.strategic.md.j2").write_text(
        "Subject: {{ invoice_id }}\n\n{{ invoice_id }} {{ amount_due }} {{ due_date }} {{ payment_link }}\n"
        "{% if days_overdue > 6 %}{{ client.no_such_field }}{% endif %}\n"
    )
    git(ledger, "add", "-A")
    git(ledger, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a template that fails late")
    done = run_cli("run", "--ledger", str(ledger), "--today", DAY)
    assert done.returncode == 1
    assert "FAILED    INV-2026-0007  overdue_7" in done.stdout
    assert "sent      INV-2026-0012  due" in done.stdout and "sent      INV-2026-0013  pre_due" in done.stdout
    assert "claims" not in (ledger / "invoices/2026/INV-2026-0007.yaml").read_text()


def _flat_fee(ledger: Path, value: str) -> None:
    policy = ledger / "policy.yaml"
    old = "late_fee: {enabled: true, kind: percent, value: 1.5, grace_days: 7}"
    policy.write_text(
        policy.read_text().replace(
            old, f"late_fee: {{enabled: true, kind: flat, value: {value}, grace_days: 7}}"
        )
    )
    git(ledger, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", f"flat late fee {value}")


def test_a_flat_fee_that_rounds_to_nothing_is_not_recorded_and_later_runs_go_on(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    _flat_fee(ledger, "0.40")  # in EUR: 0 in JPY, and no fee at all for a JPY invoice
    done = run_cli("run", "--ledger", str(ledger), "--today", DAY, "--no-push", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["late_fees"] == [], done.stdout
    assert "late_fees" not in (ledger / "invoices/2026/INV-2026-0007.yaml").read_text()
    assert run_cli("check", "--ledger", str(ledger), "--today", DAY).returncode == 0
    assert run_cli("run", "--ledger", str(ledger), "--today", "2026-11-30", "--no-push").returncode == 0


def test_a_flat_fee_is_charged_in_the_policy_currency_only(tmp_path: Path) -> None:
    ledger = example_repo(tmp_path / "ledger")
    _flat_fee(ledger, "40.50")
    fees = {}
    for day in ("2026-11-27", "2026-12-07", "2026-12-31"):  # JPY, then USD, then EUR invoices past grace
        plan = run_cli("remind", "--ledger", str(ledger), "--today", day, "--dry-run", "--format", "json")
        fees[day] = json.loads(plan.stdout)["late_fees"]
    assert fees == {
        "2026-11-27": [],
        "2026-12-07": [],
        "2026-12-31": [{"invoice": "INV-2026-0014", "amount": "40.50", "currency": "EUR"}],
    }
