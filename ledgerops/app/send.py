"""`ledgerops send`: email every approved, unsent invoice and record the ones accepted.

Three steps with explicit inputs, so `run` (the daily job) can put its claim between
them: `plan` (pure, core.sending), `compose` (render), then `deliver` + `record_sent`
or `record_unknown` (edge, then a round-trip edit of the invoice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from ledgerops.app.failures import expected_failures
from ledgerops.app.records import commit_files, create_record, edit_record, load_for_writing
from ledgerops.context import Context
from ledgerops.core.cases import new_case
from ledgerops.core.document import invoice_document
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.sending import Delivery, SendPlan, SendReport, plan_sending
from ledgerops.edge import clock, gitrepo, mail
from ledgerops.edge.gitrepo import GitError
from ledgerops.errors import LedgeropsError
from ledgerops.render.problems import PdfProblem, TemplateProblem, UnsafeHeader
from ledgerops.render.templates import Templates, environment
from ledgerops.yamlfile.edit import SetValue
from ledgerops.yamlfile.schema import EXCEPTION, INVOICE

Clock = Callable[[], datetime]


class NotOnApprovalBranch(LedgeropsError):
    pass


def run(
    ctx: Context,
    *,
    transport: str,
    dry_run: bool,
    commit: bool,
    now: Clock | None = None,
    environ: Mapping[str, str] | None = None,
) -> SendReport:
    """`now` is the clock (the real one unless a test passes its own); `environ` holds the
    SMTP settings (the process environment by default)."""
    now = now or _utc_now
    ledger, loaded = load_for_writing(ctx)
    today = loaded.today
    planned = plan(ctx.ledger_dir, ledger, today)
    if dry_run or not planned.send:
        return SendReport(today, transport, dry_run, planned)
    templates = environment(ctx.ledger_dir)
    with expected_failures(), mail.open_transport(transport, ctx.ledger_dir, environ) as sender:
        deliveries = deliver_all(ctx.ledger_dir, ledger, planned, today, now, templates, sender)
    written = [ctx.ledger_dir / path for d in deliveries for path in _written(d)]
    names = [d.invoice.id for d in deliveries if d.status == "accepted"]
    message = f"send: {', '.join(names) or 'nothing accepted'}"
    if len(names) < len(deliveries):
        message += f"; {len(deliveries) - len(names)} not sent"
    try:
        sha = commit_files(ctx.ledger_dir, written, message, commit)
    except GitError as error:
        return SendReport(today, transport, False, planned, tuple(deliveries), commit_error=str(error))
    return SendReport(today, transport, False, planned, tuple(deliveries), commit=sha)


def plan(ledger_dir: Path, ledger: Ledger, today: date) -> SendPlan:
    """What may be sent: only from the approval branch when the ledger is in git, and only
    drafts whose file is exactly as committed (approval is the merge)."""
    uncommitted: frozenset[str] = frozenset()
    if gitrepo.is_repository(ledger_dir):
        branch = gitrepo.current_branch(ledger_dir)
        approval = ledger.policy.approval_branch
        if branch != approval:
            raise NotOnApprovalBranch(
                f"invoices are sent only from the approval branch '{approval}', and this is "
                f"{repr(branch) if branch else 'a detached HEAD'}; nothing was sent"
            )
        uncommitted = gitrepo.uncommitted_paths(ledger_dir)
    return plan_sending(ledger, today, uncommitted)


def compose(
    ledger_dir: Path,
    ledger: Ledger,
    invoice: Invoice,
    today: date,
    sent_at: datetime,
    templates: Templates,
) -> EmailMessage:
    """The invoice email with its PDF, as it will leave; dated `sent_at`."""
    from ledgerops.render.invoice import invoice_email, invoice_pdf  # fpdf2 and Babel: slow to import

    document = invoice_document(ledger, invoice, today)
    return invoice_email(templates, document, sent_at, invoice_pdf(document, invoice_fonts(ledger_dir)))


def invoice_fonts(ledger_dir: Path) -> dict[str, Path] | None:
    """The ledger's own TrueType fonts for the PDF (templates/invoice/fonts/), if it has them."""
    from ledgerops.render.invoice import FONT_FILES

    fonts = {
        name: ledger_dir / "templates" / path
        for name, path in zip(("regular", "bold"), FONT_FILES, strict=True)
    }
    if not fonts["regular"].is_file():
        return None
    return {name: path for name, path in fonts.items() if path.is_file()}


