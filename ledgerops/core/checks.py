"""Every rule of docs/spec.md §4 that spans a record's fields or several records.

Field-level problems (types, unknown keys) are found while reading, before these run.
The rules come in two kinds, so that `check` can keep the answer for an unchanged invoice
(app/check.py) instead of reading it again: `check_invoice` sees one invoice with its
client, the policy and today; `ledger_checks` sees the policy, the clients, the exception
cases and, of the invoices, only their `InvoiceFacts`.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from ledgerops.core.amounts import balance, invoice_total
from ledgerops.core.diagnostics import Diagnostic, Source, diag
from ledgerops.core.en16931 import EMAIL_SCHEME, endpoint
from ledgerops.core.immutable import issued_changed
from ledgerops.core.located import Located, position_source
from ledgerops.core.model import Client, ExceptionCase, Invoice
from ledgerops.core.money import decimal_places, minor_units
from ledgerops.core.numbering import (
    DRAFTS,
    draft_id,
    draft_path,
    format_problem,
    is_draft_id,
    numbering_problem,
    parse_number,
)
from ledgerops.core.policy import PAYMENT_METHODS, Policy
from ledgerops.core.taxes import (
    TAX_REASONS,
    country_of_vat_id,
    line_reason,
    looks_like_eu_vat_id,
    reason_text,
    vat_id_problem,
)

_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_LOCALE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?\Z")
_ENGINE_REASONS = ("delivery_unknown", "final_escalation")


def _stem(record: Located) -> str:
    name = record.path.rsplit("/", 1)[-1]
    return name[:-5] if name.endswith(".yaml") else name


def _precision(
    record: Located, amount: Decimal, currency: str, keys: tuple[str | int, ...], label: str
) -> Iterator[Diagnostic]:
    places, allowed = decimal_places(amount), minor_units(currency)
    if places > allowed:
        yield diag("amount-precision", record.at(*keys),
                   f"{label} has {places} decimal place{'s' if places != 1 else ''} "
                   f"but {currency} allows {allowed}")  # fmt: skip


def _positive(
    record: Located, amount: Decimal, keys: tuple[str | int, ...], label: str
) -> Iterator[Diagnostic]:
    if amount <= 0:
        yield diag("amount-not-positive", record.at(*keys), f"{label} is {amount}; it must be > 0")


def _tax_rate(record: Located, rate: Decimal, keys: tuple[str | int, ...]) -> Iterator[Diagnostic]:
    if not 0 <= rate < 100:
        yield diag("invalid-tax-rate", record.at(*keys), f"tax_rate {rate} is not between 0 and 100")


# --- policy -----------------------------------------------------------------------------
def check_policy(policy: Policy) -> Iterator[Diagnostic]:
    for index, code in enumerate(policy.currencies):
        if not _CURRENCY.match(code):
            yield diag("invalid-value", policy.at("currencies", index),
                       f"'{code}' is not an ISO 4217 currency code like EUR")  # fmt: skip
    if policy.currency not in policy.currencies:
        yield diag("invalid-policy", policy.at("currency"),
                   f"default currency {policy.currency} is not in currencies")  # fmt: skip
    terms = policy.terms
    if terms.default_days not in terms.allowed_days:
        yield diag("invalid-policy", policy.at("terms", "default_days"),
                   f"default_days {terms.default_days} is not in allowed_days")  # fmt: skip
    yield from _check_sequence(policy)
    yield from _check_numbers(policy)
    yield from _check_templates(policy)
    if policy.bank and not iban_valid(policy.bank.iban):
        yield diag("invalid-iban", policy.at("bank", "iban"), f"'{policy.bank.iban}' is not a valid IBAN")
    for reason in _ENGINE_REASONS:
        if reason not in policy.exceptions.reasons:
            yield diag("invalid-policy", policy.at("exceptions", "reasons"),
                       f"reasons must include '{reason}': the reminder engine opens such cases")  # fmt: skip
    if not policy.segments:
        yield diag("invalid-policy", policy.at("segments"), "define at least one segment")
    for index, method in enumerate(policy.payment_methods):
        if method not in PAYMENT_METHODS:
            yield diag("unsupported-payment-method", policy.at("payment_methods", index),
                       f"'{method}' is not a payment method ledgerops knows ({', '.join(PAYMENT_METHODS)}): "
                       "invoices would name it with no details of how to pay")  # fmt: skip


def _check_sequence(policy: Policy) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    previous: int | None = None
    for index, stage in enumerate(policy.reminders.sequence):
        if stage.stage in seen:
            yield diag("invalid-policy", policy.at("reminders", "sequence", index, "stage"),
                       f"stage '{stage.stage}' appears twice")  # fmt: skip
        seen.add(stage.stage)
        if previous is not None and stage.offset_days <= previous:
            yield diag("invalid-policy", policy.at("reminders", "sequence", index, "offset_days"),
                       "stages must be listed in order of increasing offset_days")  # fmt: skip
        previous = stage.offset_days


# Ten years: no billing rule needs longer, and date arithmetic stays far from its limits.
MAX_DAYS = 3650


def _check_numbers(policy: Policy) -> Iterator[Diagnostic]:
    rules: tuple[tuple[tuple[str | int, ...], int, int, int], ...] = (
        (("reminders", "min_gap_days"), policy.reminders.min_gap_days, 0, MAX_DAYS),
        (("late_fee", "grace_days"), policy.late_fee.grace_days, 0, MAX_DAYS),
        (("review", "dso_window_days"), policy.review.dso_window_days, 1, MAX_DAYS),
        (("review", "on_time_window_days"), policy.review.on_time_window_days, 1, MAX_DAYS),
        (("review", "drift_weeks"), policy.review.drift_weeks, 1, 52),
        (("review", "stale_draft_days"), policy.review.stale_draft_days, 0, MAX_DAYS),
        (("review", "stale_hold_days"), policy.review.stale_hold_days, 0, MAX_DAYS),
        (("notify", "heartbeat_days"), policy.notify.heartbeat_days, 1, MAX_DAYS),
        (("terms", "default_days"), policy.terms.default_days, 1, MAX_DAYS),
        *(
            (("terms", "allowed_days", i), days, 1, MAX_DAYS)
            for i, days in enumerate(policy.terms.allowed_days)
        ),
        *(
            (("reminders", "sequence", i, "offset_days"), stage.offset_days, -MAX_DAYS, MAX_DAYS)
            for i, stage in enumerate(policy.reminders.sequence)
        ),
        *(
            (("review", "aging_buckets", i), edge, 1, MAX_DAYS)
            for i, edge in enumerate(policy.review.aging_buckets)
        ),
    )
    for keys, value, least, most in rules:
        if not least <= value <= most:
            yield diag("invalid-policy", policy.at(*keys),
                       f"{keys[-1] if isinstance(keys[-1], str) else keys[-2]} is {value}; "
                       f"it must be between {least} and {most}")  # fmt: skip
    buckets = policy.review.aging_buckets
    if not buckets or buckets[0] <= 0 or any(b <= a for a, b in itertools.pairwise(buckets)):
        yield diag("invalid-policy", policy.at("review", "aging_buckets"),
                   "aging_buckets must be increasing positive day counts, like [30, 60, 90]")  # fmt: skip
    for key in ("drift_min_dso_days", "drift_min_on_time_points"):
        if getattr(policy.review, key) < 0:
            yield diag("invalid-policy", policy.at("review", key), f"{key} must be 0 or more")
    fee = policy.late_fee
    if fee.enabled and fee.value <= 0:
        yield diag("invalid-policy", policy.at("late_fee", "value"), "an enabled late fee needs a value > 0")
    if fee.enabled and fee.kind == "flat":
        yield from _precision(policy, fee.value, policy.currency, ("late_fee", "value"), "late_fee value")
        others = [code for code in policy.currencies if code != policy.currency]
        if others:
            yield diag("flat-fee-currency", policy.at("late_fee", "kind"),
                       f"a flat late fee is charged only on invoices in {policy.currency}; invoices in "
                       f"{', '.join(others)} get none")  # fmt: skip


def _check_templates(policy: Policy) -> Iterator[Diagnostic]:
    problem = numbering_problem(policy.numbering)
    if problem:
        yield diag("invalid-template", policy.at("numbering"), problem)
    if policy.payment_link:
        sample = {
            "invoice_id": "INV-2026-0001",
            "reference": "RF16INV20260001",
            "amount": "1.00",
            "currency": "EUR",
        }
        problem = format_problem(policy.payment_link, sample, ())
        if problem:
            yield diag("invalid-template", policy.at("payment_link"), problem)


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check; spaces are allowed as people write them."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", compact):
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


# --- clients ----------------------------------------------------------------------------
def check_client(client: Client, policy: Policy) -> Iterator[Diagnostic]:
    if client.id != _stem(client):
        yield diag("id-mismatch", client.at("id"), f"id '{client.id}' but the file is {client.path}")
    if client.segment not in policy.segments:
        yield diag("unknown-segment", client.at("segment"),
                   f"segment '{client.segment}' is not in policy.segments "
                   f"({', '.join(policy.segments)})")  # fmt: skip
    if client.currency and client.currency not in policy.currencies:
        yield diag("unknown-currency", client.at("currency"),
                   f"currency {client.currency} is not in policy.currencies")  # fmt: skip
    if client.locale and not _LOCALE.match(client.locale):
        yield diag("invalid-value", client.at("locale"),
                   f"locale '{client.locale}' should look like de_DE or en")  # fmt: skip
    if client.terms_days is not None:
        if not 0 < client.terms_days <= MAX_DAYS:
            yield diag("invalid-value", client.at("terms_days"),
                       f"terms_days must be between 1 and {MAX_DAYS}")  # fmt: skip
        elif client.terms_days not in policy.terms.allowed_days and not client.terms_exception:
            yield diag("terms-not-allowed", client.at("terms_days"),
                       f"terms_days {client.terms_days} is not in policy.terms.allowed_days "
                       f"{list(policy.terms.allowed_days)}")  # fmt: skip
    if client.iban and not iban_valid(client.iban):
        yield diag("invalid-iban", client.at("iban"), f"'{client.iban}' is not a valid IBAN")
    yield from _check_milestones(client, client_currency(client, policy))
    yield from _check_einvoice(client, policy)


def client_einvoice(client: Client, policy: Policy) -> str:
    """The e-invoice format of a client: its own `einvoice`, else the policy's."""
    return client.einvoice or policy.einvoice


