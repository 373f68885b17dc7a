"""Numbers are taken at issue (docs/spec.md §5.4), shown with real git repositories, a bare
origin and real `ledgerops` processes: drafts carry no number, so branches never collide;
a waiting draft waits alone; racing runs never take one number twice nor leave a gap; case
ids never collide across branches and runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli

from .ledgers import DAY, commit_all, finish, git, origin_ledger, smtp_env, start, with_origin

pytestmark = pytest.mark.slow  # git remotes and ledgerops processes

IDENTITY = ("-c", "user.name=Founder", "-c", "user.email=founder@example.invalid")


def _draft(clone: Path, client: str, project: str, milestone: str, *extra: str) -> str:
    done = run_cli("draft", "--ledger", str(clone), "--today", DAY, "--client", client, "--project", project,
                   "--milestone", milestone, "--format", "json", *extra)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return str(re.search(r'"path": "([^"]+)"', done.stdout)[1])  # type: ignore[index]


def _issued(ledger) -> dict[str, str]:
    """Draft id -> the number it was issued as."""
    return {inv.drafted_as: inv.id for inv in ledger.invoices if inv.drafted_as}


def test_a_draft_waiting_for_its_po_does_not_delay_another_clients_draft(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    _draft(clone, "nordlicht", "WEB", "M1")  # nordlicht requires a PO, and this draft has none
    commit_all(clone, "approve nordlicht WEB/M1 (no PO yet)")
    _draft(clone, "brotwerk", "SHOP", "M2")
    commit_all(clone, "approve brotwerk SHOP/M2")

    done = run_cli(
        "send", "--ledger", str(clone), "--today", DAY, "--format", "json", "--transport", "outbox"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [(row["invoice"], row["draft"]) for row in report["sent"]] == [
        ("INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2"),
        ("INV-2026-0016", "DRAFT-brotwerk-SHOP-M2"),  # approved after the waiting one, sent anyway
    ]
    assert [(row["invoice"], row["code"]) for row in report["blocked"]] == [
        ("DRAFT-nordlicht-WEB-M1", "send-po-missing")
    ]
    ledger = origin_ledger(origin, tmp_path)
    assert _issued(ledger) == {
        "DRAFT-harbor-pine-SOCIAL-M2": "INV-2026-0015",
        "DRAFT-brotwerk-SHOP-M2": "INV-2026-0016",
    }
    assert [inv.id for inv in ledger.invoices if inv.path.startswith("invoices/drafts/")] == [
        "DRAFT-nordlicht-WEB-M1"
    ]

    # The PO arrives: the waiting draft is issued next, after every number taken meanwhile.
    draft = clone / "invoices/drafts/DRAFT-nordlicht-WEB-M1.yaml"
    draft.write_text(draft.read_text().replace("currency: EUR\n", 'currency: EUR\npo_number: "00481"\n'))
    commit_all(clone, "PO 00481 for WEB/M1")
    assert run_cli("send", "--ledger", str(clone), "--today", DAY, "--transport", "outbox").returncode == 0
    again = tmp_path / "again"
    again.mkdir()
    assert _issued(origin_ledger(origin, again))["DRAFT-nordlicht-WEB-M1"] == "INV-2026-0017"


def test_drafts_from_two_branches_merge_cleanly_and_are_numbered_as_merged(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    for branch, (client, project, milestone) in {
        "draft-cat27": ("harbor-pine", "CAT27", "M3"),
        "draft-shop": ("brotwerk", "SHOP", "M2"),
    }.items():
        git(clone, "switch", "-q", "-c", branch, "main")
        _draft(clone, client, project, milestone)
        git(clone, "add", "-A")
        git(clone, *IDENTITY, "commit", "-q", "-m", f"draft {project}/{milestone}")
    git(clone, "switch", "-q", "main")
    for branch in ("draft-shop", "draft-cat27"):  # the second pull request merged first
        git(clone, *IDENTITY, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)  # no conflict
    git(clone, "push", "-q", "origin", "main")

    code, out, err = finish(start("run", clone))
    assert code == 0, err
    assert [(row["invoice"], row["draft"]) for row in out["invoices"]] == [
        ("INV-2026-0015", "DRAFT-harbor-pine-SOCIAL-M2"),
        ("INV-2026-0016", "DRAFT-brotwerk-SHOP-M2"),
        ("INV-2026-0017", "DRAFT-harbor-pine-CAT27-M3"),
    ]
    ledger = origin_ledger(origin, tmp_path)  # check passes: gap-free, in date order
    assert [inv.issue_date.isoformat() for inv in ledger.invoices if inv.drafted_as] == [DAY] * 3


def test_two_runs_racing_over_three_drafts_take_each_number_once_and_leave_no_gap(
    tmp_path: Path, smtp_server
) -> None:
    server = smtp_server()
    origin, clones = with_origin(tmp_path, clones=2)
    _draft(clones[0], "harbor-pine", "CAT27", "M3")
    _draft(clones[0], "brotwerk", "SHOP", "M2")
    commit_all(clones[0], "approve two more drafts")
    env = smtp_env(server)
    racing = [start("send", clones[0], "--transport", "smtp", env=env),
              start("run", clones[1], "--transport", "smtp", env=env)]  # fmt: skip
    results = [finish(process) for process in racing]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    ledger = origin_ledger(origin, tmp_path)  # `check` passes on what origin holds
    issued = _issued(ledger)
    assert sorted(issued.values()) == ["INV-2026-0015", "INV-2026-0016", "INV-2026-0017"]
    assert len(set(issued)) == 3 and not list((tmp_path / "verify/invoices/drafts").glob("*.yaml"))
    invoice_emails = [
        str(r.message["Message-ID"]) for r in server.received if ".invoice@" in str(r.message["Message-ID"])
    ]
    assert sorted(invoice_emails) == [
        f"<INV-2026-00{n}.invoice@lindqvist-design.example>" for n in (15, 16, 17)
    ]
    reported = [
        row["invoice"] for _, out, _ in results for row in out.get("sent", []) + out.get("invoices", [])
    ]
    assert sorted(reported) == [
        "INV-2026-0015",
        "INV-2026-0016",
        "INV-2026-0017",
    ]  # each by the one that sent it


def test_a_draft_with_a_number_is_refused_with_the_fix_and_nothing_is_sent(tmp_path: Path) -> None:
    _, (clone,) = with_origin(tmp_path)
    path = _draft(clone, "brotwerk", "SHOP", "M2")
    text = (clone / path).read_text().replace("id: DRAFT-brotwerk-SHOP-M2", "id: INV-2026-0018")
    (clone / path).unlink()
    (clone / "invoices/2026/INV-2026-0018.yaml").write_text(text)  # written by hand, skipping 0015..0017
    commit_all(clone, "a hand-numbered draft")
    checked = run_cli("check", "--ledger", str(clone), "--today", DAY)
    assert checked.returncode == 1
    assert "invoices/2026/INV-2026-0018.yaml:1:5: error draft-numbered:" in checked.stdout
    assert (
        "move it to invoices/drafts/DRAFT-brotwerk-SHOP-M2.yaml with id: DRAFT-brotwerk-SHOP-M2"
        in checked.stdout
    )
    before = git(clone, "rev-parse", "HEAD")
    refused = run_cli("run", "--ledger", str(clone), "--today", DAY, "--transport", "outbox")
    assert refused.returncode == 2 and "nothing was changed" in refused.stderr
    assert git(clone, "rev-parse", "HEAD") == before and not (clone / "outbox").exists()


def test_a_case_opened_on_a_branch_and_one_opened_by_the_run_merge_without_conflict(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    git(clone, "switch", "-q", "-c", "dispute", "main")
    opened = run_cli("exception", "open", "INV-2026-0012", "--ledger", str(clone), "--today", DAY,
                     "--reason", "dispute", "--note", "hours on line 2")  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    assert git(clone, "status", "--porcelain") == ""  # committed on the branch, not pushed
    assert "dispute" not in git(clone, "branch", "--remotes")
    git(clone, "switch", "-q", "main")

    code, out, err = finish(start("run", clone))  # opens the final_escalation case of INV-2026-0006
    assert code == 0, err
    git(clone, *IDENTITY, "merge", "-q", "--no-ff", "-m", "Merge dispute", "dispute")  # no add/add conflict
    git(clone, "push", "-q", "origin", "main")
    ledger = origin_ledger(origin, tmp_path)
    new = sorted((c.id, c.reason) for c in ledger.exceptions if c.opened_at.isoformat() == DAY)
    assert [reason for _, reason in new] in (["dispute", "final_escalation"], ["final_escalation", "dispute"])
    assert all(re.fullmatch(r"EXC-20261127-[0-9a-f]{6}", case_id) for case_id, _ in new)
    assert out["exceptions_opened"] == [case_id for case_id, reason in new if reason == "final_escalation"]
