"""Round-trip edits keep every byte the edit did not mean to change."""

from __future__ import annotations

import difflib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ledgerops.yamlfile.edit import AppendItem, EditRefused, RemoveKey, SetValue, edit_text, new_text
from ledgerops.yamlfile.read import read_record
from ledgerops.yamlfile.schema import INVOICE

ROOT = Path(__file__).resolve().parents[2]
ORDER = [field.key for field in INVOICE.fields]
BERLIN = timezone(timedelta(hours=1))
EXAMPLES = sorted(
    str(path.relative_to(ROOT))
    for pattern in ("policy.yaml", "clients/*.yaml", "invoices/*/*.yaml", "exceptions/*.yaml",
                    "ledgerops/skeleton/**/*.yaml")
    for path in ROOT.glob(pattern)
)  # fmt: skip


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("path", EXAMPLES)
def test_no_change_is_byte_identical(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert edit_text(text, []) == text


def test_append_payment_adds_one_flow_line_and_keeps_comments() -> None:
    text = (ROOT / "invoices/2026/INV-2026-0004.yaml").read_text(encoding="utf-8")
    payment = {
        "date": date(2026, 11, 30),
        "amount": Decimal("1546.00"),
        "method": "bank_transfer",
        "ref": None,
    }
    edited = edit_text(text, [AppendItem.of("payments", payment)], ORDER)
    assert _changed_lines(text, edited) == ["+  - {date: 2026-11-30, amount: 1546.00, method: bank_transfer}"]
    assert "# instalments agreed with Henrik" in edited
    assert edited.endswith('after the Christmas sales start."\n')


def test_reminder_append_keeps_quoted_po_number() -> None:
    text = (ROOT / "invoices/2026/INV-2026-0006.yaml").read_text(encoding="utf-8")
    sent = datetime(2026, 11, 27, 8, 17, 2, tzinfo=BERLIN)
    item = {"stage": "final_notice", "sent_at": sent, "message_id": "<INV-2026-0006.final_notice@x.example>"}
    edited = edit_text(text, [AppendItem.of("reminders", item)], ORDER)
    assert 'po_number: "00457"              # leading zeros matter' in edited
    assert _changed_lines(text, edited) == [
        "+  - {stage: final_notice, sent_at: 2026-11-27T08:17:02+01:00, "
        'message_id: "<INV-2026-0006.final_notice@x.example>"}'
    ]
    record, problems = read_record("invoices/2026/INV-2026-0006.yaml", edited.encode(), INVOICE)
    assert problems == [] and record.po_number == "00457" and record.reminders[-1].sent_at == sent


def test_marking_a_draft_sent_inserts_sent_at_after_status() -> None:
    text = (ROOT / "invoices/drafts/DRAFT-harbor-pine-SOCIAL-M2.yaml").read_text(encoding="utf-8")
    sent = datetime(2026, 11, 27, 9, 5, tzinfo=BERLIN)
    edited = edit_text(text, [SetValue("status", "sent"), SetValue("sent_at", sent)], ORDER)
    assert _changed_lines(text, edited) == [
        "-status: draft",
        "+status: sent",
        "+sent_at: 2026-11-27T09:05:00+01:00",
    ]


def test_new_key_goes_to_its_documented_place() -> None:
    text = "id: X\nclient: c\nlines: []\nstatus: sent\nnotes: keep me last\n"
    edited = edit_text(text, [SetValue("status", "void"), SetValue("voided_at", date(2026, 1, 2))], ORDER)
    assert edited == "id: X\nclient: c\nlines: []\nstatus: void\nvoided_at: 2026-01-02\nnotes: keep me last\n"


def test_removing_hold_drops_only_that_line() -> None:
    text = (ROOT / "invoices/2026/INV-2026-0011.yaml").read_text(encoding="utf-8")
    edited = edit_text(text, [RemoveKey("hold")], ORDER)
    assert len(_changed_lines(text, edited)) == 1
    assert "hold:" not in edited


def test_user_formatting_elsewhere_survives_where_ruamel_would_normalise_it() -> None:
    text = (
        "id:    INV-2026-0001   # spaced out\n"
        "client: acme\n"
        "status: draft   # set by the tool\n"
        "payments:\n"
        "- { date: 2026-01-05 , amount: 10.00 }\n"
        "notes:   {a:   1}\n"
    )
    edited = edit_text(text, [SetValue("status", "sent"), AppendItem.of("payments", {"date": date(2026, 2, 1),
                                                                                    "amount": Decimal("5")})])  # fmt: skip
    assert _changed_lines(text, edited) == [
        "-status: draft   # set by the tool",
        "+status: sent    # set by the tool",
        "+- {date: 2026-02-01, amount: 5}",
    ]


def test_block_style_items_stay_block_style() -> None:
    text = "id: X\npayments:\n  - date: 2026-01-05\n    amount: 10.00\n"
    edited = edit_text(
        text, [AppendItem.of("payments", {"date": date(2026, 2, 1), "amount": Decimal("2.50")})]
    )
    assert edited == text + "  - date: 2026-02-01\n    amount: 2.50\n"


def test_windows_line_endings_are_kept() -> None:
    text = "id: X\r\nstatus: draft\r\n"
    assert edit_text(text, [SetValue("status", "sent")]) == "id: X\r\nstatus: sent\r\n"


@pytest.mark.parametrize(
    ("value", "written"),
    [("00457", '"00457"'), ("no", '"no"'), ("2026-01-01", '"2026-01-01"'), ("SEPA 1234", "SEPA 1234"),
     ("a: b", "\"a: b\""), (Decimal("9600"), "9600"), (Decimal("0.50"), "0.50"), (True, "true")],
)  # fmt: skip
def test_values_are_written_so_they_read_back_as_given(value: object, written: str) -> None:
    assert edit_text("id: X\n", [SetValue("ref", value)]) == f"id: X\nref: {written}\n"


def test_setting_a_list_key_to_a_value_is_refused() -> None:
    with pytest.raises(EditRefused, match="'lines' holds a list"):
        edit_text("id: X\nlines:\n  - {a: 1}\n", [SetValue("lines", "x")])


def test_appending_to_a_scalar_is_refused() -> None:
    with pytest.raises(EditRefused, match="not a list"):
        edit_text("id: X\npayments: none\n", [AppendItem.of("payments", {"amount": Decimal(1)})])


@pytest.mark.parametrize("text", ["- a\n- b\n", "id: [unclosed\n"])
def test_a_file_that_is_not_a_mapping_is_refused(text: str) -> None:
    with pytest.raises(EditRefused):
        edit_text(text, [SetValue("status", "sent")])


def test_new_file_reads_back_as_the_record() -> None:
    values = {
        "id": "INV-2026-0016",
        "client": "nordlicht",
        "project": "WEB",
        "milestone": "M1",
        "issue_date": date(2026, 11, 27),
        "due_date": date(2026, 12, 27),
        "currency": "EUR",
        "po_number": "00480",
        "lines": [{"description": "Concept: wireframes", "quantity": Decimal(1),
                   "unit_price": Decimal("5200.00"), "tax_rate": Decimal(19)}],
        "status": "draft",
        "hold": None,
    }  # fmt: skip
    text = new_text(values)
    assert text.splitlines()[7:10] == [
        'po_number: "00480"',
        "lines:",
        '  - description: "Concept: wireframes"',
    ]
    record, problems = read_record("invoices/2026/INV-2026-0016.yaml", text.encode(), INVOICE)
    assert problems == []
    assert record.po_number == "00480" and record.lines[0].unit_price == Decimal("5200.00")
    assert "hold" not in text


def test_new_file_with_multiline_text_and_flow_items() -> None:
    text = new_text(
        {"id": "E", "note": "line one\nline two", "items": [{"a": Decimal("1.0")}]}, flow_keys=["items"]
    )
    assert text == "id: E\nnote: |\n  line one\n  line two\nitems:\n  - {a: 1.0}\n"


def test_a_file_with_a_duplicate_key_is_refused_not_guessed() -> None:
    with pytest.raises(EditRefused):
        edit_text("id: X\nstatus: draft\nstatus: sent\n", [SetValue("status", "void")])


def test_an_appended_value_is_quoted_like_the_same_key_one_item_up() -> None:
    text = "payments:\n  - {date: 2026-01-05, amount: 10.00, ref: 'SEPA 1'}\n"
    item = {"date": date(2026, 2, 1), "amount": Decimal("5.00"), "ref": "SEPA 2", "method": "card"}
    edited = edit_text(text, [AppendItem.of("payments", item)])
    assert edited == text + "  - {date: 2026-02-01, amount: 5.00, ref: 'SEPA 2', method: card}\n"


PAYMENT = {"date": date(2026, 11, 21), "amount": Decimal("10.00")}
LINE = "{description: Design, quantity: 1, unit_price: 100.00, tax_rate: 19}"


@pytest.mark.parametrize(
    ("lines", "payments", "added"),
    [
        # lines at 2, payments at 0 in block style (the reviewer's case)
        (f"  - {LINE}\n", "- date: 2026-11-10\n  amount: 100.00\n", "- date: 2026-11-21\n  amount: 10.00\n"),
        # lines at 2, payments at 4
        (f"  - {LINE}\n", "    - {date: 2026-11-10, amount: 100.00}\n", "    - {date: 2026-11-21, amount: 10.00}\n"),
        # lines at 0, payments at 2
        (f"- {LINE}\n", "  - {date: 2026-11-10, amount: 100.00}\n", "  - {date: 2026-11-21, amount: 10.00}\n"),
        # lines at 4 in block style, payments at 0 in block style with a wide dash offset
        ("    - description: Design\n      quantity: 1\n      unit_price: 100.00\n      tax_rate: 19\n",
         "-   date: 2026-11-10\n    amount: 100.00\n", "-   date: 2026-11-21\n    amount: 10.00\n"),
    ],
)  # fmt: skip
def test_an_item_is_appended_at_its_own_lists_indentation(lines: str, payments: str, added: str) -> None:
    text = f"id: X\nlines:\n{lines}status: sent\npayments:\n{payments}notes: keep\n"
    edited = edit_text(text, [AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == f"id: X\nlines:\n{lines}status: sent\npayments:\n{payments}{added}notes: keep\n"


def test_an_item_goes_right_after_the_last_item_whatever_the_comments_around_it() -> None:
    text = (
        "id: X\n"
        "lines:\n"
        f"  - {LINE}\n"
        "payments:   # tool-owned\n"
        "# the first instalment\n"
        "- date: 2026-11-10\n"
        "      # between keys, deeper than the item\n"
        "  amount: 100.00   # by card\n"
        "    # after the last item, deeper\n"
        "# about the notes\n"
        "notes: keep\n"
    )
    edited = edit_text(text, [AppendItem.of("payments", PAYMENT)], ORDER)
    marker = "  amount: 100.00   # by card\n"
    assert edited == text.replace(marker, marker + "- date: 2026-11-21\n  amount: 10.00\n")


def test_a_new_list_goes_after_the_key_before_it_and_keeps_the_other_lists_bytes() -> None:
    text = (
        "id: X\n"
        "lines:\n"
        f"- {LINE}\n"
        "status: sent\n"
        "reminders:\n"
        "# a note\n"
        "-   {stage: due, sent_at: 2026-11-29T08:00:00+01:00}\n"
        "# a note\n"
        "-   {stage: overdue_7, sent_at: 2026-12-06T08:00:00+01:00}  # paid by card\n"
    )
    fee = {"date": date(2026, 12, 9), "amount": Decimal("36.00"), "rule": "late_fee"}
    edited = edit_text(text, [AppendItem.of("late_fees", fee)], ORDER)
    assert edited == text + "late_fees:\n- {date: 2026-12-09, amount: 36.00, rule: late_fee}\n"
    edited = edit_text(text, [AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == text.replace(
        "reminders:\n", "payments:\n- {date: 2026-11-21, amount: 10.00}\nreminders:\n"
    )


def test_a_file_without_a_final_line_break_keeps_it_that_way() -> None:
    text = "id: X\nstatus: sent\npayments:\n  - {date: 2026-11-10, amount: 100.00}"
    edited = edit_text(text, [AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == text + "\n  - {date: 2026-11-21, amount: 10.00}"
    assert edit_text("id: X\nstatus: sent", [AppendItem.of("payments", PAYMENT)], ORDER) == (
        "id: X\nstatus: sent\npayments:\n  - {date: 2026-11-21, amount: 10.00}"
    )


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_line_break_that_is_not_lf_inside_a_value_is_left_as_written(separator: str) -> None:
    text = (
        f'id: X\nnotes: "a{separator}b"\nstatus: draft\npayments:\n  - {{date: 2026-11-10, amount: 1.00}}\n'
    )
    edited = edit_text(text, [SetValue("status", "sent"), AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == text.replace("draft", "sent") + "  - {date: 2026-11-21, amount: 10.00}\n"
    assert edit_text(text, [SetValue("status", "sent")]) == text.replace("draft", "sent")


def test_a_file_with_old_mac_line_breaks_keeps_them() -> None:
    text = "id: X\rstatus: draft   # set by the tool\rpayments:\r- {date: 2026-11-10, amount: 1.00}\r"
    edited = edit_text(text, [SetValue("status", "sent"), AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == (
        "id: X\rstatus: sent    # set by the tool\rpayments:\r- {date: 2026-11-10, amount: 1.00}\r"
        "- {date: 2026-11-21, amount: 10.00}\r"
    )


def test_crlf_file_with_mixed_indentation_gets_one_crlf_line() -> None:
    text = f"id: X\r\nlines:\r\n  - {LINE}\r\npayments:\r\n- date: 2026-11-10\r\n  amount: 100.00\r\n"
    edited = edit_text(text, [AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == text + "- date: 2026-11-21\r\n  amount: 10.00\r\n"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_ruamels_edits_leave_a_value_with_a_line_break_that_is_not_lf_as_written(separator: str) -> None:
    # A [...] list is rewritten by ruamel (the merge path), not spliced.
    text = f'id: X\nstatus: draft\npayments: [{{date: 2026-11-10, amount: 1.00}}]\nnotes: "a{separator}b"\n'
    edited = edit_text(text, [AppendItem.of("payments", PAYMENT)], ORDER)
    assert edited == text.replace("1.00}]", "1.00}, {date: 2026-11-21, amount: 10.00}]")