def _check_einvoice(client: Client, policy: Policy) -> Iterator[Diagnostic]:
    """An e-invoice names the seller's and the buyer's country (BT-40, BT-55)."""
    chosen = client_einvoice(client, policy)
    if chosen == "none":
        return
    where = client.at("einvoice") if client.einvoice else client.at("id")
    source = f"einvoice: {chosen}" + ("" if client.einvoice else " (from policy.einvoice)")
    if not (client.country or country_of_vat_id(client.tax_id)):
        yield diag("einvoice-country-missing", where,
                   f"client '{client.id}' gets e-invoices ({source}) but has no country")  # fmt: skip
    if not (policy.company.country or country_of_vat_id(policy.company.tax_id)):
        yield diag("einvoice-country-missing", where,
                   f"client '{client.id}' gets e-invoices ({source}) but policy.yaml has no "
                   "company.country")  # fmt: skip
    yield from _check_national_rules(client, policy, chosen, where, source)


def _check_national_rules(client: Client, policy: Policy, chosen: str, where: Source,
                          source: str) -> Iterator[Diagnostic]:  # fmt: skip
    """What XRechnung (BR-DE-5/6) and Peppol (an EAS electronic address) refuse to go without."""
    company = policy.company
    seller_country = company.country or country_of_vat_id(company.tax_id)
    buyer_country = client.country or country_of_vat_id(client.tax_id)
    german = chosen == "peppol-ubl" and seller_country == buyer_country == "DE"
    if (chosen == "xrechnung-cii" or german) and not (company.contact_name and company.phone):
        yield diag("seller-contact-missing", where,
                   f"client '{client.id}' gets e-invoices ({source}) but policy.yaml has no "
                   "company.contact_name or company.phone")  # fmt: skip
    if chosen != "peppol-ubl":
        return
    for who, found in (
        (f"client '{client.id}'", endpoint(client.peppol_id, client.tax_id, buyer_country, "")),
        ("your company", endpoint(company.peppol_id, company.tax_id, seller_country, "")),
    ):
        if found[0] == EMAIL_SCHEME:
            yield diag("peppol-id-missing", where,
                       f"{who} has no peppol_id and no tax id to derive one from ({source})")  # fmt: skip


