"""At most once (docs/spec.md §6.7): when a claim left in the ledger means an unknown outcome."""

from __future__ import annotations

from datetime import datetime, timedelta

from ledgerops.core.model import Claim

# A run holds a claim for the seconds one SMTP conversation takes; an hour is far beyond any
# timeout, so an older claim from a host we cannot ask belongs to a run that died.
CLAIM_LEASE = timedelta(hours=1)


def is_stale(claim: Claim, now: datetime, owner_alive: bool | None) -> bool:
    """A claim whose run is gone: known dead (same host), or silent for longer than the lease."""
    return owner_alive is False or now - claim.claimed_at > CLAIM_LEASE


def unknown_note(claim: Claim, invoice: str, outcome: str = "") -> str:
    """What a person reads in the delivery_unknown case; `outcome` is what the mail server
    did when the run itself saw the connection break, empty when the run died."""
    happened = (
        f"could not tell whether the mail server accepted it ({outcome})"
        if outcome
        else "stopped before recording whether the mail server accepted it"
    )
    if claim.stage == "invoice":
        what, undo = "the invoice email", "set the invoice back to status: draft without sent_at"
    else:
        what, undo = f"the '{claim.stage}' reminder", "delete that reminders entry from the invoice"
    return (
        f"Run {claim.run} claimed {what} for {invoice} at {claim.claimed_at.isoformat()} "
        f"(Message-ID {claim.message_id or 'unknown'}) and {happened}. It is recorded as sent so it "
        f"is never repeated blindly; check the mail server's log, and if it was not delivered, {undo} "
        "before resolving this case."
    )
