"""`ledgerops pause`: pause one invoice, or every open invoice of a client, through a date."""

from __future__ import annotations

from datetime import date

from ledgerops.app.exception import NewCase, save_cases, validate_case, write_cases
from ledgerops.app.load import READABLE, load_ledger
from ledgerops.app.records import plan_saving, unreadable_invoice
from ledgerops.context import Context
from ledgerops.core.amounts import balance
from ledgerops.core.errors import UsageError
from ledgerops.core.model import ExceptionCase
from ledgerops.core.saved import Saved


def pause(
    ctx: Context,
    target: str,
    until: date,
    reason: str,
    note: str,
    source: str,
    *,
    commit: bool = True,
    push: bool | None = None,
) -> tuple[list[ExceptionCase], Saved]:
    """Pause one invoice, or every open invoice of a client, through `until`: one case per
    invoice, committed together (and pushed) by the rule of records.plan_saving."""
    ready = load_ledger(ctx, READABLE)
    ledger, today = ready.ledger, ready.today
    # A file that cannot be read may be this invoice, or one of this client's: never skip it.
    if problem := unreadable_invoice(ready, None if target in ledger.clients else target):
        raise problem
    if target in ledger.clients:
        invoices = [
            inv.id for inv in sorted(ledger.invoices, key=lambda i: i.id)
            if inv.client == target and inv.status == "sent" and balance(inv, today) > 0
        ]  # fmt: skip
        if not invoices:
            raise UsageError(f"client '{target}' has no sent, unpaid invoice to pause")
    elif any(inv.id == target for inv in ledger.invoices):
        invoices = [target]
    else:
        raise UsageError(f"'{target}' is neither a client nor an invoice")
    cases = [NewCase(inv, reason, note or f"paused through {until}", source, until) for inv in invoices]
    for case in cases:
        validate_case(ledger, case, today)
    saving = plan_saving(ctx.ledger_dir, ledger, [], commit, push)
    written = write_cases(ctx, ledger, cases, today)
    return written, save_cases(ctx, written, saving, f"pause: {target} through {until} ({reason}): {{cases}}")
