"""One test per rule of docs/spec.md §4: the right code, at the right file, line and column."""

from __future__ import annotations

from datetime import date

import pytest

from ledgerops.core.immutable import issued_digest
from tests.conftest import MiniLedger

INVOICE = "invoices/2026/INV-2026-0001.yaml"


def test_the_base_ledger_is_valid(mini: MiniLedger) -> None:
    assert mini.codes() == []


def _replace(mini: MiniLedger, path: str, old: str, new: str) -> None:
    target = mini.root / path
    text = target.read_text()
    assert old in text, f"{old!r} not in {path}"
    target.write_text(text.replace(old, new, 1))


# (case, path, old text, new text, expected diagnostic)
EDITS = [
    (
        "duplicate key",
        INVOICE,
        "currency: EUR\n",
        "currency: EUR\ncurrency: EUR\n",
        ("duplicate-key", INVOICE, 8, 1),
    ),
    (
        "unknown key",
        INVOICE,
        "currency: EUR\n",
        "currency: EUR\ncurency: EUR\n",
        ("unknown-key", INVOICE, 8, 1),
    ),
    ("wrong type", INVOICE, "quantity: 1", "quantity: [1]", ("wrong-type", INVOICE, 10, 15)),
    ("missing field", INVOICE, "due_date: 2026-12-02\n", "", ("missing-field", INVOICE, 1, 1)),
    ("id mismatch", INVOICE, "id: INV-2026-0001", "id: INV-2026-0009", ("id-mismatch", INVOICE, 1, 5)),
    ("unknown client", INVOICE, "client: acme", "client: acne", ("unknown-client", INVOICE, 2, 9)),
    (
        "unknown segment",
        "clients/acme.yaml",
        "segment: standard",
        "segment: vip",
        ("unknown-segment", "clients/acme.yaml", 4, 10),
    ),
    ("unknown currency", INVOICE, "currency: EUR", "currency: USD", ("unknown-currency", INVOICE, 7, 11)),
    (
        "too many decimals",
        INVOICE,
        "unit_price: 2500.00",
        "unit_price: 2500.001",
        ("amount-precision", INVOICE, 11, 17),
    ),
    (
        "not a decimal",
        INVOICE,
        "unit_price: 2500.00",
        "unit_price: 2,500.00",
        ("invalid-amount", INVOICE, 11, 17),
    ),
    (
        "due date off terms",
        INVOICE,
        "due_date: 2026-12-02\ncurrency: EUR\nlines:\n  - description: Discovery\n    quantity: 1\n"
        "    unit_price: 2500.00\n    tax_rate: 19\nstatus: sent",
        "due_date: 2026-12-03\ncurrency: EUR\nlines:\n  - description: Discovery\n    quantity: 1\n"
        "    unit_price: 2500.00\n    tax_rate: 19\nstatus: draft",
        ("due-date-terms", INVOICE, 6, 11),
    ),
    (
        "terms not allowed",
        "clients/acme.yaml",
        "terms_days: 30",
        "terms_days: 45",
        ("terms-not-allowed", "clients/acme.yaml", 5, 13),
    ),
    ("stored status", INVOICE, "status: sent", "status: paid", ("invalid-status", INVOICE, 13, 9)),
    (
        "sent without sent_at",
        INVOICE,
        "sent_at: 2026-11-02T10:15:00+01:00\n",
        "",
        ("missing-sent-at", INVOICE, 13, 9),
    ),
    (
        "not a calendar date",
        INVOICE,
        "issue_date: 2026-11-02",
        "issue_date: 2026-02-30",
        ("invalid-date", INVOICE, 5, 13),
    ),
    (
        "timestamp without offset",
        INVOICE,
        "sent_at: 2026-11-02T10:15:00+01:00",
        "sent_at: 2026-11-02T10:15:00",
        ("invalid-timestamp", INVOICE, 14, 10),
    ),
    (
        "header injection",
        "clients/acme.yaml",
        "name: ACME GmbH",
        'name: "ACME\\r\\nBcc: all@evil.example"',
        ("unsafe-text", "clients/acme.yaml", 2, 7),
    ),
    (
        "bad email",
        "clients/acme.yaml",
        "email: ap@acme.example",
        "email: ap at acme",
        ("invalid-email", "clients/acme.yaml", 3, 8),
    ),
    (
        "bad timezone",
        "policy.yaml",
        "timezone: Europe/Berlin",
        "timezone: Europe/Berlyn",
        ("invalid-timezone", "policy.yaml", 4, 11),
    ),
    (
        "default currency not accepted",
        "policy.yaml",
        "currency: EUR",
        "currency: USD",
        ("invalid-policy", "policy.yaml", 2, 11),
    ),
    (
        "bad numbering template",
        "policy.yaml",
        "timezone: Europe/Berlin",
        "timezone: Europe/Berlin\nnumbering: 'INV-{seq:04d}'",
        ("invalid-template", "policy.yaml", 5, 12),
    ),
]