def _check_milestones(client: Client, currency: str) -> Iterator[Diagnostic]:
    for code, project in client.projects.items():
        for key, milestone in project.milestones.items():
            keys = ("projects", code, "milestones", key)
            if milestone.amount is not None:
                label = f"milestone {code}/{key} amount"
                yield from _precision(client, milestone.amount, currency, (*keys, "amount"), label)
                yield from _positive(client, milestone.amount, (*keys, "amount"), label)
            yield from _tax_rate(client, milestone.tax_rate, (*keys, "tax_rate"))


def client_currency(client: Client, policy: Policy) -> str:
    return client.currency or policy.currency


def client_terms(client: Client | None, policy: Policy) -> int:
    if client and client.terms_days:
        return client.terms_days
    return policy.terms.default_days


# --- invoices ---------------------------------------------------------------------------
def check_invoice(
    invoice: Invoice, client: Client | None, client_broken: bool, policy: Policy, today: date
) -> list[Diagnostic]:
    """One invoice's problems. `client_broken`: its client's file exists but failed to load."""
    found = list(_check_invoice_file(invoice))
    if client is None and not client_broken:
        found.append(diag("unknown-client", invoice.at("client"),
                          f"client '{invoice.client}' has no file clients/{invoice.client}.yaml"))  # fmt: skip
    found.extend(_check_invoice_money(invoice, client, policy))
    found.extend(_check_invoice_dates(invoice, client, policy))
    found.extend(_check_invoice_status(invoice, client, policy, today))
    found.extend(_check_claims(invoice, policy))
    if invoice.status == "draft":
        found.extend(_check_legal_content(invoice, client, policy))
    elif issued_changed(invoice):
        found.append(diag("issued-changed", invoice.at("issued_digest"),
                          f"{invoice.id} was issued and its billed content (client, lines, amounts, tax, "
                          "dates, currency, number or PO) has changed since"))  # fmt: skip
    elif invoice.drafted_as is not None and invoice.issued_digest is None:
        # The tool writes drafted_as and issued_digest in one edit: one without the other
        # means the digest was deleted, which would let an edit of the billed content pass.
        found.append(diag("issued-digest-missing", invoice.at("drafted_as"),
                          f"{invoice.id} was issued from {invoice.drafted_as} but its issued_digest "
                          "is gone, so a change of what was billed could not be seen"))  # fmt: skip
    return found


