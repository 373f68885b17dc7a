"""The editor's promise over random invoice files: an edit changes the lines of the keys it
was asked to change and no other byte, whatever the file's indentation (0, 2 or 4 for each
list), item style ({...} or block), comments and line breaks (LF or CRLF)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerops.yamlfile.edit import AppendItem, Change, RemoveKey, SetValue, edit_text, record_key_order
from ledgerops.yamlfile.schema import INVOICE

ORDER = record_key_order(INVOICE)
BERLIN = timezone(timedelta(hours=1))
TOOL_LISTS = ("payments", "reminders", "late_fees", "claims")

# Items as (key, text as written) pairs; every text is a valid YAML scalar.
TEXTS = st.sampled_from(["SEPA 1234", '"SEPA 1234"', "'Rate 2'", '"00457"', '"a: b"', "Überweisung"])
AMOUNTS = st.sampled_from(["100.00", "1500.50", "7", '"12.30"'])
DAYS = st.sampled_from(["2026-11-02", "2026-11-20", "2026-12-01"])
STAMP = st.just("2026-11-29T08:00:00+01:00")


def _pairs(*pairs: tuple[str, st.SearchStrategy[str]]) -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    return st.tuples(*(st.tuples(st.just(key), values) for key, values in pairs))


ITEMS = {
    "lines": _pairs(("description", TEXTS), ("quantity", st.sampled_from(["1", "2.5"])),
                    ("unit_price", AMOUNTS), ("tax_rate", st.sampled_from(["0", "19"]))),
    "payments": _pairs(("date", DAYS), ("amount", AMOUNTS), ("method", st.just("bank_transfer")),
                       ("ref", TEXTS)),
    "reminders": _pairs(("stage", st.sampled_from(["pre_due", "due"])), ("sent_at", STAMP),
                        ("message_id", st.just('"<INV-2026-0001.due@x.example>"'))),
    "late_fees": _pairs(("date", DAYS), ("amount", AMOUNTS), ("rule", st.just("late_fee"))),
    "claims": _pairs(("stage", st.just("overdue_7")), ("claimed_at", STAMP), ("run", st.just('"ci:42"')),
                     ("message_id", st.just('"<INV-2026-0001.overdue_7@x.example>"'))),
}  # fmt: skip
COMMENTS = st.sampled_from(["", "# a note", "  # indented note", "      # deep note", "#"])
TRAILING = st.sampled_from(["", "   # tool-owned", "  #"])


@st.composite
def block_list(draw: st.DrawFn, key: str) -> list[str]:
    """`key:` and its items at the list's own column and dash offset, each item {...} or a
    block mapping, with comments between items and between an item's keys."""
    column = draw(st.sampled_from([0, 2, 4]))
    dash = "-" + " " * draw(st.sampled_from([1, 1, 3]))
    lines = [key + ":" + draw(TRAILING)]
    for pairs in draw(st.lists(ITEMS[key], min_size=1, max_size=3)):
        lines.extend(comment for comment in [draw(COMMENTS)] if comment)
        if draw(st.booleans()):
            body = "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
            lines.append(" " * column + dash + body + draw(TRAILING))
            continue
        inner = " " * (column + len(dash))
        lines.append(" " * column + dash + f"{pairs[0][0]}: {pairs[0][1]}")
        for k, v in pairs[1:]:
            lines.extend(inner + comment.strip() for comment in [draw(COMMENTS)] if comment)
            lines.append(f"{inner}{k}: {v}" + draw(TRAILING))
    return lines


@st.composite
def invoice_files(draw: st.DrawFn) -> str:
    """A valid invoice file: the keys in their documented order, the tool's lists present
    or not, optional notes with line-break-like characters that are not LF."""
    lines = ["# invoice for acme", "id: INV-2026-0001", "client: acme", "issue_date: 2026-11-02",
             "due_date: 2026-12-02", "currency: EUR"]  # fmt: skip
    lines += draw(block_list("lines"))
    lines += ["status: " + draw(st.sampled_from(["draft", "sent"])) + draw(TRAILING),
              "sent_at: 2026-11-02T10:15:00+01:00"]  # fmt: skip
    if draw(st.booleans()):
        lines.append('hold: "waiting for legal"' + draw(TRAILING))
    for key in TOOL_LISTS:
        if draw(st.booleans()):
            lines += draw(block_list(key))
    notes = draw(
        st.sampled_from([None, '"a\u2028b, c\x85d"', "plain words", '"tab\there"', '"para\u2029graph"'])
    )
    if notes is not None:
        lines.append(f"notes: {notes}")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from([newline, ""]))


