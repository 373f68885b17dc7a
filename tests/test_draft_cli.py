"""`ledgerops draft` from the three event sources, as the workflow and a person run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TODAY = "2026-11-27"
GITHUB = Path(__file__).resolve().parent / "fixtures" / "github"


def _draft(ledger: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("draft", "--ledger", str(ledger), "--today", TODAY, "--format", "json", *args)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def test_an_event_file_in_yaml(example: Path, tmp_path: Path) -> None:
    event = tmp_path / "event.yaml"
    event.write_text(
        "client: nordlicht\nproject: WEB\nmilestone: M2\ncompleted_on: 2026-11-26\npo_number: 00480\n"
    )
    code, result = _draft(example, "--event", str(event))
    assert code == 0 and result["status"] == "drafted" and result["invoice"] == "DRAFT-nordlicht-WEB-M2"
    assert result["path"] == "invoices/drafts/DRAFT-nordlicht-WEB-M2.yaml"  # no number until it is issued
    text = (example / result["path"]).read_text()
    assert 'po_number: "00480"\n' in text  # leading zeros kept, written quoted
    assert "issue_date: 2026-11-26\ndue_date: 2026-12-26\n" in text
    assert result["total"] == "9282.00" and result["notes"] == [
        "segment 'strategic' needs a review before the draft is merged"
    ]


def test_an_event_file_in_json_with_its_own_amount(example: Path, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"client": "brotwerk", "project": "SHOP", "milestone": "M2"})[:-1] + ', "amount": 990.00}'
    )
    code, result = _draft(example, "--event", str(event))
    assert code == 0 and result["total"] == "1178.10"  # 990.00 + 19 %
    assert "unit_price: 990.00\n" in (example / result["path"]).read_text()


@pytest.mark.parametrize(
    ("payload", "invoice", "issue_date"),
    [("milestone_closed.json", "DRAFT-harbor-pine-CAT27-M3", "2026-11-27"),  # closed 23:12 UTC = 00:12 in Berlin
     ("issue_closed_billable.json", "DRAFT-nordlicht-WEB-M1", "2026-11-27"),
     ("repository_dispatch.json", "DRAFT-kaze-robotics-IREX-M2", "2026-11-27")],
)  # fmt: skip
def test_github_event_payloads(example: Path, payload: str, invoice: str, issue_date: str) -> None:
    code, result = _draft(example, "--github-event", str(GITHUB / payload))
    assert code == 0 and result["status"] == "drafted"
    assert (result["invoice"], result["issue_date"]) == (invoice, issue_date)
    assert run_cli("check", "--ledger", str(example), "--today", TODAY).returncode == 0


def test_a_github_event_that_is_not_billable_is_ignored_and_writes_nothing(
    example: Path, tmp_path: Path
) -> None:
    payload = json.loads((GITHUB / "issue_closed_billable.json").read_text())
    payload["issue"]["labels"] = [{"name": "bug"}]
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    before = snapshot(example)
    result = run_cli("draft", "--ledger", str(example), "--today", TODAY, "--github-event", str(path))
    assert (
        result.returncode == 0 and "nothing to draft: issue #42 is not labelled 'billable'" in result.stdout
    )
    assert snapshot(example) == before


def test_the_same_milestone_never_gets_a_second_draft(example: Path) -> None:
    args = (
        "--client",
        "harbor-pine",
        "--project",
        "SOCIAL",
        "--milestone",
        "M2",
    )  # the example's draft covers it
    before = snapshot(example)
    code, result = _draft(example, *args)
    assert code == 0 and result["status"] == "exists" and result["invoice"] == "DRAFT-harbor-pine-SOCIAL-M2"
    issued = (
        "--client",
        "harbor-pine",
        "--project",
        "SOCIAL",
        "--milestone",
        "M1",
    )  # INV-2026-0010 covers it
    code, result = _draft(example, *issued)
    assert code == 0 and result["status"] == "exists" and result["invoice"].startswith("INV-2026-")
    assert snapshot(example) == before


@pytest.mark.parametrize(
    ("event", "code"),
    [("client: nordlicht\nproject: WEB\n", "event-invalid"),
     ("client: nordlicht\nproject: WEB\nmilestone: M1\nclient: other\n", "duplicate-key"),
     ("client: &c nordlicht\nproject: WEB\nmilestone: *c\n", "yaml-alias"),
     ("client: [unclosed\n", "yaml-syntax"),
     ('{"client": "nordlicht", "project": "WEB", "milestone": "M1", "amount": 12.345}', "amount-precision"),
     ('{"client": "nordlicht", "project": "WEB"', "event-invalid"),
     ("client: umbrella\nproject: WEB\nmilestone: M1\n", "draft-unknown-client"),
     ("client: nordlicht\nproject: APP\nmilestone: M1\n", "draft-unknown-milestone"),
     ("client: nordlicht\nproject: WEB\nmilestone: M1\ncompleted_on: 2026-12-01\n", "draft-date")],
)  # fmt: skip
def test_bad_events_are_a_clear_error_and_change_no_file(
    example: Path, tmp_path: Path, event: str, code: str
) -> None:
    path = tmp_path / ("event.json" if event.startswith("{") else "event.yaml")
    path.write_text(event)
    before = snapshot(example)
    result = run_cli("draft", "--ledger", str(example), "--today", TODAY, "--event", str(path))
    assert result.returncode == 1, result.stderr
    assert f"error {code}:" in result.stdout and "fix:" in result.stdout
    assert snapshot(example) == before


def test_a_milestone_without_an_amount_is_an_error(example: Path) -> None:
    client = example / "clients/brotwerk.yaml"
    client.write_text(client.read_text().replace("amount: 950.00, ", ""))
    before = snapshot(example)
    result = run_cli("draft", "--ledger", str(example), "--today", TODAY, "--client", "brotwerk",
                     "--project", "SHOP", "--milestone", "M2")  # fmt: skip
    assert result.returncode == 1 and "draft-no-amount" in result.stdout
    assert snapshot(example) == before


@pytest.mark.parametrize(
    "args",
    [("--client", "nordlicht"),
     ("--client", "nordlicht", "--project", "WEB", "--milestone", "M1", "--event", "x.yaml"),
     ()],
)  # fmt: skip
def test_one_event_source_at_a_time(example: Path, args: tuple) -> None:
    result = run_cli("draft", "--ledger", str(example), "--today", TODAY, *args)
    assert result.returncode == 2 and result.stderr.startswith("ledgerops: error:")


def test_a_po_number_from_the_command_line_is_kept_as_written(example: Path) -> None:
    code, result = _draft(
        example, "--client", "nordlicht", "--project", "WEB", "--milestone", "M3", "--po", "0099"
    )
    assert code == 0 and 'po_number: "0099"\n' in (example / result["path"]).read_text()
    assert result["notes"] == ["segment 'strategic' needs a review before the draft is merged"]
    bad = run_cli("draft", "--ledger", str(example), "--today", TODAY, "--client", "nordlicht", "--project", "WEB",
                  "--milestone", "M2", "--po", "1\nBcc: x@y.z")  # fmt: skip
    assert bad.returncode == 2 and "--po must be the PO number on one line" in bad.stderr
