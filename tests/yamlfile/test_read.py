"""One test per YAML hazard: each becomes a diagnostic at the exact line and column, never a traceback."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgerops.core.diagnostics import Diagnostic, Source
from ledgerops.core.located import LAST_COLUMN
from ledgerops.yamlfile.read import read_record
from ledgerops.yamlfile.schema import CLIENT, INVOICE

CLIENT_OK = b"id: acme\nname: ACME GmbH\nemail: ap@acme.example\nsegment: standard\n"


def _read(data: bytes, spec=CLIENT, path: str = "clients/acme.yaml") -> tuple[object, list[Diagnostic]]:
    return read_record(path, data, spec)


def _where(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.source.line, d.source.col) for d in diagnostics]


HAZARDS = [
    (
        "anchor and alias",
        CLIENT_OK + b"cc: &a [x@y.example]\nx-more: *a\n",
        [("yaml-alias", 5, 5), ("yaml-alias", 6, 9)],
    ),
    ("custom tag", CLIENT_OK + b"tax_id: !secret DE1\n", [("yaml-tag", 5, 9)]),
    ("python tag", CLIENT_OK + b"tax_id: !!python/object:os.system x\n", [("yaml-tag", 5, 9)]),
    ("yaml directive", b"%YAML 1.1\n---\n" + CLIENT_OK, [("yaml-directive", 1, 1)]),
    ("tag directive", b"%TAG !e! tag:example.com,2000:\n---\n" + CLIENT_OK, [("yaml-directive", 1, 1)]),
    ("two documents", CLIENT_OK + b"---\nid: other\n", [("multiple-documents", 5, 1)]),
    ("empty file", b"", [("empty-file", 1, 1)]),
    ("only a comment", b"# nothing yet\n", [("empty-file", 1, 1)]),
    ("a top-level list", b"- id: acme\n", [("not-a-mapping", 1, 1)]),
    ("a bare scalar", b"acme\n", [("not-a-mapping", 1, 1)]),
    ("not utf-8", b"id: acme\nname: M\xfcller\n", [("encoding", 2, 8)]),
    ("control character", b"id: acme\nname: a\x07b\n", [("encoding", 2, 8)]),
    ("syntax error", b"id: acme\nname: [ACME\nemail: x\n", [("yaml-syntax", 3, 6)]),
    ("bad indentation", b"id: acme\n  name: ACME\n", [("yaml-syntax", 2, 7)]),
    ("duplicate key", CLIENT_OK + b"name: Other\n", [("duplicate-key", 5, 1)]),
    ("key that is a list", CLIENT_OK + b"? [a, b]\n: 1\n", [("wrong-type", 5, 3)]),
    ("deep nesting in notes", CLIENT_OK + b"notes: " + b"[" * 20 + b"]" * 20 + b"\n", [("too-deep", 5, 16)]),
    (
        "nesting beyond libyaml's limit",
        CLIENT_OK + b"notes: " + b"[" * 2000 + b"]" * 2000 + b"\n",
        [("yaml-syntax", 5, 1007)],
    ),
    (
        "null where a value is required",
        b"id: acme\nname:\nemail: ap@acme.example\nsegment: standard\n",
        [("missing-field", 2, 6)],
    ),
    (
        "list where text is expected",
        b"id: acme\nname: [a]\nemail: ap@acme.example\nsegment: standard\n",
        [("wrong-type", 2, 7)],
    ),
    ("yes is not a boolean", CLIENT_OK + b"reminders: yes\n", [("wrong-type", 5, 12)]),
    ("quoted boolean", CLIENT_OK + b"reminders: 'false'\n", [("wrong-type", 5, 12)]),
    ("terms as text", CLIENT_OK + b"terms_days: '30'\n", [("wrong-type", 5, 13)]),
]


@pytest.mark.parametrize(("case", "data", "expected"), HAZARDS, ids=[h[0] for h in HAZARDS])
def test_hazard(case: str, data: bytes, expected: list[tuple[str, int, int]]) -> None:
    record, diagnostics = _read(data)
    assert _where(diagnostics) == expected
    assert record is None or all(d.severity == "error" for d in diagnostics)


def test_alias_bomb_is_rejected_without_expanding() -> None:
    lines = [b'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]".encode() for i in range(1, 10)]
    _, diagnostics = _read(b"\n".join(lines) + b"\n")
    assert diagnostics and {d.code for d in diagnostics} == {"yaml-alias"}


def test_strings_stay_as_typed() -> None:
    record, diagnostics = _read(
        b"id: '0123'\nname: no\nemail: ap@acme.example\nsegment: standard\ntax_id: 00457\n"
    )
    assert diagnostics == []
    assert (record.id, record.name, record.tax_id) == ("0123", "no", "00457")


def test_unquoted_ids_like_octal_numbers_stay_strings() -> None:
    record, diagnostics = _read(b"id: 0123\nname: Zero\nemail: ap@acme.example\nsegment: standard\n")
    assert diagnostics == [] and record.id == "0123"


def test_money_is_decimal_exactly_as_written() -> None:
    data = (
        b"id: INV-2026-0001\nclient: acme\nissue_date: 2026-11-02\ndue_date: 2026-12-02\ncurrency: EUR\n"
        b"lines:\n  - {description: A, quantity: 3, unit_price: 0.10, tax_rate: 19}\n"
        b"  - {description: B, quantity: '1.5', unit_price: \"1000.00\"}\n"
    )
    record, diagnostics = _read(data, INVOICE, "invoices/2026/INV-2026-0001.yaml")
    assert diagnostics == []
    assert [str(line.unit_price) for line in record.lines] == ["0.10", "1000.00"]
    assert record.lines[1].quantity == Decimal("1.5")


def test_fields_remember_their_position() -> None:
    record, _ = _read(
        CLIENT_OK + b"projects:\n  WEB:\n    milestones:\n      M1: {description: X, amount: 10}\n"
    )
    assert record.at("projects", "WEB", "milestones", "M1").line == 8
    assert (record.at("segment").line, record.at("segment").col) == (4, 10)


def test_notes_and_x_keys_hold_free_form_data() -> None:
    record, diagnostics = _read(CLIENT_OK + b"notes: {met: 2026-01-01, likes: [tea]}\nx-crm-id: 42\n")
    assert diagnostics == [] and record is not None


def test_unknown_key_suggests_the_close_one() -> None:
    _, diagnostics = _read(CLIENT_OK + b"segmnt: standard\n")
    assert "did you mean 'segment'" in diagnostics[0].message


ODD_INPUT = [
    ("tab as separator", CLIENT_OK + b"tax_id:\tDE1\n", [("tab-character", 5, 8)]),
    (
        "tab before a comment",
        CLIENT_OK.replace(b"segment: standard", b"segment: standard\t# vip soon"),
        [("tab-character", 4, 18)],
    ),
    (
        "line separator in a comment",
        CLIENT_OK + "tax_id: DE1  # a\u2028b\n".encode(),
        [("odd-line-break", 5, 17)],
    ),
    ("next-line character in text", CLIENT_OK + "x-note: a\x85b\n".encode(), [("odd-line-break", 5, 10)]),
    (
        "an amount too large to be real",
        b"id: acme\nname: A\nemail: a@b.example\nsegment: s\nprojects:\n  P:\n    milestones:\n"
        b"      M: {description: x, amount: 10000000000000000000000000000000000000000}\n",
        [("invalid-amount", 8, 35)],
    ),
    (
        "an exponent",
        CLIENT_OK + b"projects: {P: {milestones: {M: {description: x, amount: 1e400}}}}\n",
        [("invalid-amount", 5, 57)],
    ),
    ("a year from long ago", CLIENT_OK + b"x-since: 1\nterms_days: 30\n", []),
    (
        "a whole number with 5000 digits",
        CLIENT_OK + b"terms_days: " + b"9" * 5000 + b"\n",
        [("wrong-type", 5, 13)],
    ),
]


@pytest.mark.parametrize(("case", "data", "expected"), ODD_INPUT, ids=[h[0] for h in ODD_INPUT])
def test_input_other_yaml_tools_would_read_differently(case: str, data: bytes, expected: list) -> None:
    _, diagnostics = _read(data)
    assert _where(diagnostics) == expected


def test_tabs_inside_quotes_are_text() -> None:
    record, diagnostics = _read(CLIENT_OK + b'address: "Street 1\tBerlin"\n')
    assert diagnostics == [] and record.address == "Street 1\tBerlin"


def test_a_date_outside_1900_to_2999_is_a_typo() -> None:
    data = (
        b"id: INV-2026-0001\nclient: acme\nissue_date: 0026-11-02\ndue_date: 2026-12-02\ncurrency: EUR\n"
        b"lines: [{description: A, quantity: 1, unit_price: 1}]\n"
    )
    record, diagnostics = _read(data, INVOICE, "invoices/2026/INV-2026-0001.yaml")
    assert record is None and _where(diagnostics) == [("invalid-date", 3, 13)]


def test_a_line_break_in_an_id_or_address_is_unsafe_text() -> None:
    _, diagnostics = _read(b'id: "ac\\nme"\nname: A\nemail: "ap\\u0007@acme.example"\nsegment: s\n')
    assert _where(diagnostics) == [("unsafe-text", 1, 5), ("unsafe-text", 3, 8)]


def test_a_byte_order_mark_is_read_past() -> None:
    record, diagnostics = _read(b"\xef\xbb\xbf" + CLIENT_OK)
    assert diagnostics == [] and record.id == "acme"
    assert (record.at("segment").line, record.at("segment").col) == (4, 10)


def test_a_bad_byte_after_a_byte_order_mark_is_found_where_it_is() -> None:
    _, diagnostics = _read(b"\xef\xbb\xbfid: acme\nname: M\xfcller\n")
    assert _where(diagnostics) == [("encoding", 2, 8)] and "0xfc" in diagnostics[0].message


def test_each_file_is_read_on_its_own() -> None:
    """Values are remembered across files for speed; that must never show."""

    def invoice(issue_date: bytes, price: bytes) -> bytes:
        return (
            b"id: INV-2026-0001\nclient: acme\nissue_date: " + issue_date + b"\ndue_date: 2026-12-02\n"
            b"currency: EUR\nlines: [{description: A, quantity: 1, unit_price: " + price + b"}]\n"
        )

    for _ in range(2):
        for issue_date, price, codes in [
            (b"2026-02-30", b"10.5", ["invalid-date"]),
            (b"2026-02-28", b"10.5", []),
            (b"2026-02-28", b"1e3", ["invalid-amount"]),
            (b"2026-02-30", b"10.50", ["invalid-date"]),
        ]:
            record, diagnostics = _read(
                invoice(issue_date, price), INVOICE, "invoices/2026/INV-2026-0001.yaml"
            )
            assert [d.code for d in diagnostics] == codes
            if record is not None:
                assert str(record.lines[0].unit_price) == price.decode()
    record, _ = _read(invoice(b"2026-02-28", b"10.50"), INVOICE, "invoices/2026/INV-2026-0001.yaml")
    assert str(record.lines[0].unit_price) == "10.50"


def test_a_field_past_the_last_column_a_position_holds_keeps_that_column() -> None:
    wide = b"{x-pad: " + b"z" * LAST_COLUMN + b", id: acme, name: A, email: a@b.example, segment: s}\n"
    record, diagnostics = _read(wide)
    assert diagnostics == []
    assert record.at("id") == Source("clients/acme.yaml", 1, LAST_COLUMN)
    near = b"{x-pad: " + b"z" * (LAST_COLUMN - 16) + b", id: acme, name: A, email: a@b.example, segment: s}\n"
    record, _ = _read(near)
    assert record.at("id") == Source("clients/acme.yaml", 1, LAST_COLUMN - 1)
    assert record.at("name") == Source("clients/acme.yaml", 1, LAST_COLUMN)


def test_fields_far_down_a_long_file_keep_their_position() -> None:
    record, diagnostics = _read(b"notes: |\n" + b"  a line\n" * 1200 + CLIENT_OK)
    assert diagnostics == []
    assert record.at("segment") == Source("clients/acme.yaml", 1205, 10)