@pytest.mark.parametrize(("case", "path", "old", "new", "expected"), EDITS, ids=[e[0] for e in EDITS])
def test_rule(mini: MiniLedger, case: str, path: str, old: str, new: str, expected: tuple) -> None:
    _replace(mini, path, old, new)
    assert expected in mini.codes()


def _second_invoice(mini: MiniLedger, number: str = "0002", **changes: str) -> str:
    path = f"invoices/2026/INV-2026-{number}.yaml"
    text = (mini.root / INVOICE).read_text().replace("INV-2026-0001", f"INV-2026-{number}")
    for old, new in changes.items():
        text = text.replace(old, new)
    mini.write(path, text)
    return path


def test_the_same_milestone_invoiced_twice(mini: MiniLedger) -> None:
    path = _second_invoice(mini)
    assert ("duplicate-milestone", path, 4, 12) in mini.codes()


def test_a_void_invoice_frees_its_milestone(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "status: sent", "status: void\nvoided_at: 2026-11-03")
    _second_invoice(mini)
    assert [c for c in mini.codes() if c[0] == "duplicate-milestone"] == []


def test_a_gap_in_the_issued_numbers(mini: MiniLedger) -> None:
    path = _second_invoice(mini, "0003", **{"milestone: M1\n": "", "project: WEB\n": ""})
    assert ("numbering-gap", path, 1, 5) in mini.codes()


def test_drafts_have_no_number_and_are_not_gaps(mini: MiniLedger) -> None:
    for milestone in ("M2", "M3"):
        text = (mini.root / INVOICE).read_text().replace("INV-2026-0001", f"DRAFT-acme-WEB-{milestone}")
        mini.write(f"invoices/drafts/DRAFT-acme-WEB-{milestone}.yaml",
                   text.replace("status: sent", "status: draft").replace("milestone: M1", f"milestone: {milestone}"))  # fmt: skip
    assert [c for c in mini.codes(today=date(2026, 11, 3)) if c[0] != "unknown-project"] == []


def test_a_draft_with_a_number_is_refused_with_the_draft_id_to_use(mini: MiniLedger) -> None:
    """A draft written by hand with a number (or by a version that numbered drafts)."""
    _replace(mini, INVOICE, "status: sent\nsent_at: 2026-11-02T10:15:00+01:00\n", "status: draft\n")
    (problem,) = [d for d in mini.load().diagnostics if d.code == "draft-numbered"]
    assert (problem.source.path, problem.source.line, problem.source.col) == (INVOICE, 1, 5)
    assert "invoices/drafts/DRAFT-acme-WEB-M1.yaml with id: DRAFT-acme-WEB-M1" in problem.message
    assert mini.draft(INVOICE) and [c[0] for c in mini.codes(today=date(2026, 11, 3))] == []  # the fix


def test_an_issued_invoice_not_sent_yet_is_in_the_sequence(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "status: sent\nsent_at: 2026-11-02T10:15:00+01:00\n",
             "status: draft\ndrafted_as: DRAFT-acme-WEB-M1\n")  # fmt: skip
    path = _second_invoice(mini, "0003", **{"milestone: M1\n": "", "project: WEB\n": ""})
    assert [c[:2] for c in mini.codes(today=date(2026, 11, 3))] == [("numbering-gap", path)]


