"""`ledgerops void`: void an invoice (it keeps its number) by a round-trip edit, then commit."""

from __future__ import annotations

from datetime import date

from ledgerops.app.records import commit_files, edit_record, load_invoice, require_committed
from ledgerops.context import Context
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.payments import Recorded, void_problems
from ledgerops.yamlfile.edit import SetValue
from ledgerops.yamlfile.schema import INVOICE


def void(ctx: Context, invoice_id: str, reason: str, voided_at: date | None, *, commit: bool) -> Recorded:
    invoice, ready = load_invoice(ctx, invoice_id)
    today = ready.today
    day = voided_at or today
    problems = tuple(void_problems(invoice, day, today))
    if has_errors(problems):
        return Recorded(invoice, problems, written=False)
    require_committed(ctx.ledger_dir, [invoice.path], commit)
    changes = [SetValue("status", "void"), SetValue("voided_at", day), SetValue("void_reason", reason)]
    path = edit_record(ctx.ledger_dir, invoice.path, changes, INVOICE, ready.read_as(invoice.path))
    sha = commit_files(ctx.ledger_dir, [path], f"void: {invoice.id} ({reason})", commit)
    return Recorded(invoice, problems, written=True, commit=sha)
