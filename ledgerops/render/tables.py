"""Plain-text tables for the terminal, and their JSON twins."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ledgerops.core.money import money_str
from ledgerops.core.status import InvoiceStatus


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell; the columns in `right` (numbers) aligned right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


def statuses_text(rows: Sequence[InvoiceStatus]) -> str:
    headers = ("invoice", "client", "state", "total", "balance", "cur", "due", "days late")
    cells = [
        (
            r.invoice,
            r.client,
            r.state,
            money_str(r.total, r.currency),
            money_str(r.balance, r.currency),
            r.currency,
            r.due_date.isoformat(),
            str(r.days_overdue) if r.days_overdue else "",
        )
        for r in rows
    ]
    refunds = [f"refund due to {r.client}: {money_str(r.refund_due, r.currency)} {r.currency} on {r.invoice} "
               "(credit notes exceed what was unpaid)" for r in rows if r.refund_due]  # fmt: skip
    return text_table(headers, cells, right=(3, 4, 7)) + "".join(f"{line}\n" for line in refunds)


def statuses_json(rows: Sequence[InvoiceStatus], today: str) -> str:
    payload = {
        "today": today,
        "invoices": [
            {
                "invoice": r.invoice,
                "client": r.client,
                "state": r.state,
                "currency": r.currency,
                "total": money_str(r.total, r.currency),
                "balance": money_str(r.balance, r.currency),
                "issue_date": r.issue_date.isoformat(),
                "due_date": r.due_date.isoformat(),
                "days_overdue": r.days_overdue,
                **(
                    {
                        "credited": money_str(r.credited, r.currency),
                        "refund_due": money_str(r.refund_due, r.currency),
                    }
                    if r.credited
                    else {}
                ),
            }
            for r in rows
        ],
    }
    return json.dumps(payload, indent=2) + "\n"
