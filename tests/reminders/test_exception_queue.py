"""The exception queue: open, resolve, list and pause, and what an open case does to reminders."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledgerops.app import exception as exceptions
from ledgerops.app.load import load
from ledgerops.app.pause import pause
from ledgerops.cli import cli
from ledgerops.context import Context
from ledgerops.core.errors import LedgeropsError
from ledgerops.core.schedule import plan_reminders
from tests.conftest import run_cli, snapshot

DAY = date(2026, 11, 27)


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def skip_reason(ledger: Path, invoice: str, day: date) -> str | None:
    book = load(Context(ledger, day)).ledger
    assert book is not None
    return next((s.reason for s in plan_reminders(book, day).skipped if s.invoice == invoice), None)


def test_open_list_resolve(example: Path) -> None:
    out = invoke("exception", "open", "INV-2026-0012", "--ledger", str(example), "--today", "2026-11-27",
                 "--reason", "dispute", "--note", "Hours on line 2 disputed", "--by", "mara")  # fmt: skip
    match = re.search(r"opened (EXC-20261127-[0-9a-f]{6}) ", out)
    assert match, out
    new = match[1]
    text = (example / f"exceptions/{new}.yaml").read_text()
    assert text == (
        f"id: {new}\ninvoice: INV-2026-0012\nreason: dispute\nopened_at: 2026-11-27\n"
        "source: mara\nnote: Hours on line 2 disputed\nstatus: open\n"
    )
    assert skip_reason(example, "INV-2026-0012", DAY) == "exception"

    listed = json.loads(invoke("exception", "list", "--ledger", str(example), "--today", "2026-11-30",
                               "--format", "json"))  # fmt: skip
    rows = [(r["id"], r["reason"], r["age_days"], r["client"]) for r in listed["exceptions"]]
    assert rows == [
        ("EXC-2026-0001", "final_escalation", 12, "kaze-robotics"),  # oldest first
        (new, "dispute", 3, "harbor-pine"),
    ]
    table = invoke("exception", "list", "--ledger", str(example), "--today", "2026-11-30")
    assert table.index("EXC-2026-0001") < table.index(new) and "12 d" in table

    invoke("exception", "resolve", new, "--ledger", str(example), "--today", "2026-11-30",
           "--resolution", "Credit note for 2 hours agreed")  # fmt: skip
    text = (example / f"exceptions/{new}.yaml").read_text()
    assert "status: resolved\nresolved_at: 2026-11-30\nresolution: Credit note for 2 hours agreed\n" in text
    assert skip_reason(example, "INV-2026-0012", date(2026, 11, 30)) is None  # reminders are back
    assert run_cli("check", "--ledger", str(example), "--today", "2026-11-30").returncode == 0


def test_pause_a_client_until_a_promise_and_resume_by_itself(example: Path) -> None:
    out = invoke("pause", "harbor-pine", "--ledger", str(example), "--today", "2026-11-27",
                 "--until", "2026-12-04", "--reason", "promise_to_pay", "--note", "AP run on the 4th")  # fmt: skip
    assert out.count("opened") == 3  # the three sent, unpaid harbor-pine invoices
    cases = load(Context(example, DAY)).ledger.exceptions  # type: ignore[union-attr]
    paused = sorted(c.invoice for c in cases if c.reason == "promise_to_pay" and c.status == "open")
    assert paused == ["INV-2026-0010", "INV-2026-0012", "INV-2026-0013"]
    assert skip_reason(example, "INV-2026-0012", date(2026, 12, 4)) == "exception"  # through `until`
    book = load(Context(example, date(2026, 12, 7))).ledger
    plan = plan_reminders(book, date(2026, 12, 7))  # type: ignore[arg-type]
    assert {(s.invoice, s.stage) for s in plan.send} >= {("INV-2026-0012", "overdue_7")}  # broken promise


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ctx: exceptions.open_case(ctx, exceptions.NewCase("INV-2026-0012", "nope", "", "me")),
         "not in policy.exceptions.reasons"),
        (lambda ctx: exceptions.open_case(ctx, exceptions.NewCase("INV-2099-0001", "dispute", "", "me")),
         "no invoice"),
        (lambda ctx: exceptions.open_case(ctx, exceptions.NewCase("INV-2026-0012", "dispute", "", "me",
                                                                  date(2026, 11, 1))), "before today"),
        (lambda ctx: exceptions.resolve(ctx, "EXC-2026-0002", "again"), "already resolved"),
        (lambda ctx: exceptions.resolve(ctx, "EXC-2026-0099", "x"), "no exception"),
        (lambda ctx: pause(ctx, "brotwerk", date(2026, 11, 1), "dispute", "", "me"), "before today"),
        (lambda ctx: pause(ctx, "nobody", date(2026, 12, 1), "dispute", "", "me"), "neither"),
    ],
)  # fmt: skip
def test_mistakes_are_one_clear_error_and_change_nothing(example: Path, call, message: str) -> None:
    before = snapshot(example)
    with pytest.raises(LedgeropsError, match=message):
        call(Context(example, DAY))
    assert snapshot(example) == before


def test_the_command_line_reports_a_mistake_in_one_line(example: Path) -> None:
    done = run_cli("exception", "open", "INV-2026-0012", "--ledger", str(example), "--reason", "nope")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "reason 'nope'" in done.stderr
