"""`ledgerops payments sync stripe`: Stripe's events since the last sync -> payments recorded
by the same round-trip edits as `payments import`, a `payment_failed` case per failed
payment and a `dispute` case per dispute; the cursor (the newest event synced) is kept in
reports/stripe.json and committed with them."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledgerops.app.exception import NewCase
from ledgerops.app.load import READABLE, load_ledger, require_no_errors
from ledgerops.app.payments import unmatched_cases, write_payments
from ledgerops.app.records import plan_saving, save
from ledgerops.context import Context
from ledgerops.core.errors import UsageError
from ledgerops.core.matching import Outcome, match_lines, recorded_invoices
from ledgerops.core.model import ExceptionCase
from ledgerops.core.saved import Saved
from ledgerops.core.stripe_events import (
    EVENT_TYPES,
    METHOD,
    SOURCE,
    StripeItem,
    Unrouted,
    cases_for,
    cursor_after,
    payment_lines,
    read_event,
)
from ledgerops.edge import store, stripe_api

CURSOR = "reports/stripe.json"


@dataclass(frozen=True)
class Synced:
    items: tuple[StripeItem, ...] = ()
    outcomes: tuple[Outcome, ...] = ()  # one per paid Stripe object
    cases: tuple[NewCase, ...] = ()  # to open (dry run) or opened
    opened: tuple[ExceptionCase, ...] = ()
    unrouted: tuple[Unrouted, ...] = ()
    cursor: dict[str, Any] | None = None  # after this sync
    dry_run: bool = False
    written: tuple[str, ...] = ()
    saved: Saved = field(default_factory=Saved)


def read_cursor(ctx: Context) -> dict[str, Any] | None:
    try:
        text = (ctx.ledger_dir / CURSOR).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not (
        isinstance(data, dict) and isinstance(data.get("created"), int) and isinstance(data.get("event"), str)
    ):
        raise UsageError(
            f'{CURSOR}: not a Stripe cursor ({{"event": "evt_...", "created": UNIX_TIME}}); fix it, or delete '
            "it to sync the 30 days of events Stripe keeps (nothing is recorded twice)"
        )
    return {"event": data["event"], "created": data["created"]}


def sync_stripe(
    ctx: Context,
    *,
    dry_run: bool,
    commit: bool = True,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> Synced:
    settings = stripe_api.StripeSettings.from_environment(os.environ if environ is None else environ)
    ready = load_ledger(ctx, READABLE)
    ledger, today = ready.ledger, ready.today
    cursor = read_cursor(ctx)
    events = stripe_api.list_events(settings, EVENT_TYPES, cursor["created"] if cursor else None)
    items = tuple(read_event(event) for event in events)
    lines, _ = payment_lines(items)
    outcomes = match_lines(lines, ledger, today, METHOD)
    by_invoice = recorded_invoices(outcomes)
    recorded = {a.payment.import_id or "": invoice for invoice, parts in by_invoice.items() for a in parts}
    to_open, unrouted = cases_for(items, ledger, recorded)
    cases = [NewCase(c.invoice, c.reason, c.note, c.source) for c in to_open]
    # Money on our Stripe account that names no open invoice waits for a person, as a case.
    cases += unmatched_cases(ledger, outcomes, f"{SOURCE} payment", all_ours=True)
    after = cursor_after(items, cursor)
    result = Synced(items, outcomes, tuple(cases), (), tuple(unrouted), after, dry_run)
    if dry_run or not (by_invoice or cases or after != cursor):
        return result
    paths = {inv.id: inv.path for inv in ledger.invoices}
    targets = [paths[invoice] for invoice in by_invoice]
    require_no_errors(ready, ["policy.yaml", *targets])
    saving = plan_saving(ctx.ledger_dir, ledger, [*targets, CURSOR], commit, push)
    written, opened = write_payments(ctx, ready, by_invoice, cases)
    cursor_path = ctx.ledger_dir / CURSOR
    store.write_atomic(cursor_path, (json.dumps(after, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    written.append(cursor_path)
    count = sum(len(v) for v in by_invoice.values())
    message = f"payments sync stripe: {count} payment{'s' if count != 1 else ''}"
    if by_invoice:
        message += f" on {', '.join(by_invoice)}"
    for reason in ("payment_failed", "dispute"):
        n = sum(1 for case in opened if case.reason == reason)
        if n:
            message += f"; {n} {reason} case{'s' if n != 1 else ''}"
    saved = save(ctx.ledger_dir, saving, written, message)
    relative = tuple(p.relative_to(ctx.ledger_dir).as_posix() for p in written)
    return Synced(
        items, outcomes, tuple(cases), tuple(opened), tuple(unrouted), after, False, relative, saved
    )
