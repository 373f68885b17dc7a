"""One line per invoice: its derived state, balance and lateness as of a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledgerops.core.amounts import (
    balance,
    credited_amount,
    derived_state,
    invoice_total,
    pausing_case,
    pausing_exceptions,
)
from ledgerops.core.model import Ledger
from ledgerops.core.money import ZERO


@dataclass(frozen=True, slots=True)
class InvoiceStatus:
    invoice: str
    client: str
    state: str
    currency: str
    total: Decimal
    balance: Decimal
    issue_date: date
    due_date: date
    days_overdue: int  # 0 unless the state is overdue
    credited: Decimal = ZERO  # by credit notes dated on or before the day

    @property
    def refund_due(self) -> Decimal:
        """Credited beyond what was left unpaid: owed back to the client."""
        return -self.balance if self.credited and self.balance < 0 else ZERO


def invoice_statuses(ledger: Ledger, today: date) -> list[InvoiceStatus]:
    paused = pausing_exceptions(ledger.exceptions, today)
    rows = []
    for invoice in sorted(ledger.invoices, key=lambda inv: (inv.issue_date, inv.id)):
        state = derived_state(invoice, today, pausing_case(paused, invoice) is not None)
        late = (today - invoice.due_date).days if state == "overdue" else 0
        rows.append(
            InvoiceStatus(
                invoice.id,
                invoice.client,
                state,
                invoice.currency,
                invoice_total(invoice),
                ZERO if state == "void" else balance(invoice, today),
                invoice.issue_date,
                invoice.due_date,
                late,
                credited_amount(invoice, today) if invoice.credited else ZERO,
            )
        )
    return rows