def test_a_draft_outside_its_folder_and_a_sent_invoice_without_a_number(mini: MiniLedger) -> None:
    text = (mini.root / INVOICE).read_text()
    mini.write("invoices/2026/DRAFT-acme-WEB-M2.yaml", text.replace("INV-2026-0001", "DRAFT-acme-WEB-M2")
               .replace("status: sent\nsent_at: 2026-11-02T10:15:00+01:00\n", "status: draft\n")
               .replace("M1", "M2"))  # fmt: skip
    mini.write("invoices/drafts/DRAFT-acme-WEB-M3.yaml", text.replace("INV-2026-0001", "DRAFT-acme-WEB-M3")
               .replace("M1", "M3"))  # fmt: skip
    codes = {(c[0], c[1]) for c in mini.codes(today=date(2026, 11, 3))}
    assert ("wrong-folder", "invoices/2026/DRAFT-acme-WEB-M2.yaml") in codes
    assert ("numbering-format", "invoices/drafts/DRAFT-acme-WEB-M3.yaml") in codes


def test_numbers_follow_issue_dates(mini: MiniLedger) -> None:
    path = _second_invoice(mini, "0002", **{"milestone: M1\n": "", "project: WEB\n": "",
                                            "issue_date: 2026-11-02": "issue_date: 2026-11-01"})  # fmt: skip
    found = [d for d in mini.load(today=date(2026, 11, 3)).diagnostics if d.code == "numbering-date-order"]
    assert [(d.source.path, d.source.line) for d in found] == [(path, 1)]
    assert "dated 2026-11-01, before INV-2026-0001 (2026-11-02)" in found[0].message


def test_a_case_opened_on_a_draft_still_names_its_invoice_once_issued(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "sent_at: 2026-11-02T10:15:00+01:00\n",
             "sent_at: 2026-11-02T10:15:00+01:00\ndrafted_as: DRAFT-acme-WEB-M1\n")  # fmt: skip
    (issued,) = mini.load(today=date(2026, 11, 3)).ledger.invoices  # as the tool issues it: with its digest
    _replace(mini, INVOICE, "drafted_as: DRAFT-acme-WEB-M1\n",
             f"drafted_as: DRAFT-acme-WEB-M1\nissued_digest: {issued_digest(issued)}\n")  # fmt: skip
    mini.write("exceptions/EXC-20261102-a1b2c3.yaml", "id: EXC-20261102-a1b2c3\ninvoice: DRAFT-acme-WEB-M1\n"
               "reason: po_mismatch\nopened_at: 2026-11-02\n")  # fmt: skip
    assert [c[0] for c in mini.codes(today=date(2026, 11, 3))] == []


def test_duplicate_invoice_ids_in_two_year_folders(mini: MiniLedger) -> None:
    mini.write("invoices/2025/INV-2026-0001.yaml", (mini.root / INVOICE).read_text())
    codes = mini.codes()
    assert ("duplicate-id", INVOICE, 1, 5) in codes or (
        "duplicate-id",
        "invoices/2025/INV-2026-0001.yaml",
        1,
        5,
    ) in codes
    assert ("wrong-folder", "invoices/2025/INV-2026-0001.yaml", 5, 13) in codes


def test_a_sent_invoice_without_po_for_a_po_client(mini: MiniLedger) -> None:
    _replace(mini, "clients/acme.yaml", "terms_days: 30", "terms_days: 30\npo_required: true")
    assert ("po-required", INVOICE, 13, 9) in mini.codes()


def test_po_numbers_keep_their_leading_zeros(mini: MiniLedger) -> None:
    _replace(mini, "clients/acme.yaml", "terms_days: 30", "terms_days: 30\npo_required: true")
    _replace(mini, INVOICE, "currency: EUR", "currency: EUR\npo_number: 00457")
    loaded = mini.load()
    assert loaded.diagnostics == ()
    assert loaded.ledger.invoices[0].po_number == "00457"


def test_yaml_11_booleans_and_octals_stay_strings(mini: MiniLedger) -> None:
    mini.write("clients/0123.yaml", "id: 0123\nname: no\nemail: x@y.example\nsegment: standard\n")
    loaded = mini.load()
    assert loaded.diagnostics == ()
    assert loaded.ledger.clients["0123"].name == "no"


def test_a_recorded_reminder_of_a_stage_the_policy_has_dropped_is_history(mini: MiniLedger) -> None:
    _replace(
        mini,
        INVOICE,
        "status: sent",
        "reminders:\n  - {stage: nag, sent_at: 2026-11-05T08:00:00+01:00}\nstatus: sent",
    )
    assert mini.codes() == []


