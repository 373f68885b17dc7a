"""`ledgerops exception open|resolve|list`: the queue of cases that need a person. An open
case pauses every automatic message for its invoice; `pause` and the daily run open cases here too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledgerops.app.load import READABLE, load_ledger
from ledgerops.app.records import Saving, create_record, edit_record, plan_saving, save, unreadable_invoice
from ledgerops.context import Context
from ledgerops.core.cases import case_id
from ledgerops.core.errors import UsageError
from ledgerops.core.model import ExceptionCase, Ledger
from ledgerops.core.queue import QueueEntry, open_queue
from ledgerops.core.saved import Saved
from ledgerops.edge import process, store
from ledgerops.yamlfile.edit import SetValue
from ledgerops.yamlfile.schema import EXCEPTION


@dataclass(frozen=True)
class NewCase:
    invoice: str | None  # None: an unmatched payment that names no invoice
    reason: str
    note: str
    source: str
    until: date | None = None


def _used_ids(ctx: Context, ledger: Ledger) -> list[str]:
    """Ids of loaded cases and of case files that failed to load: never reuse either."""
    files, _ = store.find_records(ctx.ledger_dir)
    names = [f.path.rsplit("/", 1)[-1].removesuffix(".yaml") for f in files if f.kind == "exception"]
    return [case.id for case in ledger.exceptions] + names


def validate_case(ledger: Ledger, case: NewCase, today: date) -> None:
    if case.reason not in ledger.policy.exceptions.reasons:
        raise UsageError(
            f"reason '{case.reason}' is not in policy.exceptions.reasons ({', '.join(ledger.policy.exceptions.reasons)})"
        )
    if not any(inv.id == case.invoice for inv in ledger.invoices):
        raise UsageError(f"there is no invoice '{case.invoice}'")
    if case.until is not None and case.until < today:
        raise UsageError(f"--until {case.until} is before today ({today})")
    if any(ord(ch) < 32 and ch != "\n" for ch in case.note):
        raise UsageError("--note must be plain text")


def write_cases(ctx: Context, ledger: Ledger, cases: list[NewCase], today: date) -> list[ExceptionCase]:
    """Create one file per case, under an id no other case has (loaded or not)."""
    used = set(_used_ids(ctx, ledger))
    written = []
    for case in cases:
        new_id = case_id(today, process.random_token())
        while new_id in used:
            new_id = case_id(today, process.random_token())
        used.add(new_id)
        record = ExceptionCase(new_id, case.invoice, case.reason, today, "open", case.source, case.note or None,
                               until=case.until, path=f"exceptions/{new_id}.yaml")  # fmt: skip
        create_record(ctx.ledger_dir, record.path, record, EXCEPTION)
        written.append(record)
    return written


def save_cases(ctx: Context, cases: list[ExceptionCase], saving: Saving, what: str) -> Saved:
    """A person's new cases, committed together (and pushed) as `saving` says; the message
    is `what` with `{cases}` replaced by the cases and their invoices."""
    ids = ", ".join(f"{c.id} for {c.invoice}" for c in cases)
    return save(
        ctx.ledger_dir, saving, [ctx.ledger_dir / c.path for c in cases], what.replace("{cases}", ids)
    )


def open_case(
    ctx: Context, case: NewCase, *, commit: bool = True, push: bool | None = None
) -> tuple[ExceptionCase, Saved]:
    ready = load_ledger(ctx, READABLE)
    if problem := unreadable_invoice(ready, case.invoice):
        raise problem
    validate_case(ready.ledger, case, ready.today)
    saving = plan_saving(ctx.ledger_dir, ready.ledger, [], commit, push)
    cases = write_cases(ctx, ready.ledger, [case], ready.today)
    return cases[0], save_cases(ctx, cases, saving, f"exception: open {{cases}} ({case.reason})")


def resolve(
    ctx: Context, case_id: str, resolution: str, *, commit: bool = True, push: bool | None = None
) -> tuple[ExceptionCase, Saved]:
    ready = load_ledger(ctx, READABLE)
    case = next((c for c in ready.ledger.exceptions if c.id == case_id), None)
    if case is None:
        raise UsageError(f"there is no exception '{case_id}'")
    if case.status == "resolved":
        raise UsageError(f"{case_id} is already resolved ({case.resolved_at}: {case.resolution})")
    if not resolution.strip():
        raise UsageError("--resolution must say what was decided")
    saving = plan_saving(ctx.ledger_dir, ready.ledger, [case.path], commit, push)
    changes = [
        SetValue("status", "resolved"),
        SetValue("resolved_at", ready.today),
        SetValue("resolution", resolution),
    ]
    path = edit_record(ctx.ledger_dir, case.path, changes, EXCEPTION, ready.read_as(case.path))
    saved = save(
        ctx.ledger_dir, saving, [path], f"exception: resolve {case.id} for {case.invoice}: {resolution}"
    )
    return case, saved


def queue(ctx: Context) -> tuple[tuple[QueueEntry, ...], Ledger, date]:
    ready = load_ledger(ctx, READABLE)
    return open_queue(ready.ledger.exceptions, ready.today), ready.ledger, ready.today
