"""Event files and GitHub payloads become one milestone event, or say why they cannot."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ledgerops.core.diagnostics import Source
from ledgerops.core.events import event_from_github, event_from_mapping

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "github"
SRC = Source("event")


def _payload(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


def test_an_event_file_with_every_key() -> None:
    data = {"client": "acme", "project": "WEB", "milestone": "M2", "completed_on": "2026-11-27",
            "po_number": "00457", "amount": "4000.00"}  # fmt: skip
    event = event_from_mapping(data, SRC).event
    assert event and (event.client, event.project, event.milestone) == ("acme", "WEB", "M2")
    assert (event.completed_on, event.po_number, event.amount) == (
        date(2026, 11, 27),
        "00457",
        Decimal("4000.00"),
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [([1, 2], "must be a mapping"),
     ({"client": "acme", "project": "WEB"}, "no 'milestone'"),
     ({"client": "acme", "project": "WEB", "milestone": "M2", "clinet": "x"}, "unknown key 'clinet'"),
     ({"client": "ac me", "project": "WEB", "milestone": "M2"}, "not an id"),
     ({"client": "acme", "project": "WEB", "milestone": "M2", "completed_on": "27.11.2026"}, "not a date"),
     ({"client": "acme", "project": "WEB", "milestone": "M2", "amount": "4.000,00"}, "not a decimal"),
     ({"client": "acme", "project": "WEB", "milestone": "M2", "amount": 4000.0}, "not a decimal"),
     ({"client": "acme", "project": "WEB", "milestone": "M2", "po_number": "1\nBcc: x"}, "on one line")],
)  # fmt: skip
def test_bad_event_files_are_event_invalid(data: object, words: str) -> None:
    parsed = event_from_mapping(data, SRC)
    assert parsed.event is None and parsed.diagnostics[0].code == "event-invalid"
    assert any(words in d.message for d in parsed.diagnostics)


def test_a_closed_milestone_titled_client_project_milestone() -> None:
    event = event_from_github(_payload("milestone_closed.json"), SRC).event
    assert event and (event.client, event.project, event.milestone) == ("harbor-pine", "CAT27", "M3")
    assert event.completed_at == datetime(2026, 11, 26, 23, 12, 5, tzinfo=UTC)
    assert event.po_number == "HP-2231"  # from the milestone's description


def test_a_closed_billable_issue_with_keys_in_its_body() -> None:
    event = event_from_github(_payload("issue_closed_billable.json"), SRC).event
    assert event and (event.client, event.project, event.milestone, event.po_number) == (
        "nordlicht", "WEB", "M1", "00480")  # fmt: skip


def test_a_billable_issue_from_an_issue_form() -> None:
    event = event_from_github(_payload("issue_form_billable.json"), SRC).event
    assert event and (event.client, event.project, event.milestone, event.po_number) == (
        "brotwerk", "SHOP", "M2", None)  # fmt: skip


def test_a_repository_dispatch_carries_the_event_keys() -> None:
    event = event_from_github(_payload("repository_dispatch.json"), SRC).event
    assert event and (event.client, event.project, event.milestone) == ("kaze-robotics", "IREX", "M2")


@pytest.mark.parametrize(
    ("name", "change", "words"),
    [("issue_closed_billable.json", {"labels": []}, "not labelled 'billable'"),
     ("issue_closed_billable.json", {"state_reason": "not_planned"}, "closed as not planned"),
     ("milestone_closed.json", {"title": "Q4 release"}, "not titled <client>/<project>/<milestone>")],
)  # fmt: skip
def test_events_that_are_not_about_a_delivered_milestone_are_ignored(
    name: str, change: dict, words: str
) -> None:
    payload = _payload(name)
    payload["issue" if "issue" in payload else "milestone"].update(change)
    parsed = event_from_github(payload, SRC)
    assert parsed.event is None and parsed.diagnostics == () and words in (parsed.ignored or "")


def test_a_reopened_milestone_is_ignored() -> None:
    payload = {**_payload("milestone_closed.json"), "action": "opened"}
    assert "not 'closed'" in (event_from_github(payload, SRC).ignored or "")


def test_a_billable_issue_without_the_keys_is_an_error() -> None:
    payload = _payload("issue_closed_billable.json")
    payload["issue"]["body"] = "Delivered, see the PR."
    parsed = event_from_github(payload, SRC)
    assert parsed.event is None and "no client, project, milestone" in parsed.diagnostics[0].message


def test_a_payload_of_another_kind_is_an_error() -> None:
    parsed = event_from_github({"ref": "refs/heads/main", "commits": []}, SRC)
    assert parsed.diagnostics[0].code == "event-invalid"
