"""The exception queue for people (a table, oldest first) and for programs (JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from ledgerops.core.queue import QueueEntry
from ledgerops.render.tables import text_table


def queue_rows(entries: Sequence[QueueEntry], clients: Mapping[str, str]) -> list[dict[str, object]]:
    return [
        {
            "id": e.case.id,
            "invoice": e.case.invoice,
            "client": clients.get(e.case.invoice) if e.case.invoice else None,
            "reason": e.case.reason,
            "opened_at": e.case.opened_at.isoformat(),
            "age_days": e.age_days,
            "until": e.case.until.isoformat() if e.case.until else None,
            "source": e.case.source,
            "note": e.case.note,
        }
        for e in entries
    ]


def queue_json(entries: Sequence[QueueEntry], clients: Mapping[str, str], today: date) -> str:
    payload = {"today": today.isoformat(), "exceptions": queue_rows(entries, clients)}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def queue_text(entries: Sequence[QueueEntry], clients: Mapping[str, str]) -> str:
    if not entries:
        return "no open exceptions\n"
    headers = ("exception", "invoice", "client", "reason", "opened", "age", "until", "note")
    cells = [
        (
            str(row["id"]), str(row["invoice"] or "-"), str(row["client"] or ""), str(row["reason"]),
            str(row["opened_at"]), f"{row['age_days']} d", str(row["until"] or ""),
            _short(str(row["note"] or "")),
        )
        for row in queue_rows(entries, clients)
    ]  # fmt: skip
    return text_table(headers, cells, right=(5,))


def _short(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