def test_a_sent_invoice_is_not_held_to_the_terms_in_force(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "due_date: 2026-12-02", "due_date: 2026-12-03")
    assert mini.codes() == []


def test_a_payment_before_the_issue_date(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "status: sent", "payments:\n  - {date: 2026-11-01, amount: 100.00}\nstatus: sent")
    assert ("payment-before-issue", INVOICE, 14, 12) in mini.codes()


def test_a_payment_that_is_not_positive(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "status: sent", "payments:\n  - {date: 2026-11-05, amount: 0}\nstatus: sent")
    assert ("amount-not-positive", INVOICE, 14, 32) in mini.codes()


def test_an_overpaid_invoice_is_a_warning(mini: MiniLedger) -> None:
    _replace(
        mini, INVOICE, "status: sent", "payments:\n  - {date: 2026-11-05, amount: 3000.00}\nstatus: sent"
    )
    loaded = mini.load()
    assert [(d.code, d.severity) for d in loaded.diagnostics] == [("overpaid", "warning")]


def test_an_old_draft_is_a_warning(mini: MiniLedger) -> None:
    mini.draft(INVOICE)
    assert [c[0] for c in mini.codes(today=date(2026, 11, 9))] == []
    assert [c[0] for c in mini.codes(today=date(2026, 11, 10))] == ["stale-draft"]


def test_a_long_hold_is_a_warning(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "status: sent", "hold: waiting for legal\nstatus: sent")
    assert [c[0] for c in mini.codes(today=date(2026, 11, 16))] == []
    assert [c[0] for c in mini.codes(today=date(2026, 11, 17))] == ["long-hold"]


def _exception(mini: MiniLedger, body: str) -> str:
    path = "exceptions/EXC-2026-0001.yaml"
    mini.write(
        path, "id: EXC-2026-0001\ninvoice: INV-2026-0001\nreason: dispute\nopened_at: 2026-11-05\n" + body
    )
    return path


def test_a_valid_exception(mini: MiniLedger) -> None:
    _exception(mini, "status: resolved\nresolved_at: 2026-11-06\nresolution: credit note agreed\n")
    assert mini.codes() == []


def test_an_exception_for_an_unknown_invoice(mini: MiniLedger) -> None:
    path = _exception(mini, "")
    _replace(mini, path, "invoice: INV-2026-0001", "invoice: INV-2026-0099")
    assert ("unknown-invoice", path, 2, 10) in mini.codes()


def test_an_exception_with_an_unknown_reason(mini: MiniLedger) -> None:
    path = _exception(mini, "")
    _replace(mini, path, "reason: dispute", "reason: grumpy")
    assert ("unknown-reason", path, 3, 9) in mini.codes()


def test_an_exception_resolved_before_it_was_opened(mini: MiniLedger) -> None:
    path = _exception(mini, "status: resolved\nresolved_at: 2026-11-04\nresolution: fixed\n")
    assert ("date-order", path, 6, 14) in mini.codes()


def test_a_resolved_exception_without_resolution(mini: MiniLedger) -> None:
    path = _exception(mini, "status: resolved\nresolved_at: 2026-11-06\n")
    assert ("missing-resolution", path, 5, 9) in mini.codes()


def test_a_broken_client_file_does_not_cascade(mini: MiniLedger) -> None:
    _replace(mini, "clients/acme.yaml", "segment: standard", "segment: [standard")
    codes = [c[0] for c in mini.codes()]
    assert codes == ["yaml-syntax"]


def test_every_problem_is_reported_in_one_run(mini: MiniLedger) -> None:
    _replace(mini, INVOICE, "client: acme", "client: acne")
    _replace(mini, "clients/acme.yaml", "segment: standard", "segment: vip")
    _exception(mini, "status: resolved\n")
    codes = {c[0] for c in mini.codes()}
    assert {"unknown-client", "unknown-segment", "missing-resolution", "missing-resolved-at"} <= codes


def test_one_wrong_field_gives_one_error_not_a_cascade(mini: MiniLedger) -> None:
    _replace(mini, "clients/acme.yaml", "terms_days: 30", "terms_days: '14'")
    _replace(mini, INVOICE, "status: sent", "status: paid")
    assert sorted(c[0] for c in mini.codes()) == ["invalid-status", "wrong-type"]


