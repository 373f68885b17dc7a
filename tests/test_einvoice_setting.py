"""Per-client `einvoice: none | factur-x | xrechnung-cii | peppol-ubl`, default policy.einvoice:
`check` refuses a value outside the list, and a client that gets e-invoices without a
country for it or for the company."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MiniLedger, run_cli

CLIENT = "clients/acme.yaml"


def _append(mini: MiniLedger, path: str, text: str) -> int:
    """Append lines to a file; the line number of the first one."""
    target = mini.root / path
    before = target.read_text()
    target.write_text(before + text)
    return before.count("\n") + 1


def _einvoice_codes(mini: MiniLedger) -> list[tuple[str, str, int, int]]:
    return [c for c in mini.codes() if c[0] in {"einvoice-country-missing", "invalid-value"}]


def test_none_is_the_default_and_asks_for_nothing(mini: MiniLedger) -> None:
    assert _einvoice_codes(mini) == []
    _append(mini, CLIENT, "einvoice: none\n")
    assert _einvoice_codes(mini) == []


def test_a_client_that_gets_e_invoices_needs_a_country(mini: MiniLedger) -> None:
    line = _append(mini, CLIENT, "einvoice: peppol-ubl\n")
    assert _einvoice_codes(mini) == [("einvoice-country-missing", CLIENT, line, 11)]
    _append(mini, CLIENT, "country: DE\n")
    assert _einvoice_codes(mini) == []  # the company's country comes from its VAT id DE…


def test_the_policy_default_applies_to_clients_without_their_own(mini: MiniLedger) -> None:
    _append(mini, "policy.yaml", "einvoice: xrechnung-cii\n")
    assert _einvoice_codes(mini) == [("einvoice-country-missing", CLIENT, 1, 5)]
    _append(mini, CLIENT, "einvoice: none\n")  # this client opts out
    assert _einvoice_codes(mini) == []


def test_the_company_needs_a_country_too(mini: MiniLedger) -> None:
    mini.write("policy.yaml", "company: {name: Jane Doe Studio, email: billing@janedoe.example}\n"
               "currency: EUR\n")  # fmt: skip
    line = _append(mini, CLIENT, "einvoice: factur-x\ncountry: DE\n")
    found = mini.load().diagnostics
    assert [(d.code, d.source.line) for d in found if d.code == "einvoice-country-missing"] == [
        ("einvoice-country-missing", line)
    ]
    assert "company.country" in next(d.message for d in found if d.code == "einvoice-country-missing")


def test_a_value_outside_the_list_is_refused(mini: MiniLedger) -> None:
    line = _append(mini, CLIENT, "einvoice: zugferd\n")
    assert _einvoice_codes(mini) == [("invalid-value", CLIENT, line, 11)]
    done = run_cli("check", "--ledger", str(Path(mini.root)), "--today", "2026-11-10")
    assert done.returncode == 1
    assert f"{CLIENT}:{line}:11" in done.stdout + done.stderr
    assert "peppol-ubl" in done.stdout + done.stderr


def test_xrechnung_needs_the_seller_contact_and_peppol_a_participant_id(mini: MiniLedger) -> None:
    def codes() -> list[str]:
        return [c[0] for c in mini.codes() if c[0] in {"seller-contact-missing", "peppol-id-missing"}]

    _append(mini, CLIENT, "country: DE\neinvoice: xrechnung-cii\n")
    assert codes() == ["seller-contact-missing"]
    text = (mini.root / "policy.yaml").read_text()
    mini.write(
        "policy.yaml",
        text.replace("company: {", "company: {contact_name: Jane Doe, phone: '+49 30 1234567', "),
    )
    assert codes() == []
    mini.write(CLIENT, (mini.root / CLIENT).read_text().replace("xrechnung-cii", "peppol-ubl"))
    assert codes() == ["peppol-id-missing"]  # the client has no VAT id and no peppol_id
    _append(mini, CLIENT, "peppol_id: '0208:0123456749'\n")
    assert codes() == []
