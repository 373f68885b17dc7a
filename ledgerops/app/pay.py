"""`ledgerops pay` and `ledgerops void`: record a payment, or void an invoice, by a
round-trip edit of its file, validated first, then committed."""

from __future__ import annotations

from datetime import date

from ledgerops.app.failures import expected_failures
from ledgerops.app.records import (
    commit_files,
    edit_record,
    errors_in,
    find_invoice,
    load_for_writing,
    one_line,
    require_committed,
)
from ledgerops.context import Context
from ledgerops.core.amounts import balance
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.model import Invoice, Ledger, Payment
from ledgerops.core.money import parse_amount
from ledgerops.core.payments import Recorded, payment_problems, void_problems
from ledgerops.errors import LedgerHasErrors, UsageError
from ledgerops.yamlfile.edit import AppendItem, SetValue
from ledgerops.yamlfile.schema import INVOICE


def pay(
    ctx: Context,
    invoice_id: str,
    amount: str,
    paid_on: date,
    method: str | None,
    ref: str | None,
    *,
    commit: bool,
) -> Recorded:
    value = parse_amount(amount.strip())
    if value is None or value <= 0:
        raise UsageError(
            f"--amount '{amount}' is not a decimal number like 1847.61 (above 0, at most 15 digits before the point)"
        )
    method, ref = one_line("--method", method), one_line("--ref", ref)
    payment = Payment(paid_on, value, method or None, ref or None)
    invoice, ledger, today = _load(ctx, invoice_id)
    problems = tuple(payment_problems(invoice, payment, ledger.policy, today))
    if has_errors(problems):
        return Recorded(invoice, problems, written=False)
    require_committed(ctx.ledger_dir, [invoice.path], commit)
    item = {"date": payment.date, "amount": payment.amount, "method": payment.method, "ref": payment.ref}
    with expected_failures():
        path = edit_record(ctx.ledger_dir, invoice.path, [AppendItem.of("payments", item)], INVOICE)
        message = f"pay: {invoice.id} {payment.amount} {invoice.currency} on {payment.date}"
        sha = commit_files(ctx.ledger_dir, [path], message, commit)
    left = balance(invoice) - payment.amount
    return Recorded(invoice, problems, written=True, balance=left, commit=sha)


def void(ctx: Context, invoice_id: str, reason: str, voided_at: date | None, *, commit: bool) -> Recorded:
    invoice, _, today = _load(ctx, invoice_id)
    day = voided_at or today
    problems = tuple(void_problems(invoice, day, today))
    if has_errors(problems):
        return Recorded(invoice, problems, written=False)
    require_committed(ctx.ledger_dir, [invoice.path], commit)
    changes = [SetValue("status", "void"), SetValue("voided_at", day), SetValue("void_reason", reason)]
    with expected_failures():
        path = edit_record(ctx.ledger_dir, invoice.path, changes, INVOICE)
        sha = commit_files(ctx.ledger_dir, [path], f"void: {invoice.id} ({reason})", commit)
    return Recorded(invoice, problems, written=True, commit=sha)


def _load(ctx: Context, invoice_id: str) -> tuple[Invoice, Ledger, date]:
    """Errors elsewhere in the ledger don't stop a payment; errors in its invoice do."""
    ledger, loaded = load_for_writing(ctx, must_be_valid=[])
    invoice = find_invoice(ledger, invoice_id)
    if errors_in(loaded.diagnostics, invoice.path):
        raise LedgerHasErrors(f"{invoice.path} has errors; run 'ledgerops check' and fix them first")
    return invoice, ledger, loaded.today