POLICY_EDITS = [
    ("numbering subscript", "numbering: 'INV-{year}-{seq[0]}'"),
    ("numbering placeholder twice", "numbering: 'INV-{year}-{seq:04d}-{year}'"),
    ("numbering that cannot be read back", "numbering: '{year}{seq:,}'"),
    ("numbering with a slash", "numbering: 'INV/{year}/{seq}'"),
    ("payment link with a number format", "payment_link: 'https://pay.example/{invoice_id}?a={amount:.2f}'"),
    ("payment link with an index", "payment_link: 'https://pay.example/{amount[0]}'"),
]


@pytest.mark.parametrize(("case", "line"), POLICY_EDITS, ids=[e[0] for e in POLICY_EDITS])
def test_templates_that_would_fail_later_fail_check(mini: MiniLedger, case: str, line: str) -> None:
    _replace(mini, "policy.yaml", "timezone: Europe/Berlin", f"timezone: Europe/Berlin\n{line}")
    assert ("invalid-template", "policy.yaml", 5, line.index(":") + 3) in mini.codes()


BOUNDS = [
    ("grace days", "late_fee: {grace_days: 99999999}", 5, 24),
    ("reminder offset", "reminders: {sequence: [{stage: due, offset_days: 99999999}]}", 5, 50),
    ("dso window", "review: {dso_window_days: 99999999}", 5, 27),
    ("drift weeks", "review: {drift_weeks: 1000}", 5, 23),
    ("aging bucket", "review: {aging_buckets: [0]}", 5, 26),
]


@pytest.mark.parametrize(("case", "line", "row", "col"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_policy_numbers_have_sane_bounds(mini: MiniLedger, case: str, line: str, row: int, col: int) -> None:
    _replace(mini, "policy.yaml", "timezone: Europe/Berlin", f"timezone: Europe/Berlin\n{line}")
    assert ("invalid-policy", "policy.yaml", row, col) in mini.codes()


def test_client_terms_beyond_ten_years(mini: MiniLedger) -> None:
    _replace(mini, "clients/acme.yaml", "terms_days: 30", "terms_days: 99999999\nterms_exception: why not")
    assert ("invalid-value", "clients/acme.yaml", 5, 13) in mini.codes()


def test_timestamps_count_in_the_policy_time_zone(mini: MiniLedger) -> None:
    """23:30 UTC on the 1st is already the 2nd in Berlin, the policy's zone."""
    _replace(mini, INVOICE, "sent_at: 2026-11-02T10:15:00+01:00", "sent_at: 2026-11-01T23:30:00Z")
    loaded = mini.load()
    assert loaded.diagnostics == ()
    assert loaded.ledger.invoices[0].sent_at.date().isoformat() == "2026-11-02"


def test_a_flat_late_fee_warns_about_the_other_currencies(mini: MiniLedger) -> None:
    _replace(
        mini,
        "policy.yaml",
        "timezone: Europe/Berlin",
        "timezone: Europe/Berlin\nlate_fee: {enabled: true, kind: flat, value: 40}",
    )
    loaded = mini.load()
    assert [(d.code, d.severity, d.source.line) for d in loaded.diagnostics] == [
        ("flat-fee-currency", "warning", 5)
    ]
    assert "JPY get none" in loaded.diagnostics[0].message


def test_a_past_day_sees_the_pause_of_a_case_resolved_since(mini: MiniLedger) -> None:
    from ledgerops.core.status import invoice_statuses

    _exception(mini, "status: resolved\nresolved_at: 2026-12-10\nresolution: paid after a call\n")
    ledger = mini.load(today=date(2026, 12, 11)).ledger
    assert invoice_statuses(ledger, date(2026, 12, 5))[0].state == "on_hold"
    assert invoice_statuses(ledger, date(2026, 12, 11))[0].state == "overdue"


def test_a_claim_for_a_stage_the_policy_does_not_have(mini: MiniLedger) -> None:
    _replace(
        mini,
        INVOICE,
        "status: sent",
        'claims:\n  - {stage: nag, claimed_at: 2026-11-05T08:00:00+01:00, run: "ci:1", '
        'message_id: "<x@y.example>"}\nstatus: sent',
    )
    codes = [c[0] for c in mini.codes()]
    assert "unknown-stage" in codes and "pending-claim" in codes