# The tool's edits, each change with the value a YAML reader sees after it.
ITEM_EDITS: dict[str, tuple[AppendItem, dict[str, Any]]] = {
    "payments": (
        AppendItem.of("payments", {"date": date(2026, 11, 27), "amount": Decimal("10.00"), "method": "card",
                                   "ref": "SEPA 99"}),
        {"date": date(2026, 11, 27), "amount": 10.0, "method": "card", "ref": "SEPA 99"},
    ),
    "reminders": (
        AppendItem.of("reminders", {"stage": "overdue_7", "sent_at": datetime(2026, 12, 9, 8, tzinfo=BERLIN),
                                    "message_id": "<INV-2026-0001.overdue_7@x.example>"}),
        {"stage": "overdue_7", "sent_at": datetime(2026, 12, 9, 8, tzinfo=BERLIN),
         "message_id": "<INV-2026-0001.overdue_7@x.example>"},
    ),
    "late_fees": (
        AppendItem.of("late_fees", {"date": date(2026, 12, 9), "amount": Decimal("36.00"), "rule": "late_fee"}),
        {"date": date(2026, 12, 9), "amount": 36.0, "rule": "late_fee"},
    ),
    "claims": (
        AppendItem.of("claims", {"stage": "due", "claimed_at": datetime(2026, 12, 2, 8, tzinfo=BERLIN),
                                 "run": "ci:7", "message_id": "<INV-2026-0001.due@x.example>"}),
        {"stage": "due", "claimed_at": datetime(2026, 12, 2, 8, tzinfo=BERLIN), "run": "ci:7",
         "message_id": "<INV-2026-0001.due@x.example>"},
    ),
}  # fmt: skip
SENT_AT = datetime(2026, 11, 27, 9, 5, tzinfo=BERLIN)
OTHER_EDITS: dict[str, list[tuple[Change, Any]]] = {
    "send": [(SetValue("status", "sent"), "sent"), (SetValue("sent_at", SENT_AT), SENT_AT)],
    "void": [(SetValue("status", "void"), "void"), (SetValue("voided_at", date(2026, 11, 27)), date(2026, 11, 27)),
             (SetValue("void_reason", "wrong client: re-issued"), "wrong client: re-issued")],
    "release": [(RemoveKey("hold"), None)],
    "record": [(RemoveKey("claims"), None), (ITEM_EDITS["reminders"][0], ITEM_EDITS["reminders"][1])],
    "keep_one_claim": [(RemoveKey("claims"), None), (ITEM_EDITS["claims"][0], ITEM_EDITS["claims"][1])],
}  # fmt: skip


def _read(text: str) -> dict[str, Any]:
    return yaml.safe_load(text)


def _expected(text: str, edits: list[tuple[Change, Any]]) -> dict[str, Any]:
    values = _read(text)
    for change, seen in edits:
        if isinstance(change, RemoveKey):
            values.pop(change.key, None)
        elif isinstance(change, SetValue):
            values[change.key] = seen
        else:
            values[change.key] = [*(values.get(change.key) or []), seen]
    return values


def _lines_outside(text: str, keys: set[str]) -> list[str]:
    """The file's lines, less those of `keys` (from the key to the end of its value)."""
    root = yaml.compose(text)
    taken: set[int] = set()
    for key, value in root.value:
        if key.value in keys:
            end = value
            while isinstance(end, (yaml.MappingNode, yaml.SequenceNode)) and not end.flow_style and end.value:
                end = end.value[-1][1] if isinstance(end, yaml.MappingNode) else end.value[-1]
            first, last = text.count("\n", 0, key.start_mark.index), text.count("\n", 0, end.end_mark.index)
            taken.update(range(first, last + 1))
    return [line for number, line in enumerate(text.split("\n")) if number not in taken]


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


@settings(max_examples=150, deadline=None)
@given(invoice_files(), st.sampled_from(TOOL_LISTS))
def test_an_append_only_adds_lines(text: str, key: str) -> None:
    change, seen = ITEM_EDITS[key]
    edited = edit_text(text, [change], ORDER)

    newline = _newline(text)
    old, new = text.split(newline), edited.split(newline)
    assert "\n" not in "".join(new)  # no line break of another kind crept in
    prefix = next(i for i in range(len(old) + 1) if i == len(old) or old[i] != new[i])
    suffix = next(i for i in range(len(old) + 1) if i == len(old) - prefix or old[-1 - i] != new[-1 - i])
    assert prefix + suffix == len(old), "an existing line changed"
    assert _read(edited) == _expected(text, [(change, seen)])


@settings(max_examples=150, deadline=None)
@given(invoice_files(), st.sampled_from(sorted(OTHER_EDITS)))
def test_an_edit_leaves_the_lines_of_other_keys_alone(text: str, name: str) -> None:
    edits = OTHER_EDITS[name]
    edited = edit_text(text, [change for change, _ in edits], ORDER)

    assert "\n" not in edited.replace(_newline(text), "") or _newline(text) == "\n"
    touched = {change.key for change, _ in edits}
    plain_old, plain_new = text.replace("\r\n", "\n"), edited.replace("\r\n", "\n")
    assert _lines_outside(plain_new, touched) == _lines_outside(plain_old, touched)
    values = _read(edited)
    assert values == _expected(text, edits)
    assert [key for key in values if key in ORDER] == sorted(
        (k for k in values if k in ORDER), key=ORDER.index
    )
