"""Declarative field specs of every record: the validator walks them, JSON Schema is made from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ledgerops.core import bank, model, policy
from ledgerops.core.taxes import TAX_REASON_NAMES


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # a scalar kind (the reader has a converter for each), or "list", "map", "struct", "emails"
    doc: str = ""
    required: bool = False
    item: Field | Struct | None = None  # what a list or map holds; the struct of a struct
    choices: tuple[str, ...] = ()
    header: bool = False  # ends up in an email header: no line breaks or control characters
    code: str = "invalid-value"  # the diagnostic for an enum value outside `choices`


@dataclass(frozen=True)
class Struct:
    name: str
    fields: tuple[Field, ...]
    make: Callable[..., Any]
    doc: str = ""

    @cached_property
    def field_map(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


def _f(key: str, kind: str, doc: str = "", **kw: Any) -> Field:
    return Field(key, kind, doc, **kw)


TRANSPORTS = ("smtp", "outbox")

# --- client -----------------------------------------------------------------------------
MILESTONE = Struct("milestone", (
    _f("description", "text", "What was delivered; becomes the invoice line.", required=True, header=True),
    _f("amount", "decimal", "Net amount of the milestone, in the client's currency."),
    _f("tax_rate", "decimal", "Tax rate in percent; 0 allowed."),
), model.Milestone)  # fmt: skip

PROJECT = Struct("project", (
    _f("name", "str", "Project name.", header=True),
    _f("milestones", "map", "Billable milestones by id.", item=MILESTONE),
), model.Project)  # fmt: skip

CLIENT = Struct("client", (
    _f("id", "id", "Must match the file name.", required=True),
    _f("name", "str", "Legal name, shown on invoices and in emails.", required=True, header=True),
    _f("email", "emails", "One address or a list; invoices and reminders go here.", required=True),
    _f("cc", "emails", "Addresses copied on every email."),
    _f("segment", "str", "One of policy.segments.", required=True),
    _f("currency", "str", "Billing currency; default policy.currency."),
    _f("locale", "str", "Formats amounts and dates in emails, e.g. de_DE."),
    _f("terms_days", "int", "Payment terms in days; one of policy.terms.allowed_days unless terms_exception is set."),
    _f("terms_exception", "text", "Why this client has terms the policy does not allow."),
    _f("po_required", "bool", "Invoices need a PO number before they are sent."),
    _f("reminders", "bool", "false = never send reminders to this client."),
    _f("address", "text", "Postal address, shown on invoices."),
    _f("tax_id", "str", "VAT or tax id, shown on invoices; needed for reverse charge and intra-EU supplies.",
       header=True),
    _f("country", "str", "ISO 3166 country code, e.g. DE; needed for e-invoices."),
    _f("tax_treatment", "enum", "Why this client's 0 % lines carry no VAT.", choices=TAX_REASON_NAMES),
    _f("projects", "map", "Contract data used to pre-fill drafts.", item=PROJECT),
    _f("iban", "str", "The account the client pays from: payments import matches its bank lines to this client."),
    _f("einvoice", "enum", "The e-invoice this client gets: none, factur-x, xrechnung-cii or peppol-ubl; "
       "default policy.einvoice.", choices=policy.EINVOICE_FORMATS),
    _f("peppol_id", "str", "The client's Peppol participant id as scheme:id (e.g. 0208:0123456749); "
       "default derived from tax_id."),
), model.Client, "A client: clients/<id>.yaml")  # fmt: skip

# --- invoice ----------------------------------------------------------------------------
LINE = Struct("line", (
    _f("description", "text", "What is billed.", required=True),
    _f("quantity", "decimal", "How many units.", required=True),
    _f("unit_price", "decimal", "Net price of one unit.", required=True),
    _f("tax_rate", "decimal", "Tax rate in percent; 0 allowed."),
    _f("tax_reason", "enum", "Why a 0 % line carries no VAT; default: the client's tax_treatment.",
       choices=TAX_REASON_NAMES),
), model.Line)  # fmt: skip

PAYMENT = Struct("payment", (
    _f("date", "date", "When the money arrived.", required=True),
    _f("amount", "decimal", "How much arrived.", required=True),
    _f("method", "str", "One of policy.payment_methods."),
    _f("ref", "str", "Bank reference or receipt number."),
    _f("import_id", "str", "The bank line it was imported from (payments import): never recorded twice."),
), model.Payment)  # fmt: skip

REMINDER = Struct("reminder", (
    _f("stage", "str", "A stage of policy.reminders.sequence.", required=True),
    _f("sent_at", "timestamp", "When the reminder was sent.", required=True),
    _f("message_id", "str", "The email's Message-ID."),
    _f("via", "enum", "How it left: smtp (to the client), or outbox (an .eml file only).",
       choices=TRANSPORTS),
    _f("to", "text", "The recipients it went to (To and Cc)."),
), model.ReminderRecord)  # fmt: skip

LATE_FEE = Struct("late_fee", (
    _f("date", "date", "When the fee was charged.", required=True),
    _f("amount", "decimal", "The fee.", required=True),
    _f("rule", "str", "The policy rule that charged it."),
), model.LateFee)  # fmt: skip

CLAIM = Struct("claim", (
    _f("stage", "str", "The reminder stage (or 'invoice') whose email is being sent.", required=True),
    _f("claimed_at", "timestamp", "When the run claimed it, just before sending.", required=True),
    _f("run", "str", "The run that claimed it (host:pid).", required=True),
    _f("message_id", "str", "The email's Message-ID."),
), model.Claim)  # fmt: skip

SERVICE_PERIOD = Struct("service_period", (
    _f("start", "date", "First day of the service.", required=True),
    _f("end", "date", "Last day of the service.", required=True),
), model.ServicePeriod)  # fmt: skip

INVOICE_STATUSES = ("draft", "sent", "void")

INVOICE = Struct("invoice", (
    _f("id", "id", "Must match the file name: DRAFT-<client>-<project>-<milestone> for a draft in "
       "invoices/drafts/, a number of policy.numbering once issued.", required=True),
    _f("drafted_as", "id", "Written by the tool when it issues a draft: the draft's id."),
    _f("client", "id", "A client id from clients/.", required=True),
    _f("project", "str", "Project code; with milestone, links the invoice to a deliverable."),
    _f("milestone", "str", "Milestone id; a milestone is invoiced at most once."),
    _f("issue_date", "date", "Issue date; the invoice lives in invoices/<issue year>/.", required=True),
    _f("due_date", "date", "issue_date + terms unless terms_exception is set.", required=True),
    _f("currency", "str", "One of policy.currencies.", required=True),
    _f("po_number", "str", "Client's purchase-order number.", header=True),
    _f("service_date", "date", "When the service was delivered (drafts: the milestone's completion)."),
    _f("service_period", "struct", "Or the period of the service: start and end.", item=SERVICE_PERIOD),
    _f("note", "text", "Printed on the invoice (free-form notes stay private under 'notes')."),
    _f("lines", "list", "The invoice lines.", required=True, item=LINE),
    _f("status", "enum", "draft | sent | void (paid, overdue... are derived).",
       choices=INVOICE_STATUSES, code="invalid-status"),
    _f("sent_at", "timestamp", "Set by the tool when the invoice email is accepted."),
    _f("sent_via", "enum", "Set with sent_at: smtp (to the client), or outbox (an .eml file only).",
       choices=TRANSPORTS),
    _f("sent_to", "text", "Set with sent_at: the recipients it went to (To and Cc)."),
    _f("hold", "text", "Why the invoice is held: blocks sending and reminders."),
    _f("terms_exception", "text", "Why this invoice has terms the policy does not allow."),
    _f("payments", "list", "Payments received.", item=PAYMENT),
    _f("reminders", "list", "Written by the tool only.", item=REMINDER),
    _f("late_fees", "list", "Written by the tool only.", item=LATE_FEE),
    _f("voided_at", "date", "With status: void."),
    _f("void_reason", "text", "Why the invoice was voided (ledgerops void writes it)."),
    _f("claims", "list", "Written by the tool only: emails being sent right now (docs/reminders.md).",
       item=CLAIM),
    _f("issued_digest", "str", "Written by the tool when it issues the invoice: sha256 of the billed "
       "facts; check errors when they change (issued-changed)."),
), model.Invoice, "An invoice: invoices/drafts/<draft id>.yaml, then invoices/<year>/<number>.yaml")  # fmt: skip

CREDIT_NOTE_STATUSES = ("draft", "sent")

CREDIT_NOTE = Struct("credit_note", (
    _f("id", "id", "Must match the file name: DRAFT-CN-<invoice>-<k> for a draft in "
       "credit-notes/drafts/, a number of policy.credit_note_numbering once issued.", required=True),
    _f("drafted_as", "id", "Written by the tool when it issues the credit note: the draft's id."),
    _f("credits", "id", "The number of the invoice it credits.", required=True),
    _f("client", "id", "The invoice's client.", required=True),
    _f("currency", "str", "The invoice's currency.", required=True),
    _f("issue_date", "date", "The day it was written; replaced by the day it is issued.", required=True),
    _f("reason", "id", "One of policy.credit_reasons.", required=True),
    _f("case", "id", "The exception case that led to it."),
    _f("note", "text", "Printed on the credit note."),
    _f("lines", "list", "What is credited, as positive amounts.", required=True, item=LINE),
    _f("status", "enum", "draft | sent.", choices=CREDIT_NOTE_STATUSES, code="invalid-status"),
    _f("sent_at", "timestamp", "Set by the tool when the credit note email is accepted."),
    _f("sent_via", "enum", "Set with sent_at: smtp or outbox.", choices=TRANSPORTS),
    _f("sent_to", "text", "Set with sent_at: the recipients it went to (To and Cc)."),
    _f("claims", "list", "Written by the tool only: its email being sent right now.", item=CLAIM),
    _f("issued_digest", "str", "Written by the tool when it issues the credit note: sha256 of "
       "what it credits; check errors when it changes (issued-changed)."),
), model.CreditNote, "A credit note: credit-notes/drafts/<draft id>.yaml, then "
   "credit-notes/<year>/<number>.yaml")  # fmt: skip

# --- exception --------------------------------------------------------------------------
EXCEPTION_STATUSES = ("open", "resolved")

EXCEPTION = Struct("exception", (
    _f("id", "id", "Must match the file name.", required=True),
    _f("invoice", "id", "The invoice this case is about; an unmatched_payment case may name none."),
    _f("reason", "str", "One of policy.exceptions.reasons.", required=True),
    _f("opened_at", "date", "When the case was opened.", required=True),
    _f("source", "str", "Who routed it: a person, the reminder engine, a payment import."),
    _f("note", "text", "What happened."),
    _f("status", "enum", "open | resolved.", choices=EXCEPTION_STATUSES),
    _f("resolved_at", "date", "With status: resolved."),
    _f("resolution", "text", "What was decided; required when resolved."),
    _f("until", "date", "Pause reminders through this date only (e.g. a promise to pay)."),
), lambda **kw: model.ExceptionCase(**{"invoice": None, **kw}), "An exception case: exceptions/<id>.yaml")  # fmt: skip

# --- policy -----------------------------------------------------------------------------

COMPANY = Struct("company", (
    _f("name", "str", "Your company name: the sender of every email.", required=True, header=True),
    _f("email", "email", "Billing address: From and Reply-To of every email.", required=True),
    _f("address", "text", "Postal address, shown on invoices."),
    _f("tax_id", "str", "Your VAT id (or tax number), printed on every invoice.", header=True),
    _f("country", "str", "ISO 3166 country code, e.g. DE; needed for e-invoices."),
    _f("contact_name", "str", "Who answers questions about an invoice; XRechnung requires it."),
    _f("phone", "str", "Your telephone number; XRechnung requires it."),
    _f("peppol_id", "str", "Your Peppol participant id as scheme:id (e.g. 0208:0123456749); "
       "default derived from tax_id."),
), policy.Company)  # fmt: skip

TAX_REASONS = Struct("tax_reasons", (
    _f("reverse_charge", "text", "Legal text printed on reverse-charge lines."),
    _f("intra_eu", "text", "Legal text printed on intra-EU supplies."),
    _f("export", "text", "Legal text printed on exports outside the EU."),
    _f("exempt", "text", "Legal basis of an exemption, e.g. 'Steuerfrei nach § 4 Nr. 21 UStG'."),
), policy.TaxReasons)  # fmt: skip

TERMS = Struct("terms", (
    _f("default_days", "int", "Terms for clients without terms_days."),
    _f("allowed_days", "list", "Terms a client may have without a terms_exception.", item=_f("", "int")),
), policy.Terms)  # fmt: skip

BANK = Struct("bank", (
    _f("iban", "str", "Shown on invoices and encoded in the EPC payment QR code.", required=True),
    _f("bic", "str", "Bank identifier."),
), policy.Bank)  # fmt: skip

SEGMENT = Struct("segment", (
    _f("review", "bool", "Drafts for these clients always need a founder review."),
), policy.Segment)  # fmt: skip

STAGE = Struct("stage", (
    _f("stage", "id", "Stage name; also the template name reminders/<stage>.md.j2.", required=True),
    _f("offset_days", "int", "Days relative to the due date (negative = before).", required=True),
    _f("manual", "bool", "Never emailed: escalated to a human as an exception."),
), policy.Stage)  # fmt: skip

REMINDERS = Struct("reminders", (
    _f("sequence", "list", "The fixed reminder stages, in order of offset.", item=STAGE),
    _f("min_gap_days", "int", "Least days between two messages about one invoice."),
    _f("send_on_weekends", "bool", "false = hold messages on Saturday and Sunday."),
), policy.Reminders)  # fmt: skip

LATE_FEE_RULE = Struct("late_fee", (
    _f("enabled", "bool", "Charge one late fee per overdue invoice."),
    _f("kind", "enum", "percent of the invoice total, or a flat amount.", choices=("percent", "flat")),
    _f("value", "decimal", "The percentage or the flat amount."),
    _f("grace_days", "int", "Days after the due date before the fee is charged."),
), policy.LateFeeRule)  # fmt: skip

EXCEPTIONS_POLICY = Struct("exceptions", (
    _f("reasons", "list", "Reasons an exception case may have.", item=_f("", "id")),
), policy.ExceptionsPolicy)  # fmt: skip

REVIEW = Struct("review", (
    _f("aging_buckets", "list", "Upper edges of the aging buckets in days past due.", item=_f("", "int")),
    _f("dso_window_days", "int", "Sales window of DSO, in days."),
    _f("on_time_window_days", "int", "Window of the on-time payment rate, in days."),
    _f("weekday", "enum", "The weekly report's week ends on this day.", choices=policy.WEEKDAYS),
    _f("drift_weeks", "int", "Alert when a metric got worse this many weeks in a row."),
    _f("drift_min_dso_days", "decimal", "... and DSO rose by at least this many days over them (default 2)."),
    _f("drift_min_on_time_points", "decimal",
       "... or the on-time rate fell by at least this many percentage points (default 5)."),
    _f("stale_draft_days", "int", "Warn about drafts older than this (default 7)."),
    _f("stale_hold_days", "int", "Warn about invoices held longer than this (default 14)."),
), policy.Review)  # fmt: skip

NOTIFY = Struct("notify", (
    _f("email", "email", "Where alerts and the weekly digest go; default company.email."),
    _f("heartbeat_days", "int", "Alert when the daily run has not completed for more than this many days (default 3)."),
), policy.Notify)  # fmt: skip

POLICY = Struct("policy", (
    _f("company", "struct", "Who sends the invoices.", required=True, item=COMPANY),
    _f("currency", "str", "Default currency of clients."),
    _f("currencies", "list", "Accepted currencies (ISO 4217 codes).", item=_f("", "str")),
    _f("timezone", "str", "IANA time zone that defines 'today' for scheduled runs."),
    _f("terms", "struct", "Payment terms.", item=TERMS),
    _f("payment_methods", "list", "Payment methods shown on invoices.", item=_f("", "id")),
    _f("payment_link", "str", "URL template; {invoice_id} {reference} {amount} {currency}."),
    _f("bank", "struct", "Bank account for transfers.", item=BANK),
    _f("approval_branch", "str", "Drafts on this branch are approved; send sends only from it."),
    _f("numbering", "str", "Invoice id template, gap-free per year: {year} and {seq}."),
    _f("credit_note_numbering", "str", "Credit note id template, its own gap-free series per year: "
       "{year} and {seq}."),
    _f("credit_reasons", "list", "The reasons a credit note may give.", item=_f("", "id")),
    _f("segments", "map", "Client segments.", item=SEGMENT),
    _f("reminders", "struct", "The reminder schedule.", item=REMINDERS),
    _f("late_fee", "struct", "The late fee rule.", item=LATE_FEE_RULE),
    _f("exceptions", "struct", "The exception queue.", item=EXCEPTIONS_POLICY),
    _f("review", "struct", "The weekly review.", item=REVIEW),
    _f("tax_reasons", "struct", "Legal texts of the reasons for 0 % VAT.", item=TAX_REASONS),
    _f("notify", "struct", "The founder's alerts and weekly digest.", item=NOTIFY),
    _f("einvoice", "enum", "The e-invoice of clients without their own einvoice: none, factur-x, "
       "xrechnung-cii or peppol-ubl.", choices=policy.EINVOICE_FORMATS),
), lambda **kw: _policy(**kw), "The billing policy: policy.yaml")  # fmt: skip


def _policy(**values: Any) -> policy.Policy:
    """A policy without `currencies` accepts just its default currency."""
    if "currencies" not in values:
        values["currencies"] = (values.get("currency", "EUR"),)
    return policy.Policy(**values)


# --- bank CSV rules (not a ledger record: read by `payments import --rules`) -----------
CSV_RULES = Struct("csv_rules", (
    _f("name", "str", "The bank and export this file describes."),
    _f("fields", "list", "The name of each column, in order: date, amount, amount_in, amount_out, "
       "currency, counterparty, iban, text (several are joined), reference, bank_ref, indicator, "
       "kind, or _ to ignore it.", required=True, item=_f("", "enum", choices=bank.FIELDS)),
    _f("date_format", "str", "strptime format of the date column, e.g. '%d.%m.%Y'."),
    _f("decimal", "enum", "The decimal separator.", choices=(".", ",")),
    _f("thousands", "enum", "The thousands separator, if the bank writes one.", choices=("", ".", ",", " ", "'")),
    _f("sign", "enum", "signed: a minus means money out; inverted: a minus means money in; in_out: "
       "separate amount_in/amount_out columns; indicator: a credit/debit column.", choices=bank.SIGNS),
    _f("credit", "list", "Values of the indicator column that mean money in.", item=_f("", "str")),
    _f("debit", "list", "Values of the indicator column that mean money out.", item=_f("", "str")),
    _f("returns", "list", "Values of the kind column that mean a returned payment.", item=_f("", "str")),
    _f("chargebacks", "list", "Values of the kind column that mean a charge-back.", item=_f("", "str")),
    _f("currency", "str", "The currency when there is no currency column."),
    _f("encoding", "str", "The file's encoding, e.g. utf-8, latin-1, cp1252."),
    _f("delimiter", "str", "The column separator, e.g. ';'."),
    _f("skip", "int", "Lines before the first booking (the column names and anything above)."),
), bank.CsvRules, "How one bank's CSV export reads: a rules file for payments import")  # fmt: skip

RECORDS: dict[str, Struct] = {
    "policy": POLICY,
    "client": CLIENT,
    "invoice": INVOICE,
    "exception": EXCEPTION,
    "credit_note": CREDIT_NOTE,
}
