"""Each statement format read from real files in its documented shape, and every kind of bad
file refused with its file, line and a stable code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledgerops.core.bank import CsvRules
from ledgerops.edge.statements import read_statement
from ledgerops.yamlfile.read import read_record
from ledgerops.yamlfile.schema import CSV_RULES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STATEMENTS = EXAMPLES / "statements"


def rules(name: str) -> CsvRules:
    path = EXAMPLES / "rules" / name
    found, problems = read_record(path.name, path.read_bytes(), CSV_RULES)
    assert problems == []
    return found  # type: ignore[no-any-return]


def read(path: Path, the_rules: CsvRules | None = None) -> list:
    lines, problems = read_statement(path, path.name, the_rules)
    assert problems == []
    return list(lines)


def problem(path: Path, the_rules: CsvRules | None = None) -> tuple[str, int, str]:
    lines, problems = read_statement(path, path.name, the_rules)
    assert lines == () and len(problems) == 1
    return problems[0].code, problems[0].source.line, problems[0].message


def test_camt053_batch_booking_return_and_foreign_currency() -> None:
    lines = read(STATEMENTS / "camt053-example.xml")
    assert [(x.kind, x.amount, x.currency) for x in lines] == [
        ("credit", Decimal("1546.00"), "EUR"), ("credit", Decimal("3711.16"), "EUR"),
        ("credit", Decimal("200.00"), "EUR"), ("credit", Decimal("18763.25"), "EUR"),
        ("return", Decimal("250.00"), "EUR"), ("credit", Decimal("1700.00"), "EUR"),
        ("credit", Decimal("2201.50"), "EUR"), ("credit", Decimal("120.00"), "EUR"),
    ]  # fmt: skip
    first = lines[0]
    assert first.reference == "RF32INV20260004" and first.iban == "DE02100100109307118603"
    assert first.counterparty == "Brotwerk Baeckerei Sommer" and first.date == date(2026, 11, 24)
    assert first.id == "2026112400017" and first.source == "camt053-example.xml:14"
    # every transaction of a batch booking has an id of its own (not the entry's)
    assert [lines[1].id, lines[2].id] == ["2026112500003/1", "2026112500003/2"]
    assert lines[2].text == "Teilzahlung Rechnung inv 2026 0009"
    assert lines[7].text == "Erstattung Finanzamt"
    assert len({x.id for x in lines}) == len(lines)


def test_camt054_notification() -> None:
    (only,) = read(STATEMENTS / "camt054-example.xml")
    assert (only.amount, only.currency, only.reference) == (Decimal("640000"), "JPY", "RF48 INV2 0260 007")


def test_mt940_structured_details() -> None:
    lines = read(STATEMENTS / "mt940-sparkasse.sta")
    assert [(x.kind, x.amount, x.bank_ref) for x in lines] == [
        ("credit", Decimal("2201.50"), "BR26112300001"), ("credit", Decimal("1546.00"), "BR26112400002"),
        ("debit", Decimal("89.90"), "BR26112500003"),
    ]  # fmt: skip
    assert lines[0].text == "Rechnung INV-2026-0008 Danke" and lines[0].iban == "DE02100100109307118603"
    assert lines[0].source == "mt940-sparkasse.sta:5" and lines[0].date == date(2026, 11, 23)


def test_ofx_sgml() -> None:
    lines = read(STATEMENTS / "ofx-harbor.ofx")
    assert [(x.kind, x.amount, x.currency, x.id) for x in lines] == [
        ("credit", Decimal("1847.61"), "USD", "202611240001"), ("credit", Decimal("7800.00"), "USD", "202611260004"),
        ("debit", Decimal("25.00"), "USD", "202611260005"),
    ]  # fmt: skip
    assert lines[1].counterparty == "Harbor & Pine Outfitters, Inc."


def test_csv_with_german_rules() -> None:
    lines = read(STATEMENTS / "sparkasse.csv", rules("sparkasse-csv-camt.yaml"))
    assert [(x.kind, x.amount, x.date) for x in lines] == [
        ("credit", Decimal("1546.00"), date(2026, 11, 24)), ("debit", Decimal("89.90"), date(2026, 11, 25)),
        ("credit", Decimal("3711.16"), date(2026, 11, 26)),
    ]  # fmt: skip
    assert (
        lines[0].counterparty == "Brotwerk Baeckerei Sommer"
        and lines[0].text == "Rechnung INV 2026 0004 Rest"
    )
    assert all(x.id.startswith("sha256:") for x in lines)


def test_csv_in_out_columns_and_returns(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("Date,Description,Payee,Debit,Credit,Balance,Reference\n"
                    "11/24/2026,INV-2026-0010,Harbor,,\"1,847.61\",9000,TX1\n"
                    "11/25/2026,Fee,Bank,25.00,,8975,TX2\n")  # fmt: skip
    lines = read(path, rules("credit-debit-columns.yaml"))
    assert [(x.kind, x.amount, x.id) for x in lines] == [("credit", Decimal("1847.61"), "TX1"),
                                                         ("debit", Decimal("25.00"), "TX2")]  # fmt: skip
    n26 = tmp_path / "n26.csv"
    n26.write_text('"Booking Date","Partner Name","Partner Iban",Type,"Payment Reference","Amount (EUR)",a,b,c\n'
                   '2026-11-24,Brotwerk,DE02100100109307118603,Credit Transfer,RF32INV20260004,1546.0,,,\n')  # fmt: skip
    (only,) = read(n26, rules("n26.yaml"))
    assert (only.amount, only.currency, only.text) == (Decimal("1546.0"), "EUR", "RF32INV20260004")
    german = tmp_path / "ruecklastschrift.csv"
    row = '"K";"24.11.26";"24.11.26";"RUECKLASTSCHRIFT";"MD06";"";"";"";"";"";"";"Brotwerk";"";"";"250,00";"EUR";""'
    german.write_bytes(("header\n" + row + "\n").encode("cp1252"))
    assert [x.kind for x in read(german, rules("sparkasse-csv-camt.yaml"))] == ["return"]


def _file(tmp_path: Path, text: str | bytes, name: str = "s.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_truncated_xml(tmp_path: Path) -> None:
    text = (STATEMENTS / "camt053-example.xml").read_text()
    code, line, message = problem(_file(tmp_path, text[: len(text) // 2]))
    assert code == "statement-unreadable" and line > 1 and "not well-formed" in message


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
            + ']>\n<Document>&lol8;</Document>\n')  # fmt: skip
    assert problem(_file(tmp_path, bomb))[:2] == ("statement-unsafe", 2)
    external = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>'
    assert problem(_file(tmp_path, external))[0] == "statement-unsafe"


def test_xml_that_is_not_camt(tmp_path: Path) -> None:
    assert problem(_file(tmp_path, "<Document><Other/></Document>"))[0] == "statement-unreadable"


def test_camt_amount_without_currency(tmp_path: Path) -> None:
    text = (STATEMENTS / "camt054-example.xml").read_text().replace(' Ccy="JPY"', "")
    assert problem(_file(tmp_path, text))[:2] == ("statement-amount", 9)


def test_large_junk_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "junk.bin"
    with path.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    assert problem(path)[0] == "statement-too-large"


def test_csv_without_rules(tmp_path: Path) -> None:
    code, _, message = problem(_file(tmp_path, "a,b\n1,2\n", "x.csv"))
    assert code == "statement-unreadable" and "--rules" in message


@pytest.mark.parametrize(
    ("row", "code", "words"),
    [('"K";"24.11.26";"";"";"";"";"";"";"";"";"";"X";"";"";"1.546,00";"EUR"', "statement-columns", "16 columns"),
     ('"K";"31.02.26";"";"";"";"";"";"";"";"";"";"X";"";"";"1,00";"EUR";""', "statement-date", "'31.02.26'"),
     ('"K";"24.11.26";"";"";"";"";"";"";"";"";"";"X";"";"";"12,34,5";"EUR";""', "statement-amount", "12,34,5"),
     ('"K";"24.11.26";"";"";"";"";"";"";"";"";"";"X";"";"";"1e5";"EUR";""', "statement-amount", "1e5")],
)  # fmt: skip
def test_bad_csv_lines(tmp_path: Path, row: str, code: str, words: str) -> None:
    path = _file(tmp_path, ("header\n" + row + "\n").encode("cp1252"), "s.csv")
    found = problem(path, rules("sparkasse-csv-camt.yaml"))
    assert found[:2] == (code, 2) and words in found[2]


def test_a_german_amount_under_rules_that_say_point(tmp_path: Path) -> None:
    path = _file(tmp_path, 'date,amount,text\n2026-11-24,"1.234,56",x\n', "s.csv")
    plain = CsvRules(("date", "amount", "text"), currency="EUR")
    code, line, message = problem(path, plain)
    assert (code, line) == ("statement-amount", 2) and "'.'" in message


def test_mt940_without_bookings(tmp_path: Path) -> None:
    assert problem(_file(tmp_path, ":20:X\n:25:1/2\n:28C:1\n", "s.sta"))[0] == "statement-unreadable"