def deliver_all(
    ledger_dir: Path,
    ledger: Ledger,
    planned: SendPlan,
    today: date,
    now: Clock,
    templates: Templates,
    sender: mail.Transport,
) -> list[Delivery]:
    """Deliver in number order; after a failure, the later numbers of that year wait for
    the next run, so the issued invoices never skip a number."""
    deliveries: list[Delivery] = []
    failed: dict[int, str] = {}
    for outgoing in planned.send:
        invoice = outgoing.invoice
        if outgoing.year in failed:
            detail = (
                f"not tried: {failed[outgoing.year]} was not sent, and invoices are issued in number order"
            )
            deliveries.append(Delivery(invoice, "not_sent", detail, retry=True))
            continue
        delivery = deliver(ledger_dir, ledger, invoice, today, now, templates, sender)
        if delivery.status != "accepted":
            failed[outgoing.year] = invoice.id
        deliveries.append(delivery)
    return deliveries


def deliver(
    ledger_dir: Path,
    ledger: Ledger,
    invoice: Invoice,
    today: date,
    now: Clock,
    templates: Templates,
    sender: mail.Transport,
) -> Delivery:
    """Compose, hand over, and record one invoice; a failure stays with this invoice."""
    timezone = ledger.policy.timezone
    try:
        message = compose(ledger_dir, ledger, invoice, today, local_time(now(), timezone, today), templates)
    except (TemplateProblem, PdfProblem, UnsafeHeader) as error:
        return Delivery(invoice, "failed", str(error))
    message_id = str(message["Message-ID"])
    outcome = sender.send(message)
    if outcome.status == "accepted":
        sent_at = local_time(now(), timezone, today)
        record_sent(ledger_dir, invoice, sent_at)
        return Delivery(invoice, "accepted", outcome.detail, sent_at=sent_at, message_id=message_id)
    if outcome.status == "unknown":
        case = record_unknown(ledger_dir, ledger, invoice, today, f"{message_id}: {outcome.detail}")
        return Delivery(invoice, "unknown", outcome.detail, message_id=message_id, case=case)
    return Delivery(invoice, "not_sent", outcome.detail, retry=outcome.retry, message_id=message_id)


def record_sent(ledger_dir: Path, invoice: Invoice, sent_at: datetime) -> Path:
    """status: sent and sent_at, by a round-trip edit that keeps the user's formatting."""
    with expected_failures():
        return edit_record(
            ledger_dir, invoice.path, [SetValue("status", "sent"), SetValue("sent_at", sent_at)], INVOICE
        )


def record_unknown(ledger_dir: Path, ledger: Ledger, invoice: Invoice, today: date, detail: str) -> str:
    """The email may have arrived: never send it blindly again. A delivery_unknown case
    pauses the invoice until a person finds out and resolves it."""
    note = f"invoice email {detail}. Check whether the client received it."
    case = new_case(ledger, invoice.id, "delivery_unknown", today, "ledgerops send", note)
    with expected_failures():
        create_record(ledger_dir, case.path, case, EXCEPTION)
    return case.id


def _utc_now() -> datetime:
    return clock.now_in("UTC")


def local_time(now: datetime, timezone: str, today: date) -> datetime:
    """The clock's time in the policy's zone, on `today` (which --today may have moved)."""
    zone = clock.zone(timezone)
    local = now.astimezone(zone) if zone else now
    if local.date() == today:
        return local.replace(microsecond=0)
    return datetime.combine(
        today, local.time().replace(microsecond=0), local.tzinfo if zone is None else zone
    )


def _written(delivery: Delivery) -> list[str]:
    if delivery.status == "accepted":
        return [delivery.invoice.path]
    if delivery.case:
        return [f"exceptions/{delivery.case}.yaml"]
    return []
