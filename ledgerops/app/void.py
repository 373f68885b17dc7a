"""`ledgerops void`: void an invoice (it keeps its number) by a round-trip edit, then commit."""

from __future__ import annotations

from datetime import date

from ledgerops.app.records import edit_record, load_invoice, plan_saving, save
from ledgerops.context import Context
from ledgerops.core.diagnostics import has_errors
from ledgerops.core.payments import Recorded, void_problems
from ledgerops.yamlfile.edit import SetValue
from ledgerops.yamlfile.schema import INVOICE


def void(
    ctx: Context,
    invoice_id: str,
    reason: str,
    voided_at: date | None,
    *,
    commit: bool,
    push: bool | None = None,
) -> Recorded:
    invoice, ready = load_invoice(ctx, invoice_id)
    today = ready.today
    day = voided_at or today
    problems = tuple(void_problems(invoice, day, today))
    if has_errors(problems):
        return Recorded(invoice, problems, written=False)
    saving = plan_saving(ctx.ledger_dir, ready.ledger, [invoice.path], commit, push)
    changes = [SetValue("status", "void"), SetValue("voided_at", day), SetValue("void_reason", reason)]
    path = edit_record(ctx.ledger_dir, invoice.path, changes, INVOICE, ready.read_as(invoice.path))
    saved = save(ctx.ledger_dir, saving, [path], f"void: {invoice.id} ({reason})")
    return Recorded(invoice, problems, written=True, saved=saved)
