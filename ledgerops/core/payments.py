"""Whether a payment may be recorded on an invoice, or the invoice voided (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledgerops.core.amounts import balance
from ledgerops.core.diagnostics import Diagnostic, diag
from ledgerops.core.model import Invoice, Payment
from ledgerops.core.money import decimal_places, minor_units
from ledgerops.core.policy import Policy
from ledgerops.core.saved import Saved


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `ledgerops pay` or `void` did."""

    invoice: Invoice
    problems: tuple[Diagnostic, ...]  # errors: nothing was written; warnings: written anyway
    written: bool
    balance: Decimal | None = None  # after the payment
    saved: Saved = field(default_factory=Saved)


def payment_problems(
    invoice: Invoice, payment: Payment, policy: Policy, today: date, total: Decimal | None = None
) -> list[Diagnostic]:
    """Errors stop the payment from being recorded; warnings (overpaid, unknown method) don't.
    `total` is the invoice's total when the caller has it (a statement's thousands of lines)."""
    where = invoice.at("payments") if invoice.payments else invoice.at("status")
    currency = invoice.currency
    problems = []
    if invoice.status == "void":
        problems.append(
            diag("invoice-void", invoice.at("status"), f"{invoice.id} is void: it takes no payments")
        )
    elif invoice.status != "sent":
        problems.append(diag("invoice-not-sent", invoice.at("status"),
                             f"{invoice.id} is a draft: it has not been sent, so nothing is owed yet"))  # fmt: skip
    if decimal_places(payment.amount) > minor_units(currency):
        problems.append(diag("amount-precision", where, f"amount {payment.amount} has more decimals than "
                             f"{currency} allows ({minor_units(currency)})"))  # fmt: skip
    if payment.amount <= 0:
        problems.append(diag("amount-not-positive", where, f"amount {payment.amount} must be > 0"))
    if payment.date < invoice.issue_date:
        problems.append(diag("payment-before-issue", where,
                             f"payment dated {payment.date}, before the issue date {invoice.issue_date}"))  # fmt: skip
    if payment.date > today:
        problems.append(diag("date-in-future", where, f"payment dated {payment.date}, after today ({today})"))
    if payment in invoice.payments:
        problems.append(diag("payment-duplicate", where, f"{invoice.id} already has a payment of {payment.amount} "
                             f"on {payment.date}" + (f" with ref '{payment.ref}'" if payment.ref else "")))  # fmt: skip
    if payment.method and payment.method not in policy.payment_methods:
        problems.append(diag("unknown-payment-method", where,
                             f"method '{payment.method}' is not in policy.payment_methods"))  # fmt: skip
    if invoice.status == "sent" and payment.amount > 0:
        left = balance(invoice, total=total) - payment.amount
        if left < 0:
            problems.append(
                diag("overpaid", where, f"with this payment {invoice.id} is overpaid by {-left} {currency}")
            )
    return problems


def void_problems(invoice: Invoice, voided_at: date, today: date) -> list[Diagnostic]:
    problems = []
    if not invoice.numbered:
        problems.append(diag("void-draft", invoice.at("status"),
                             f"{invoice.id} is a draft: it has no number to keep; delete {invoice.path} "
                             "instead"))  # fmt: skip
        return problems
    if invoice.status == "void":
        problems.append(diag("invoice-void", invoice.at("status"), f"{invoice.id} is already void"))
    if invoice.payments:
        problems.append(diag("void-has-payments", invoice.at("payments"),
                             f"{invoice.id} has {len(invoice.payments)} payment(s) recorded"))  # fmt: skip
    elif invoice.status != "void" and (invoice.status == "sent" or invoice.sent_at is not None):
        problems.append(diag("void-sent", invoice.at("sent_at"),
                             f"{invoice.id} was sent to the client; cancel it with 'ledgerops credit "
                             f"{invoice.id} --full --reason cancellation'"))  # fmt: skip
    if voided_at < invoice.issue_date:
        problems.append(diag("date-order", invoice.at("issue_date"),
                             f"voided {voided_at}, before the issue date {invoice.issue_date}"))  # fmt: skip
    if voided_at > today:
        problems.append(
            diag("date-in-future", invoice.at("status"), f"voided_at {voided_at} is after today ({today})")
        )
    return problems