def verdict_dates(invoice: Invoice, policy: Policy) -> frozenset[date]:
    """The days on which `check_invoice`'s answer for this invoice may differ from the day before.

    Between two such days the answer stays the same, so it can be kept (app/check.py).
    Only the stale-draft and long-hold rules read `today`: they turn on after a number of
    days, and long-hold also looks at the balance, which moves with each dated payment or fee.
    """
    review = policy.review
    days = {
        _later(invoice.issue_date, review.stale_draft_days + 1),
        _later(invoice.issue_date, review.stale_hold_days + 1),
    }
    days.update(payment.date for payment in invoice.payments)
    days.update(fee.date for fee in invoice.late_fees)
    return frozenset(days)


def _later(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def _check_invoice_file(invoice: Invoice) -> Iterator[Diagnostic]:
    if invoice.id != _stem(invoice):
        yield diag("id-mismatch", invoice.at("id"), f"id '{invoice.id}' but the file is {invoice.path}")
    if is_draft_id(invoice.id):
        if invoice.status != "draft":
            yield diag("numbering-format", invoice.at("id"),
                       f"'{invoice.id}' is {invoice.status} but has no invoice number; an invoice "
                       "is numbered when ledgerops issues it")  # fmt: skip
        elif not invoice.path.startswith(f"{DRAFTS}/"):
            yield diag("wrong-folder", invoice.at("id"), f"a draft's file belongs in {DRAFTS}/")
        return
    expected = f"invoices/{invoice.issue_date.year}/"
    if not invoice.path.startswith(expected):
        yield diag("wrong-folder", invoice.at("issue_date"),
                   f"issued in {invoice.issue_date.year}, so the file belongs in {expected}")  # fmt: skip
    if not invoice.numbered:
        suggested = draft_id(invoice.client, invoice.project or "PROJECT", invoice.milestone or "MILESTONE")
        yield diag("draft-numbered", invoice.at("id"),
                   f"draft {invoice.id} carries an invoice number, but a draft is numbered when it is "
                   f"issued: move it to {draft_path(suggested)} with id: {suggested}")  # fmt: skip


def _check_invoice_money(invoice: Invoice, client: Client | None, policy: Policy) -> Iterator[Diagnostic]:
    currency = invoice.currency
    if currency not in policy.currencies:
        yield diag("unknown-currency", invoice.at("currency"),
                   f"currency {currency} is not in policy.currencies")  # fmt: skip
    elif client and client_currency(client, policy) != currency:
        yield diag("currency-mismatch", invoice.at("currency"),
                   f"invoice in {currency}, but client '{client.id}' is billed in "
                   f"{client_currency(client, policy)}")  # fmt: skip
    if not invoice.lines:
        yield diag("missing-field", invoice.at("lines"), "an invoice needs at least one line")
    keys: tuple[str | int, ...]
    for index, line in enumerate(invoice.lines):
        keys = ("lines", index)
        yield from _precision(invoice, line.unit_price, currency, (*keys, "unit_price"), "unit_price")
        yield from _positive(invoice, line.quantity, (*keys, "quantity"), "quantity")
        yield from _tax_rate(invoice, line.tax_rate, (*keys, "tax_rate"))
    total = invoice_total(invoice)
    if invoice.lines and total <= 0:
        yield diag("amount-not-positive", invoice.at("lines"), "the invoice total must be > 0")
    for index, payment in enumerate(invoice.payments):
        keys = ("payments", index, "amount")
        yield from _precision(invoice, payment.amount, currency, keys, "payment amount")
        yield from _positive(invoice, payment.amount, keys, "payment amount")
        if payment.method and payment.method not in policy.payment_methods:
            yield diag("unknown-payment-method", invoice.at("payments", index, "method"),
                       f"method '{payment.method}' is not in policy.payment_methods")  # fmt: skip
    for index, fee in enumerate(invoice.late_fees):
        keys = ("late_fees", index, "amount")
        yield from _precision(invoice, fee.amount, currency, keys, "late fee")
        yield from _positive(invoice, fee.amount, keys, "late fee")
    remaining = balance(invoice, total=total)
    if invoice.lines and invoice.status != "void" and remaining < 0:
        yield diag("overpaid", invoice.at("payments"),
                   f"payments exceed the amount due by {-remaining} {currency}")  # fmt: skip


def _check_invoice_dates(invoice: Invoice, client: Client | None, policy: Policy) -> Iterator[Diagnostic]:
    if invoice.due_date < invoice.issue_date:
        yield diag("date-order", invoice.at("due_date"), "due_date is before issue_date")
    elif invoice.status == "draft" and client and not (invoice.terms_exception or client.terms_exception):
        days = client_terms(client, policy)
        expected = invoice.issue_date + timedelta(days=days)
        if invoice.due_date != expected:
            yield diag("due-date-terms", invoice.at("due_date"),
                       f"due_date {invoice.due_date} should be {expected} "
                       f"(issue_date + {days} days of terms)")  # fmt: skip
    if invoice.sent_at and invoice.sent_at.date() < invoice.issue_date:
        yield diag("date-order", invoice.at("sent_at"), "sent_at is before issue_date")
    if invoice.voided_at and invoice.voided_at < invoice.issue_date:
        yield diag("date-order", invoice.at("voided_at"), "voided_at is before issue_date")
    for index, payment in enumerate(invoice.payments):
        if payment.date < invoice.issue_date:
            yield diag("payment-before-issue", invoice.at("payments", index, "date"),
                       f"payment dated {payment.date}, before the issue date {invoice.issue_date}")  # fmt: skip
    for index, fee in enumerate(invoice.late_fees):
        if fee.date < invoice.due_date:
            yield diag("date-order", invoice.at("late_fees", index, "date"),
                       "a late fee dated before the due date")  # fmt: skip
    # A recorded reminder is history: a stage the policy has since dropped is no error.
    stages = {stage.stage for stage in policy.reminders.sequence}
    for index, reminder in enumerate(invoice.reminders if invoice.status == "draft" else ()):
        if reminder.stage not in stages:
            yield diag("unknown-stage", invoice.at("reminders", index, "stage"),
                       f"stage '{reminder.stage}' is not in policy.reminders.sequence")  # fmt: skip


def _check_invoice_status(
    invoice: Invoice, client: Client | None, policy: Policy, today: date
) -> Iterator[Diagnostic]:
    if invoice.status == "sent" and invoice.sent_at is None:
        yield diag("missing-sent-at", invoice.at("status"), "status is sent but sent_at is missing")
    if invoice.status == "void" and invoice.voided_at is None:
        yield diag("missing-voided-at", invoice.at("status"), "status is void but voided_at is missing")
    if client and client.po_required and not invoice.po_number:
        if invoice.status == "sent":
            yield diag("po-required", invoice.at("status"),
                       f"client '{client.id}' requires a PO number, and this invoice was sent without one")  # fmt: skip
        elif invoice.status == "draft":
            yield diag("po-missing", invoice.at("id"),
                       f"client '{client.id}' requires a PO number before sending")  # fmt: skip
    if invoice.status == "draft" and invoice.project and client and invoice.milestone:
        project = client.projects.get(invoice.project)
        if project is None or invoice.milestone not in project.milestones:
            yield diag("unknown-project", invoice.at("milestone"),
                       f"client '{client.id}' has no milestone {invoice.project}/{invoice.milestone}")  # fmt: skip
    if invoice.milestone and not invoice.project:
        yield diag("missing-field", invoice.at("milestone"), "a milestone needs its project")
    review = policy.review
    if invoice.status == "draft" and (today - invoice.issue_date).days > review.stale_draft_days:
        yield diag("stale-draft", invoice.at("status"),
                   f"draft since {invoice.issue_date}, more than {review.stale_draft_days} days")  # fmt: skip
    held_long = (today - invoice.issue_date).days > review.stale_hold_days
    if invoice.hold and held_long and invoice.status != "void" and balance(invoice, today) > 0:
        yield diag("long-hold", invoice.at("hold"),
                   f"on hold and issued {invoice.issue_date}, more than "
                   f"{review.stale_hold_days} days ago")  # fmt: skip


# --- legal content: drafts only (docs/spec.md §4.5) --------------------------------------------
LEGAL_CONTENT_CODES = frozenset({
    "service-date-missing", "buyer-address-missing", "buyer-vat-id-missing", "invalid-vat-id",
    "tax-reason-missing", "tax-reason-text-missing", "seller-address-missing", "seller-tax-id-missing",
    "bank-details-missing",
})  # fmt: skip


def _check_legal_content(invoice: Invoice, client: Client | None, policy: Policy) -> Iterator[Diagnostic]:
    """What an invoice must state before it is sent. Issued invoices are not held to these
    rules: they were sent as they are, and a correction is a credit note."""
    if invoice.service_date is None and invoice.service_period is None:
        yield diag("service-date-missing", invoice.at("id"),
                   "the invoice states no service_date (or service_period): when was the work delivered?")  # fmt: skip
    period = invoice.service_period
    if period is not None and period.end < period.start:
        yield diag(
            "date-order", invoice.at("service_period", "end"), "the service period ends before it starts"
        )
    if client is None:
        return
    if not client.address:
        yield diag("buyer-address-missing", invoice.at("client"),
                   f"client '{client.id}' has no address, and an invoice must state the buyer's address")  # fmt: skip
    needs_vat_id = []
    for index, line in enumerate(invoice.lines):
        if line.tax_reason is not None and line.tax_rate != 0:
            yield diag("invalid-value", invoice.at("lines", index, "tax_reason"),
                       f"tax_reason '{line.tax_reason}' on a line taxed at {line.tax_rate} %: "
                       "a reason is given only for 0 % lines")  # fmt: skip
        reason = line_reason(line, client)
        if line.tax_rate == 0 and reason is None:
            yield diag("tax-reason-missing", invoice.at("lines", index, "tax_rate"),
                       "a 0 % line must say why it carries no VAT: give the line a tax_reason, or the "
                       f"client '{client.id}' a tax_treatment")  # fmt: skip
        elif reason is not None and reason_text(reason, policy) is None:
            yield diag("tax-reason-text-missing", invoice.at("lines", index, "tax_rate"),
                       f"the reason '{reason}' needs its legal text in policy.tax_reasons.{reason}")  # fmt: skip
        elif reason is not None and TAX_REASONS[reason].needs_buyer_vat_id:
            needs_vat_id.append(reason)
    if needs_vat_id:
        yield from _check_buyer_vat_id(invoice, client, needs_vat_id[0])
        if not (policy.company.tax_id and looks_like_eu_vat_id(policy.company.tax_id)):
            yield diag("seller-tax-id-missing", invoice.at("client"),
                       f"'{needs_vat_id[0]}' needs your own EU VAT id as company.tax_id in policy.yaml")  # fmt: skip


def _check_buyer_vat_id(invoice: Invoice, client: Client, reason: str) -> Iterator[Diagnostic]:
    if not client.tax_id:
        yield diag("buyer-vat-id-missing", invoice.at("client"),
                   f"'{reason}' needs the VAT id of client '{client.id}' (tax_id in its file)")  # fmt: skip
        return
    problem = vat_id_problem(client.tax_id)
    if problem:
        yield diag("invalid-vat-id", invoice.at("client"), f"client '{client.id}': {problem}")


def check_seller(policy: Policy, drafts: Sequence[InvoiceFacts]) -> Iterator[Diagnostic]:
    """The sender's details every invoice states, reported once (at the policy) while any
    draft is waiting to be sent; a ledger of issued invoices only is not held to them."""
    if not drafts:
        return
    first = drafts[0].id + (f" and {len(drafts) - 1} more" if len(drafts) > 1 else "")
    company = policy.company
    if not company.address:
        yield diag("seller-address-missing", policy.at("company"),
                   f"company.address is missing; every invoice states it (drafts: {first})")  # fmt: skip
    if not company.tax_id:
        yield diag("seller-tax-id-missing", policy.at("company"),
                   f"company.tax_id (your VAT id or tax number) is missing; every invoice states it "
                   f"(drafts: {first})")  # fmt: skip
    elif looks_like_eu_vat_id(company.tax_id):
        problem = vat_id_problem(company.tax_id)
        if problem:
            yield diag("invalid-vat-id", policy.at("company", "tax_id"), f"company.tax_id: {problem}")
    if "bank_transfer" in policy.payment_methods and policy.bank is None:
        yield diag("bank-details-missing", policy.at("payment_methods"),
                   f"bank_transfer is offered but the policy has no bank (iban, bic) to print "
                   f"(drafts: {first})")  # fmt: skip


class InvoiceFacts(NamedTuple):
    """What the whole-ledger rules need of one invoice: small, so that 100,000 of them are
    cheap to keep between runs. Positions are packed as in Located.pos."""

    id: str
    path: str
    year: int  # of the issue date
    status: str
    client: str
    project: str | None
    milestone: str | None
    id_position: int
    milestone_position: int
    issue_day: int  # the issue date's ordinal
    drafted_as: str | None

    @property
    def numbered(self) -> bool:
        """As Invoice.numbered: issued, so part of the year's sequence."""
        return self.status != "draft" or self.drafted_as is not None

    def at(self, position: int) -> Source:
        return position_source(self.path, position)


def invoice_facts(invoice: Invoice) -> InvoiceFacts:
    return InvoiceFacts(
        invoice.id,
        invoice.path,
        invoice.issue_date.year,
        invoice.status,
        invoice.client,
        invoice.project,
        invoice.milestone,
        invoice.pos.get("id", 0),
        invoice.pos.get("milestone", 0),
        invoice.issue_date.toordinal(),
        invoice.drafted_as,
    )


def ledger_checks(
    policy: Policy,
    clients: Sequence[Client],
    invoices: Sequence[InvoiceFacts],
    broken_invoices: Collection[str],
    exceptions: Sequence[ExceptionCase],
    today: date,
) -> list[Diagnostic]:
    """The policy's own rules, each client's, and every rule that spans several records."""
    found = list(check_policy(policy))
    for client in clients:
        found.extend(check_client(client, policy))
    found.extend(check_seller(policy, [facts for facts in invoices if facts.status == "draft"]))
    found.extend(check_number_series(invoices, policy.numbering, broken_invoices))
    found.extend(_check_milestones_once(invoices))
    known = {facts.id for facts in invoices} | {facts.drafted_as for facts in invoices if facts.drafted_as}
    for case in exceptions:
        found.extend(_check_exception(case, known, broken_invoices, policy, today))
    return found


def check_number_series(
    invoices: Sequence[InvoiceFacts], template: str, broken: Collection[str], noun: str = "invoices"
) -> Iterator[Diagnostic]:
    """One gap-free sequence per year, in issue-date order; drafts have no number yet (a
    numbered draft is reported by its own file's check). Credit notes have their own."""
    if numbering_problem(template):
        return
    first_file: dict[str, InvoiceFacts] = {}
    issued: dict[int, dict[int, InvoiceFacts]] = defaultdict(dict)
    for invoice in invoices:
        if invoice.id in first_file:
            yield diag("duplicate-id", invoice.at(invoice.id_position),
                       f"'{invoice.id}' is also used by {first_file[invoice.id].path}")  # fmt: skip
            continue
        first_file[invoice.id] = invoice
        if is_draft_id(invoice.id) or not invoice.numbered:
            continue
        parsed = parse_number(template, invoice.id)
        if parsed is None:
            yield diag("numbering-format", invoice.at(invoice.id_position),
                       f"'{invoice.id}' does not follow the numbering '{template}'")  # fmt: skip
            continue
        year, seq = parsed
        if year != invoice.year:
            yield diag("numbering-format", invoice.at(invoice.id_position),
                       f"'{invoice.id}' is numbered for {year} but issued in {invoice.year}")  # fmt: skip
            continue
        issued[year][seq] = invoice
    for year, by_seq in issued.items():
        previous = 0
        latest: InvoiceFacts | None = None
        for seq in sorted(by_seq):
            invoice = by_seq[seq]
            if seq != previous + 1 and not _broken_in_gap(broken, template, year, previous, seq):
                missing = template.format(year=year, seq=previous + 1)
                yield diag("numbering-gap", invoice.at(invoice.id_position),
                           f"{missing} is missing: the issued {noun} of {year} jump from "
                           f"{previous:d} to {seq:d}")  # fmt: skip
            if latest is not None and invoice.issue_day < latest.issue_day:
                yield diag("numbering-date-order", invoice.at(invoice.id_position),
                           f"{invoice.id} is dated {date.fromordinal(invoice.issue_day)}, before "
                           f"{latest.id} ({date.fromordinal(latest.issue_day)})")  # fmt: skip
            else:
                latest = invoice
            previous = seq


def _broken_in_gap(broken: Collection[str], template: str, year: int, low: int, high: int) -> bool:
    """A gap filled by files that failed to load is that file's error, not a numbering one."""
    return all(template.format(year=year, seq=seq) in broken for seq in range(low + 1, high))


def _check_milestones_once(invoices: Sequence[InvoiceFacts]) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str, str], InvoiceFacts] = {}
    for invoice in invoices:
        if invoice.project and invoice.milestone and invoice.status != "void":
            key = (invoice.client, invoice.project, invoice.milestone)
            if key in first:
                yield diag("duplicate-milestone", invoice.at(invoice.milestone_position),
                           f"milestone {invoice.project}/{invoice.milestone} of '{invoice.client}' "
                           f"is already invoiced by {first[key].id}")  # fmt: skip
            else:
                first[key] = invoice


