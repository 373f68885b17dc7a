"""`ledgerops send`: email every approved, unsent invoice and record the ones accepted.

Every invoice email goes through the claim -> send -> record protocol of app/delivery.py,
the one `run` uses, with only the invoice planner below. The claim is committed (and pushed
to origin) before the email leaves, so a `send` and a `run`, or two `send`s, never both
email one invoice, and a `send` killed half-way leaves a claim that the next one settles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from ledgerops.app import delivery
from ledgerops.app.load import VALID, load_ledger
from ledgerops.context import Context
from ledgerops.core.amounts import balance
from ledgerops.core.checks import client_einvoice
from ledgerops.core.document import InvoiceDocument, invoice_document
from ledgerops.core.errors import UsageError
from ledgerops.core.model import Invoice, Ledger
from ledgerops.core.money import money_str
from ledgerops.core.numbering import DRAFTS
from ledgerops.core.schedule import ReminderPlan
from ledgerops.core.sending import (
    Blocked,
    InvoiceOutcome,
    Sendable,
    SendPlan,
    SendReport,
    issued_in_turn,
    plan_sending,
)
from ledgerops.edge import gitrepo
from ledgerops.render.templates import Templates, environment

if TYPE_CHECKING:
    from ledgerops.render.einvoice_rules import Failed


def run(ctx: Context, *, transport: str | None, dry_run: bool, commit: bool, push: bool) -> SendReport:
    """Send the approved invoices (with `dry_run`, only say which). `commit` False writes the
    records without committing them; `push` False keeps the commits in this clone."""
    if dry_run:
        loaded = load_ledger(ctx, VALID)
        planned = plan(ctx.ledger_dir, loaded.ledger, loaded.today)
        drafts = [item.invoice for item in planned.send if not item.invoice.numbered]
        numbers = {
            draft: inv.id for draft, inv in issued_in_turn(loaded.ledger, drafts, loaded.today).items()
        }
        try:
            kind = delivery.transport_kind(ctx, transport)
        except UsageError:
            kind = "(to be chosen)"
        return SendReport(loaded.today, kind, True, planned, numbers=numbers)
    transport = delivery.transport_kind(ctx, transport)
    planner = InvoiceMessages(ctx)
    options = delivery.Options(
        push,
        delivery.transport_factory(ctx, transport),
        command="send",
        commit=commit,
        engine=False,
        precondition=delivery.on_approval_branch(ctx),
    )
    state = delivery.run(ctx, options, planner)
    return planner.report(state, transport)


def plan(
    ledger_dir: Path, ledger: Ledger, today: date, approved: Mapping[str, int] | None = None
) -> SendPlan:
    """What may be sent: drafts whose file is exactly as committed (approval is the merge),
    in the order they were merged (`approved`, when the caller knows it already). Sending
    itself happens only on the approval branch (delivery's precondition); a preview may
    look from any branch."""
    if approved is None:
        approved = gitrepo.arrival_order(ledger_dir, DRAFTS)
    return plan_sending(ledger, today, gitrepo.uncommitted_paths(ledger_dir), approved)


class InvoiceMessages:
    """The claim protocol's planner of invoice emails, for `send` and `run`: issued invoices
    not sent yet, then the approved drafts in the order they were merged, each composed with
    its PDF when its turn comes and numbered in the step that claims it.

    An invoice another run has claimed is left to that run; nothing else waits for it. The
    planner remembers what it planned, for send's report.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.templates = environment(ctx.ledger_dir)
        self.planned: dict[str, Sendable] = {}  # every invoice planned for sending, by its id then
        self.blocked: dict[str, Blocked] = {}  # drafts that waited, and why (as first seen)
        self.left: dict[str, str] = {}  # invoices left to another run, and why
        self.approved: dict[str, int] = {}  # the drafts' merge order, read from git once per new draft

    def __call__(
        self, ledger: Ledger, reminders: ReminderPlan, now: datetime
    ) -> list[delivery.Pending | delivery.Failure]:
        drafts = {invoice.path for invoice in ledger.invoices if not invoice.numbered}
        if not drafts <= self.approved.keys():  # the run's own commits add no draft: git log once
            self.approved = gitrepo.arrival_order(self.ctx.ledger_dir, DRAFTS)
        planned = plan(self.ctx.ledger_dir, ledger, now.date(), self.approved)
        for blocked in planned.blocked:
            self.blocked.setdefault(blocked.invoice.id, blocked)
        found: list[delivery.Pending | delivery.Failure] = []
        for item in planned.send:
            invoice = item.invoice
            self.planned.setdefault(invoice.id, item)
            claim = next((c for c in invoice.claims if c.stage == delivery.INVOICE_STAGE), None)
            if claim is not None:
                when = claim.claimed_at.isoformat()
                self.left.setdefault(invoice.id, f"claimed by run {claim.run} at {when}, which sends it")
            elif refused := einvoice_refusal(ledger, invoice, now.date()):
                found.append(delivery.Failure(invoice.id, delivery.INVOICE_STAGE, refused))
            else:
                build = self._builder(ledger, now)
                found.append(
                    delivery.Pending(invoice.id, delivery.INVOICE_STAGE, build, not invoice.numbered)
                )
        return found

    def _builder(self, ledger: Ledger, now: datetime) -> Callable[[Invoice], delivery.Outgoing]:
        def build(invoice: Invoice) -> delivery.Outgoing:
            message = compose(self.ctx.ledger_dir, ledger, invoice, now.date(), now, self.templates)
            client = ledger.clients[invoice.client]
            return delivery.Outgoing(
                invoice.id, delivery.INVOICE_STAGE, message, str(message["Message-ID"]), ", ".join(client.email),
                str(message["Subject"]), money_str(balance(invoice, now.date()), invoice.currency), invoice.currency,
            )  # fmt: skip

        return build

    def report(self, state: delivery.RunState, transport: str) -> SendReport:
        """What this send did, in send's own terms: by the id each invoice was planned under
        (a draft's), with the numbers the drafts were issued as."""
        numbers = {d.outgoing.draft: d.outgoing.invoice for d in state.deliveries if d.outgoing.draft}
        planned_as = {number: draft for draft, number in numbers.items()}
        attempts = {planned_as.get(d.outgoing.invoice, d.outgoing.invoice): d for d in state.deliveries}
        failures = {planned_as.get(f.invoice, f.invoice): f for f in state.failures
                    if f.stage == delivery.INVOICE_STAGE}  # fmt: skip
        cases = {planned_as.get(case.invoice, case.invoice): case.id for case in state.opened if case.invoice}
        deliveries = [
            outcome
            for invoice_id, item in self.planned.items()
            if (outcome := _outcome(item.invoice, attempts.get(invoice_id), failures.get(invoice_id),
                                    cases.get(invoice_id))) is not None
        ]  # fmt: skip
        handled = {d.invoice.id for d in deliveries}
        errors = tuple(
            f.detail if f.invoice == "-" else f"{f.invoice} {f.stage}: {f.detail}"
            for f in state.failures
            if f.stage != delivery.INVOICE_STAGE or planned_as.get(f.invoice, f.invoice) not in self.planned
        )
        return SendReport(
            state.first_plan.today,
            transport,
            False,
            SendPlan(
                tuple(self.planned.values()),
                tuple(b for invoice_id, b in self.blocked.items() if invoice_id not in self.planned),
            ),
            tuple(deliveries),
            tuple((invoice_id, why) for invoice_id, why in self.left.items() if invoice_id not in handled),
            tuple(state.opened),
            errors,
            state.commit,
            numbers,
            tuple(state.recovered),
        )


def _outcome(
    invoice: Invoice,
    attempt: delivery.Delivery | None,
    failure: delivery.Failure | None,
    case: str | None,
) -> InvoiceOutcome | None:
    """One invoice's line in the report: what the server said, and whether it was recorded."""
    if attempt is None:
        if failure is None:
            return None
        return InvoiceOutcome(
            invoice, "not_sent" if failure.retry else "failed", failure.detail, retry=failure.retry
        )
    message_id = attempt.outgoing.message_id
    if failure is not None:  # handed over, then its record could not be written: the claim stays
        what = (
            "the server accepted it"
            if attempt.status == "accepted"
            else f"{attempt.status}: {attempt.detail}"
        )
        detail = (f"{what}, but {failure.detail}; its claim stays, so no run sends it again "
                  "(the next one opens a delivery_unknown case)")  # fmt: skip
        return InvoiceOutcome(invoice, "unknown", detail, message_id=message_id)
    if attempt.status == "accepted":
        return InvoiceOutcome(invoice, "accepted", attempt.detail, sent_at=attempt.at, message_id=message_id)
    if attempt.status == "unknown":
        return InvoiceOutcome(invoice, "unknown", attempt.detail, message_id=message_id, case=case)
    return InvoiceOutcome(invoice, "not_sent", attempt.detail, retry=attempt.retry, message_id=message_id)


def compose(
    ledger_dir: Path,
    ledger: Ledger,
    invoice: Invoice,
    today: date,
    sent_at: datetime,
    templates: Templates,
) -> EmailMessage:
    """The invoice email with its PDF, as it will leave; dated `sent_at`."""
    from ledgerops.render.einvoice import einvoice_attachments
    from ledgerops.render.invoice import invoice_email  # fpdf2: slow to import

    document = invoice_document(ledger, invoice, today)
    chosen = client_einvoice(document.client, ledger.policy)
    extra = einvoice_attachments(document, chosen) if chosen != "none" else ()
    return invoice_email(templates, document, sent_at, client_pdf(ledger_dir, document, chosen), extra)


def client_pdf(ledger_dir: Path, document: InvoiceDocument, chosen: str) -> bytes:
    """The invoice PDF the client gets: a Factur-X PDF/A-3 with its XML inside for a
    `factur-x` client (`chosen`, its einvoice setting), the plain PDF for any other."""
    fonts = invoice_fonts(ledger_dir)
    if chosen == "factur-x":
        from ledgerops.render.facturx import facturx_pdf

        return facturx_pdf(document, fonts)
    from ledgerops.render.invoice import invoice_pdf

    return invoice_pdf(document, fonts)


def einvoice_of(ledger: Ledger, invoice: Invoice, today: date) -> tuple[str, bytes | None]:
    """The client's e-invoice format and the invoice's e-invoice in it (None for none)."""
    from ledgerops.render.einvoice import einvoice_xml

    chosen = client_einvoice(ledger.clients[invoice.client], ledger.policy)
    return chosen, None if chosen == "none" else einvoice_xml(
        invoice_document(ledger, invoice, today), chosen
    )


def einvoice_failures(data: bytes, chosen: str) -> list[Failed]:
    """The fatal asserts of the official rules (ledgerops/render/einvoice_rules.py) on an
    e-invoice of the format `chosen`."""
    from ledgerops.render.einvoice_rules import fatal, validate

    return fatal(validate(data, chosen))


def einvoice_refusal(ledger: Ledger, invoice: Invoice, today: date) -> str | None:
    """Why the e-invoice of an invoice must not leave, checked before it is claimed; None for
    an invoice whose client gets no e-invoice, or whose e-invoice passes."""
    chosen, data = einvoice_of(ledger, invoice, today)
    failed = [] if data is None else einvoice_failures(data, chosen)
    if not failed:
        return None
    rules = ", ".join(sorted({f.rule for f in failed}))
    return (f"einvoice-invalid: its {chosen} e-invoice fails {rules} ({failed[0].text}); "
            "not sent — run ledgerops check, fix the ledger, and the next run sends it")  # fmt: skip


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
