"""Bad input at the command line and in the ledger, as a user types it: refused with a plain
message and a position, never written as a record that `check` then rejects, never echoed
raw or in full. Every case runs the real `ledgerops` command on a real ledger."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import copy_example, run_cli, snapshot

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process

TODAY = ("--today", "2026-11-27")
INVOICE = "invoices/2026/INV-2026-0009.yaml"  # nordlicht's, sent and unpaid


@pytest.fixture
def books(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "books")


def _refused(root: Path, *args: str) -> str:
    """The command exits 2, changes no file, prints no traceback; its stderr."""
    before = snapshot(root)
    result = run_cli(*args, "--ledger", str(root), *TODAY)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert snapshot(root) == before
    return result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("exception", "open", "INV-2026-0009", "--reason", "promise_to_pay"),
        ("pause", "nordlicht", "--reason", "promise_to_pay"),
    ],
)
def test_an_until_date_check_would_refuse_is_refused_by_the_command(
    books: Path, command: tuple[str, ...]
) -> None:
    message = _refused(books, *command, "--until", "3000-01-01")
    assert "a year between 1900 and 2999" in message
    accepted = run_cli(*command, "--until", "2999-12-31", "--ledger", str(books), *TODAY)
    assert accepted.returncode == 0, accepted.stderr
    check = run_cli("check", "--ledger", str(books), *TODAY)
    assert check.returncode == 0, check.stdout  # what the command writes, check accepts


def test_dates_of_other_commands_are_bounded_the_same_way(books: Path) -> None:
    assert "a year between 1900 and 2999" in _refused(
        books, "pay", "INV-2026-0009", "--amount", "1.00", "--date", "3026-11-27", "--no-commit"
    )
    assert "a year between 1900 and 2999" in _refused(books, "void", "INV-2026-0009", "--reason", "x",
                                                      "--date", "1899-12-31", "--no-commit")  # fmt: skip


def test_an_invoice_file_with_a_yaml_error_is_reported_with_its_position(books: Path) -> None:
    path = books / INVOICE
    path.write_text(path.read_text().replace("currency: EUR", "currency: [EUR", 1))
    for command in (
        ("exception", "open", "INV-2026-0009", "--reason", "dispute"),
        ("pause", "INV-2026-0009", "--reason", "promise_to_pay", "--until", "2026-12-10"),
        ("pause", "nordlicht", "--reason", "promise_to_pay", "--until", "2026-12-10"),  # never skipped
    ):
        message = _refused(books, *command)
        assert f"{INVOICE}:" in message and "yaml-syntax" in message, message
        assert "there is no invoice" not in message and "neither" not in message


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("void", "INV-2026-0009", "--no-commit", "--reason"), "--reason"),
        (("void", "INV-2026-0009", "--no-commit", "--reason", "typo", "--by"), None),
        (("exception", "open", "INV-2026-0009", "--reason", "dispute", "--note"), "--note"),
        (("exception", "open", "INV-2026-0009", "--reason", "dispute", "--by"), "--by"),
        (("pause", "nordlicht", "--reason", "dispute", "--until", "2026-12-10", "--note"), "--note"),
        (
            ("pay", "INV-2026-0009", "--amount", "1.00", "--date", "2026-11-27", "--no-commit", "--ref"),
            "--ref",
        ),
    ],
)
@pytest.mark.parametrize(
    "bad", ["line one\r\nBcc: x@evil.example", "red \x1b[31malert", "bell\x07", "tab\there"]
)
def test_free_text_with_a_line_break_or_control_character_is_refused_plainly(
    books: Path, command: tuple[str, ...], option: str | None, bad: str
) -> None:
    if option is None:  # void has no --by: click says so, without echoing the value raw
        message = _refused(books, *command, bad)
        assert "\x1b" not in message and "\r" not in message
        return
    message = _refused(books, *command, bad)
    assert (
        message.startswith(f"ledgerops: error: {option} must be one line of text")
        and message.count("\n") == 1
    )
    assert "more than intended" not in message and "\x1b" not in message


@pytest.mark.parametrize(
    "command",
    [
        ("void", "INV-2026-0009", "--no-commit", "--reason", ""),
        ("void", "INV-2026-0009", "--no-commit", "--reason", "   "),
        ("exception", "resolve", "EXC-2026-0001", "--resolution", ""),
        ("exception", "open", "INV-2026-0009", "--reason", "dispute", "--by", ""),
    ],
)
def test_an_empty_reason_is_refused(books: Path, command: tuple[str, ...]) -> None:
    assert "must not be empty" in _refused(books, *command)


def test_error_messages_escape_control_characters_and_cap_what_they_repeat(books: Path) -> None:
    huge = "\x1b[2J" + "x" * 10_000
    message = _refused(books, "exception", "open", "INV-2026-0009", "--reason", huge)
    assert "\x1b" not in message and "\\e[2J" in message
    assert len(message) < 1200 and "characters)" in message
    message = _refused(books, "void", huge, "--reason", "typo", "--no-commit")
    assert "\x1b" not in message and len(message) < 1200


def test_an_unsupported_payment_method_is_reported(books: Path) -> None:
    policy = books / "policy.yaml"
    policy.write_text(policy.read_text().replace("[bank_transfer, card]", "[bank_transfer, card, bitcoin]"))
    result = run_cli("check", "--ledger", str(books), *TODAY, "--format", "json")
    assert result.returncode == 0, result.stdout
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "unsupported-payment-method"]
    assert [(d["file"], d["line"], d["severity"]) for d in found] == [("policy.yaml", 19, "warning")]
    assert "bitcoin" in found[0]["message"]


def _types(schema: dict[str, Any], value: Any) -> bool:
    """Whether a value has one of the JSON types the schema allows (as an editor checks it)."""
    allowed = schema.get("type")
    if allowed is None:
        return True
    names = [allowed] if isinstance(allowed, str) else allowed
    if isinstance(value, date):  # a date is a string to YAML 1.2; ruamel's loader converts it
        value = value.isoformat()
    kinds = {
        "string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list,
    }  # fmt: skip
    return any(isinstance(value, kinds[name]) and not (name != "boolean" and value is True) for name in names)


def test_an_unquoted_po_number_passes_check_and_the_editor_schema_alike(books: Path) -> None:
    path = books / INVOICE
    text = path.read_text()
    assert "po_number:" in text
    lines = [("po_number: 00471" if line.startswith("po_number:") else line) for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    check = run_cli("check", "--ledger", str(books), *TODAY, "--format", "json")
    assert check.returncode == 0, check.stdout
    schema = json.loads(run_cli("schema", "invoice").stdout)
    data = YAML(typ="safe").load(path.read_text())  # YAML 1.2, as the editor's YAML extension reads it
    assert data["po_number"] == 471  # the editor sees a number; check keeps the text "00471"
    for key, value in data.items():
        if key in schema["properties"] and not isinstance(value, (dict, list)):
            assert _types(schema["properties"][key], value), (key, value)
    client = json.loads(run_cli("schema", "client").stdout)
    assert _types(client["properties"]["id"], 123) and _types(client["properties"]["name"], 471)


# (what to break, the code check reports there): field errors and the policy's own rules
POLICY_BREAKS = [
    ("currency: EUR ", "currency: XYZ ", "invalid-policy"),
    ("default_days: 30", "default_days: 45", "invalid-policy"),
    ("min_gap_days: 2", "min_gap_days: -1", "invalid-policy"),
    ("timezone: Europe/Berlin", "timezone: Mars/Olympus", "invalid-timezone"),
    ("grace_days: 7", "grace_days: lots", "wrong-type"),
    ("weekday: friday", "weekday: funday", "invalid-value"),
    ("drift_weeks: 2", "drift_weeks: 2\n  colour: red", "unknown-key"),
    ("    - final_escalation\n", "", "invalid-policy"),
]


def _policy_errors(root: Path) -> list[str]:
    result = run_cli("check", "--ledger", str(root), *TODAY, "--format", "json")
    found = json.loads(result.stdout)["diagnostics"]
    return sorted(d["code"] for d in found if d["file"] == "policy.yaml" and d["severity"] == "error")


def test_policy_errors_are_reported_in_one_round(books: Path) -> None:
    policy = books / "policy.yaml"
    good = policy.read_text()
    broken = good
    for old, new, _ in POLICY_BREAKS:
        assert old in broken, old
        broken = broken.replace(old, new, 1)
    policy.write_text(broken)
    assert _policy_errors(books) == sorted(code for _, _, code in POLICY_BREAKS)
    # Fixing the wrong fields alone brings no error into view that was not reported.
    for old, new, code in POLICY_BREAKS:
        if code in ("wrong-type", "invalid-value", "unknown-key"):
            broken = broken.replace(new, old, 1)
    policy.write_text(broken)
    assert _policy_errors(books) == sorted(
        c for _, _, c in POLICY_BREAKS if c in ("invalid-policy", "invalid-timezone")
    )


def test_a_wrong_field_does_not_make_up_errors_in_the_rules_that_read_it(books: Path) -> None:
    policy = books / "policy.yaml"
    text = policy.read_text().replace("currency: EUR ", "currency: USD ", 1)
    policy.write_text(text.replace("currencies: [EUR, USD, JPY]", "currencies: {EUR: 1}", 1))
    # With currencies unread, "USD is not in currencies" would be the default's doing.
    assert _policy_errors(books) == ["wrong-type"]


def test_a_control_character_in_any_text_field_of_a_file_is_an_error(books: Path) -> None:
    path = books / INVOICE
    path.write_text(path.read_text() + 'note: "Thanks \\e[2J for the order"\n')
    result = run_cli("check", "--ledger", str(books), *TODAY, "--format", "json")
    assert result.returncode == 1
    found = [
        (d["code"], d["file"]) for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"
    ]
    assert found == [("unsafe-text", INVOICE)]
