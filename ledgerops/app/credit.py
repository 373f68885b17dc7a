"""`ledgerops credit`: a draft credit note for an issued invoice, validated as `check` would
validate it, then written and committed (docs/spec.md §2.6). It lowers the invoice's balance
from its date; `send` and `run` do not number or email credit notes yet."""

from __future__ import annotations

from dataclasses import dataclass

from ledgerops.app.load import credit_note_checks, load_ledger, valid_in
from ledgerops.app.records import create_record, find_invoice, one_line, plan_saving, save, unreadable_invoice
from ledgerops.context import Context
from ledgerops.core.amounts import balance, invoice_total
from ledgerops.core.credits import (
    Credited,
    CreditProblem,
    credit_draft_id,
    credit_draft_path,
    lines_by_number,
    lines_for_amount,
    lines_for_rest,
)
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.errors import UsageError
from ledgerops.core.model import CreditNote, Invoice, Line
from ledgerops.core.money import decimal_places, minor_units, parse_amount
from ledgerops.yamlfile.schema import CREDIT_NOTE


@dataclass(frozen=True)
class What:
    """Exactly one of: an amount incl. tax, line numbers (1-based), everything left."""

    amount: str | None = None
    lines: str | None = None
    full: bool = False


def credit(
    ctx: Context,
    invoice_id: str,
    what: What,
    reason: str,
    case: str | None,
    note: str | None,
    *,
    commit: bool,
    push: bool | None = None,
) -> Credited:
    if sum((what.amount is not None, what.lines is not None, what.full)) != 1:
        raise UsageError("say what to credit: one of --amount A, --lines N[,N...] or --full")
    note = one_line("--note", note)
    ready = load_ledger(ctx, valid_in())
    broken = unreadable_invoice(ready, invoice_id)
    if broken is not None:
        raise broken
    ledger = ready.ledger
    invoice = find_invoice(ledger, invoice_id)
    others = [n for n in ledger.credit_notes if n.credits == invoice.id]
    try:
        lines = _lines(invoice, what, reason, others)
    except CreditProblem as problem:
        raise UsageError(f"{problem}; nothing was changed") from problem
    taken = {n.id for n in ledger.credit_notes} | {n.drafted_as for n in ledger.credit_notes if n.drafted_as}
    note_id = credit_draft_id(invoice.id, taken)
    path = credit_draft_path(note_id)
    draft = CreditNote(note_id, invoice.id, invoice.client, invoice.currency, ready.today, reason, lines,
                       case=case, note=note or None, path=path)  # fmt: skip
    problems = tuple(
        credit_note_checks(
            ledger.policy,
            [*ledger.credit_notes, draft],
            ledger.invoices,
            ledger.broken_invoices,
            ledger.exceptions,
        )
    )
    mine = tuple(d for d in problems if d.source.path == path)
    if has_errors(mine):
        return Credited(invoice, draft, mine, written=False)
    saving = plan_saving(ctx.ledger_dir, ledger, [path], commit, push)
    written = create_record(ctx.ledger_dir, path, draft, CREDIT_NOTE)
    amount = invoice_total(draft)
    message = f"credit: {invoice.id} {amount} {invoice.currency} ({reason}) as {note_id}"
    saved = save(ctx.ledger_dir, saving, [written], message)
    left = balance(invoice, ready.today) - amount
    return Credited(invoice, draft, mine, written=True, balance=left, saved=saved)


def _lines(invoice: Invoice, what: What, reason: str, others: list[CreditNote]) -> tuple[Line, ...]:
    if what.amount is not None:
        value = parse_amount(what.amount.strip())
        if value is None or value <= 0 or decimal_places(value) > minor_units(invoice.currency):
            raise UsageError(
                f"--amount '{what.amount}' is not an amount of {invoice.currency} like 119.00 (above 0, "
                "tax included)"
            )
        return lines_for_amount(invoice, value, reason)
    if what.lines is not None:
        try:
            numbers = [int(part) for part in what.lines.split(",")]
        except ValueError:
            raise UsageError(f"--lines '{what.lines}' is not a list of line numbers like 1,3") from None
        return lines_by_number(invoice, numbers)
    return lines_for_rest(invoice, others)