# --- exceptions -------------------------------------------------------------------------
def _check_exception(
    case: ExceptionCase, known: Collection[str], broken: Collection[str], policy: Policy, today: date
) -> Iterator[Diagnostic]:
    if case.id != _stem(case):
        yield diag("id-mismatch", case.at("id"), f"id '{case.id}' but the file is {case.path}")
    if case.invoice is None:
        if case.reason != "unmatched_payment":
            yield diag("missing-field", case.at("id"), "'invoice' is missing: only an unmatched_payment "
                       "case may name no invoice")  # fmt: skip
    elif case.invoice not in known and case.invoice not in broken:
        yield diag("unknown-invoice", case.at("invoice"), f"invoice '{case.invoice}' does not exist")
    if case.status == "open" and case.reason not in policy.exceptions.reasons:
        yield diag("unknown-reason", case.at("reason"),
                   f"reason '{case.reason}' is not in policy.exceptions.reasons")  # fmt: skip
    if case.status == "resolved":
        if not case.resolution:
            yield diag("missing-resolution", case.at("status"), "resolved, but no resolution is written")
        if case.resolved_at is None:
            yield diag("missing-resolved-at", case.at("status"), "resolved, but resolved_at is missing")
    if case.resolved_at and case.resolved_at < case.opened_at:
        yield diag("date-order", case.at("resolved_at"),
                   f"resolved {case.resolved_at}, before it was opened {case.opened_at}")  # fmt: skip
    if case.until and case.until < case.opened_at:
        yield diag("date-order", case.at("until"), "until is before opened_at")
    if case.status == "open" and (today - case.opened_at).days > policy.review.stale_hold_days:
        yield diag("long-hold", case.at("opened_at"),
                   f"open since {case.opened_at}, more than {policy.review.stale_hold_days} days")  # fmt: skip


def _check_claims(invoice: Invoice, policy: Policy) -> Iterator[Diagnostic]:
    """A claim is the tool's own mark of an email in flight; left behind, it needs a look."""
    if not invoice.claims:
        return
    stages = {stage.stage for stage in policy.reminders.sequence} | {"invoice"}
    for index, claim in enumerate(invoice.claims):
        if claim.stage not in stages:
            yield diag("unknown-stage", invoice.at("claims", index, "stage"),
                       f"claimed stage '{claim.stage}' is not in policy.reminders.sequence")  # fmt: skip
        yield diag("pending-claim", invoice.at("claims", index),
                   f"run {claim.run} claimed the '{claim.stage}' email at "
                   f"{claim.claimed_at.isoformat()} and has not recorded its outcome")  # fmt: skip
