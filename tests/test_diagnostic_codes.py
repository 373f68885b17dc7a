"""Every stable diagnostic code is documented, and every one is produced by some test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledgerops.core.diagnostics import CODES
from tests.conftest import BASE_FILES, MiniLedger

ROOT = Path(__file__).resolve().parent.parent
INVOICE = "invoices/2026/INV-2026-0001.yaml"


def _documented() -> list[str]:
    text = (ROOT / "docs" / "diagnostics.md").read_text()
    return re.findall(r"^\| `([a-z0-9-]+)` \|", text, re.MULTILINE)


def test_the_docs_list_exactly_the_registry() -> None:
    assert sorted(_documented()) == sorted(code.code for code in CODES)


def test_every_code_is_named_in_some_test() -> None:
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("*.py"))
    unnamed = [c.code for c in CODES if f'"{c.code}"' not in tests and f"'{c.code}'" not in tests]
    assert unnamed == []


def _invoice(old: str, new: str) -> dict[str, str]:
    text = BASE_FILES[INVOICE]
    assert old in text
    return {INVOICE: text.replace(old, new)}


# Codes no other test provokes through a whole ledger: one change to the small valid ledger each.
REPRODUCERS = {
    "invalid-id": {"clients/acme.yaml": BASE_FILES["clients/acme.yaml"].replace("WEB:", "'W B':")},
    "invalid-iban": {"policy.yaml": BASE_FILES["policy.yaml"].replace("DE89370400440532013000", "DE00 1234")},
    "po-missing": {
        "clients/acme.yaml": BASE_FILES["clients/acme.yaml"].replace(
            "terms_days: 30", "terms_days: 30\n        po_required: true"
        ),
        **_invoice("status: sent\n", "status: draft\n"),
    },
    "wrong-extension": {"clients/nord.yml": "id: nord\n"},
    "unknown-project": {
        INVOICE: BASE_FILES[INVOICE]
        .replace("milestone: M1", "milestone: M9")
        .replace("status: sent", "status: draft")
    },
    "invalid-tax-rate": _invoice("    tax_rate: 19", "    tax_rate: 150"),
    "missing-voided-at": _invoice("status: sent\n", "status: void\n"),
    "numbering-format": {
        "invoices/2026/INV-26-1.yaml": BASE_FILES[INVOICE].replace("INV-2026-0001", "INV-26-1")
    },
}


@pytest.mark.parametrize("code", sorted(REPRODUCERS))
def test_the_code_is_reported_for_its_reproducer(mini: MiniLedger, code: str) -> None:
    for path, text in REPRODUCERS[code].items():
        mini.write(path, text)
    assert code in {found[0] for found in mini.codes()}
