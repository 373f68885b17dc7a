"""docs/spec.md §6.7 for real: `ledgerops run` processes, one bare origin, one SMTP server on localhost.

Each (invoice, stage), and each invoice email, arrives at most once: when two runs start
together, when a run is killed right after the server accepted a message, and when the
server refuses or drops messages in the middle of a batch.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ledgerops.app.load import load
from ledgerops.context import Context
from tests.conftest import run_cli

from .ledgers import (
    ALL_SENT,
    EXPECTED,
    NEXT_DRAFT,
    NEXT_DRAFT_PATH,
    SENT_DAY,
    cases,
    commit_all,
    finish,
    git,
    kill_after_accepting,
    message_ids,
    origin_ledger,
    sent_stages,
    smtp_env,
    start,
    with_origin,
)


@pytest.mark.slow
def test_two_runs_started_together_send_each_message_once(tmp_path: Path, smtp_server) -> None:
    server = smtp_server()
    origin, clones = with_origin(tmp_path, clones=2)
    env = smtp_env(server)
    runs = [start("run", clone, "--transport", "smtp", env=env) for clone in clones]
    results = [finish(run) for run in runs]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert message_ids(server) == Counter(dict.fromkeys(EXPECTED, 1))
    ledger = origin_ledger(origin, tmp_path)
    assert sent_stages(ledger) == ALL_SENT
    fees = [(f.date, f.amount) for inv in ledger.invoices if inv.id == "INV-2026-0007" for f in inv.late_fees]
    assert len(fees) == 1 and cases(ledger, "final_escalation") == ["INV-2026-0005", "INV-2026-0006"]
    reported = Counter(
        (m["invoice"], m["stage"]) for _, out, _ in results for m in out["send"] + out["invoices"]
    )
    assert reported == ALL_SENT  # each message reported by exactly the run that sent it


@pytest.mark.slow
def test_a_run_killed_after_the_server_accepted_never_sends_it_again(tmp_path: Path, smtp_server) -> None:
    server = smtp_server()
    origin, (clone,) = with_origin(tmp_path)
    kill_after_accepting(server, 2, "run", clone)  # the second message: the first reminder
    assert [str(r.message["Message-ID"]) for r in server.received] == [
        "<INV-2026-0015.invoice@lindqvist-design.example>",
        "<INV-2026-0007.overdue_7@lindqvist-design.example>",
    ]
    claimed = git(clone, "show", "origin/main:invoices/2026/INV-2026-0007.yaml")
    assert "claims:" in claimed and "stage: overdue_7" in claimed  # the claim left before the email

    code, out, err = finish(start("run", clone, "--transport", "smtp", env=smtp_env(server)))
    assert code == 0, err
    assert message_ids(server) == Counter(dict.fromkeys(EXPECTED, 1))
    assert [(m["invoice"], m["stage"]) for m in out["send"]] == [
        ("INV-2026-0012", "due"),
        ("INV-2026-0013", "pre_due"),
    ]
    ledger = origin_ledger(origin, tmp_path)
    assert sent_stages(ledger) == ALL_SENT  # recorded as sent: never repeated blindly
    assert cases(ledger, "delivery_unknown") == ["INV-2026-0007"]
    note = next(c.note for c in ledger.exceptions if c.reason == "delivery_unknown")
    assert "<INV-2026-0007.overdue_7@lindqvist-design.example>" in (note or "")


FAULTS = {
    # harbor-pine's address -> (what the server does, outcome of its three messages)
    "busy450": "not_sent",  # RCPT answered 450: try again tomorrow
    "reject554": "not_sent",  # DATA answered 554
    "dropmail": "not_sent",  # the server hangs up on RCPT, before any data
    "dropdata": "unknown",  # the server hangs up after taking the data
    "slowdata": "unknown",  # no answer to the data before the timeout
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_ledger_records_exactly_what_the_server_accepted(tmp_path: Path, smtp_server, fault: str) -> None:
    server = smtp_server()
    origin, (clone,) = with_origin(tmp_path)
    client = clone / "clients/harbor-pine.yaml"
    client.write_text(
        client.read_text().replace("payables@harborandpine.example", f"{fault}@harborandpine.example")
    )
    (clone / NEXT_DRAFT_PATH).write_text(NEXT_DRAFT)
    commit_all(clone, f"harbor-pine's address triggers {fault}; one more approved draft")
    env = smtp_env(server, LEDGEROPS_SMTP_TIMEOUT="1")
    code, out, _ = finish(start("run", clone, "--transport", "smtp", env=env))
    assert code == 1
    harbor = {("INV-2026-0015", "invoice"), ("INV-2026-0012", "due"), ("INV-2026-0013", "pre_due")}
    errors = {(e["invoice"], e["stage"], e["status"]) for e in out["errors"]}
    ledger = origin_ledger(origin, tmp_path)
    received = {str(r.message["Message-ID"]) for r in server.received}
    next_invoice = "<INV-2026-0016.invoice@lindqvist-design.example>"
    if FAULTS[fault] == "unknown":  # the server took them: recorded as sent, and a person checks
        assert errors == {(invoice, stage, "unknown") for invoice, stage in harbor}
        assert received == {*EXPECTED, next_invoice}  # 0015 counts as issued, so 0016 may follow
        assert sent_stages(ledger) == ALL_SENT + Counter({("INV-2026-0016", "invoice"): 1})
        assert cases(ledger, "delivery_unknown") == ["INV-2026-0012", "INV-2026-0013", "INV-2026-0015"]
    else:  # nothing of harbor-pine's left: nothing recorded, all tried again next run
        assert errors == {(invoice, stage, "not_sent") for invoice, stage in harbor}
        # INV-2026-0015 keeps its number; the next draft waits for nobody and takes 0016.
        assert received == {"<INV-2026-0007.overdue_7@lindqvist-design.example>", next_invoice}
        assert sent_stages(ledger) == Counter(
            {("INV-2026-0007", "overdue_7"): 1, ("INV-2026-0016", "invoice"): 1}
        )
        unsent = next(inv for inv in ledger.invoices if inv.id == "INV-2026-0015")
        assert (unsent.status, unsent.drafted_as, unsent.claims) == (
            "draft",
            "DRAFT-harbor-pine-SOCIAL-M2",
            (),
        )
        assert cases(ledger, "delivery_unknown") == []
        assert {inv.id for inv in ledger.invoices if inv.status == "draft"} == {"INV-2026-0015"}


@pytest.mark.slow
def test_without_a_remote_runs_in_one_clone_take_turns(tmp_path: Path) -> None:
    _, (clone,) = with_origin(tmp_path)
    git(clone, "remote", "remove", "origin")
    results = [finish(run) for run in [start("run", clone), start("run", clone)]]
    assert [code for code, _, _ in results] == [0, 0]
    assert sorted(p.name for p in (clone / "outbox").iterdir()) == sorted(m[1:-1] + ".eml" for m in EXPECTED)
    ledger = load(Context(clone, SENT_DAY)).ledger
    assert sent_stages(ledger) == ALL_SENT
    assert sum(len(out["send"]) + len(out["invoices"]) for _, out, _ in results) == 4


def test_claims_left_by_other_runs(tmp_path: Path) -> None:
    """A stale claim (its run is gone) is settled as unknown; a fresh one from another host
    belongs to a run that may be sending right now, and is left alone."""
    _, (clone,) = with_origin(tmp_path)
    claims = {
        "INV-2026-0012": "{stage: due, claimed_at: 2026-11-27T23:59:59+01:00, run: \"elsewhere:7\", "
                         "message_id: \"<INV-2026-0012.due@lindqvist-design.example>\"}",
        "INV-2026-0013": "{stage: pre_due, claimed_at: 2026-11-26T08:00:00+01:00, run: \"elsewhere:8\", "
                         "message_id: \"<INV-2026-0013.pre_due@lindqvist-design.example>\"}",
    }  # fmt: skip
    for invoice, claim in claims.items():
        path = clone / f"invoices/2026/{invoice}.yaml"
        path.write_text(path.read_text() + f"claims:\n  - {claim}\n")
    commit_all(clone, "claims of other runs")
    check = run_cli("check", "--ledger", str(clone), "--today", "2026-11-27")
    assert check.returncode == 0 and check.stdout.count("pending-claim") == 2
    code, out, err = finish(start("run", clone))
    assert code == 0, err
    assert {(m["invoice"], m["stage"]) for m in out["send"]} == {("INV-2026-0007", "overdue_7")}
    ledger = load(Context(clone, SENT_DAY)).ledger
    fresh = next(inv for inv in ledger.invoices if inv.id == "INV-2026-0012")
    assert [c.run for c in fresh.claims] == ["elsewhere:7"]
    settled = next(inv for inv in ledger.invoices if inv.id == "INV-2026-0013")
    assert settled.claims == () and [r.stage for r in settled.reminders][-1] == "pre_due"
    assert cases(ledger, "delivery_unknown") == ["INV-2026-0013"]
