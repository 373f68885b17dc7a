"""`ledgerops pay`: record a payment by a round-trip edit of its invoice file, validated
first, then committed (and pushed) by the rule of records.plan_saving."""

from __future__ import annotations

from datetime import date

from ledgerops.app.records import edit_record, load_invoice, one_line, plan_saving, save
from ledgerops.context import Context
from ledgerops.core.amounts import balance
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.errors import UsageError
from ledgerops.core.model import Payment
from ledgerops.core.money import parse_amount
from ledgerops.core.payments import Recorded, payment_problems
from ledgerops.yamlfile.edit import AppendItem, Scalar
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
    push: bool | None = None,
) -> Recorded:
    value = parse_amount(amount.strip())
    if value is None or value <= 0:
        raise UsageError(
            f"--amount '{amount}' is not a decimal number like 1847.61 (above 0, at most 15 digits before the point)"
        )
    method, ref = one_line("--method", method), one_line("--ref", ref)
    payment = Payment(paid_on, value, method or None, ref or None)
    invoice, ready = load_invoice(ctx, invoice_id)
    ledger, today = ready.ledger, ready.today
    problems = tuple(payment_problems(invoice, payment, ledger.policy, today))
    if has_errors(problems):
        return Recorded(invoice, problems, written=False)
    saving = plan_saving(ctx.ledger_dir, ledger, [invoice.path], commit, push)
    item: dict[str, Scalar | None] = {
        "date": payment.date,
        "amount": payment.amount,
        "method": payment.method,
        "ref": payment.ref,
    }
    changes = [AppendItem.of("payments", item)]
    path = edit_record(ctx.ledger_dir, invoice.path, changes, INVOICE, ready.read_as(invoice.path))
    message = f"pay: {invoice.id} {payment.amount} {invoice.currency} on {payment.date}"
    saved = save(ctx.ledger_dir, saving, [path], message)
    left = balance(invoice) - payment.amount
    return Recorded(invoice, problems, written=True, balance=left, saved=saved)
