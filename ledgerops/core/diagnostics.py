"""Diagnostics: every problem a user can cause, as data with a stable code and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Source:
    """A 1-based position in a ledger file; path is relative to the ledger, with '/'."""

    path: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class Code:
    """A registered diagnostic code: its severity, title and the fix to suggest."""

    code: str
    severity: Severity
    title: str
    hint: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the ledger, where it is and how to fix it."""

    code: str
    severity: Severity
    source: Source
    message: str
    hint: str


def _c(code: str, severity: Severity, title: str, hint: str) -> Code:
    return Code(code, severity, title, hint)


# The registry is the single source of the codes; docs/diagnostics.md is checked against it.
CODES: tuple[Code, ...] = (
    # reading YAML
    _c("yaml-syntax", "error", "The file is not valid YAML",
       "Fix the YAML at the position shown; a common cause is a missing space after ':' "
       "or inconsistent indentation."),
    _c("encoding", "error", "The file is not UTF-8 text",
       "Save the file as UTF-8 (your editor's 'Save with encoding' menu)."),
    _c("empty-file", "error", "The file is empty",
       "Fill in the record, or delete the file."),
    _c("not-a-mapping", "error", "A record must be a mapping of keys to values",
       "Write the record as 'key: value' lines, not as a list or a single value."),
    _c("multiple-documents", "error", "A record file holds exactly one YAML document",
       "Remove the '---' separator and move the second record into a file of its own."),
    _c("yaml-alias", "error", "Anchors and aliases are not allowed",
       "Write the value out in full instead of '&anchor' / '*alias': records are plain data."),
    _c("yaml-tag", "error", "YAML tags are not allowed",
       "Remove the '!tag'; to keep a value as text, put it in quotes."),
    _c("yaml-directive", "error", "YAML directives are not allowed",
       "Remove the '%YAML' / '%TAG' line at the top of the file."),
    _c("odd-line-break", "error", "A Unicode line or paragraph separator (U+2028, U+2029, U+0085)",
       "Replace it with a normal line break, or remove it; YAML tools disagree about it."),
    _c("tab-character", "error", "A tab used as indentation or spacing",
       "Replace the tab with spaces; YAML allows tabs only inside quoted text."),
    _c("too-deep", "error", "The value is nested deeper than a record can be",
       "Flatten the value; notes and x- keys hold at most a few levels."),
    _c("duplicate-key", "error", "The same key appears twice in one mapping",
       "Keep one of the two entries; YAML silently drops the first one otherwise."),
    _c("unknown-key", "error", "A key that this record does not have",
       "Check the spelling against the documented keys; free-form data goes under 'notes' "
       "or a key starting with 'x-'."),
    _c("missing-field", "error", "A required field is missing",
       "Add the field shown in the message."),
    _c("wrong-type", "error", "A value of the wrong kind",
       "Write the value in the form the message describes."),
    _c("invalid-value", "error", "A value outside the allowed choices",
       "Use one of the values listed in the message."),
    _c("invalid-date", "error", "Not a real calendar date",
       "Write the date as YYYY-MM-DD, and check that the day exists in that month."),
    _c("invalid-timestamp", "error", "Not an ISO 8601 timestamp with a UTC offset",
       "Write it like 2026-11-02T10:15:00+01:00."),
    _c("invalid-id", "error", "An id with characters an id cannot have",
       "Use letters, digits, '.', '_' and '-', starting with a letter or digit."),
    _c("invalid-email", "error", "Not a valid email address",
       "Write one address like name@example.com (no display name, no spaces)."),
    _c("unsafe-text", "error", "A control character in text, or a line break in a value used in email headers",
       "Write the value on one line without control characters."),
    _c("invalid-amount", "error", "Not a decimal number",
       "Write the amount with digits and an optional '.' for decimals, like 1234.50 "
       "(no thousands separators, no currency sign)."),
    _c("invalid-timezone", "error", "Not an IANA time zone name",
       "Use a name like Europe/Berlin or America/New_York."),
    _c("invalid-iban", "error", "The IBAN's check digits do not match",
       "Copy the IBAN again from your bank; a digit is probably wrong."),
    _c("invalid-policy", "error", "The policy contradicts itself",
       "Change the policy value shown so that it agrees with the rest of the policy."),
    _c("flat-fee-currency", "warning", "A flat late fee that some accepted currencies will not get",
       "Use kind: percent to charge invoices in every currency, or accept that only the "
       "policy's currency is charged (the flat value is written in that currency)."),
    _c("invalid-template", "error", "The numbering or payment-link template cannot be used",
       "Use only the placeholders named in the message, with valid format specs."),
    # files and ids
    _c("id-mismatch", "error", "The record's id does not match its file name",
       "Rename the file to '<id>.yaml' or correct the id."),
    _c("wrong-folder", "error", "The file is not where a record of its kind belongs",
       "Move invoices to invoices/<issue year>/, clients to clients/, exceptions to exceptions/."),
    _c("wrong-extension", "warning", "A file with an extension ledgerops does not read",
       "Rename it to end in '.yaml', or move it out of the ledger folders."),
    _c("duplicate-id", "error", "Two records have the same id",
       "Give one of them a new id (and file name)."),
    # references
    _c("unknown-client", "error", "The invoice names a client that does not exist",
       "Use the id of a file in clients/, or add the client."),
    _c("unknown-invoice", "error", "The exception names an invoice that does not exist",
       "Use the id of an invoice file in invoices/."),
    _c("unknown-segment", "error", "A segment the policy does not define",
       "Use one of policy.segments, or add the segment to the policy."),
    _c("unknown-reason", "error", "An exception reason the policy does not list",
       "Use one of policy.exceptions.reasons, or add the reason to the policy."),
    _c("unknown-currency", "error", "A currency the policy does not accept",
       "Use one of policy.currencies, or add the currency to the policy."),
    _c("unknown-stage", "error", "A reminder stage that the policy's sequence does not have",
       "Use a stage from policy.reminders.sequence."),
    _c("unknown-project", "warning", "The invoice names a project or milestone the client does not have",
       "Use a project and milestone from the client's 'projects', or remove them."),
    _c("unknown-payment-method", "warning", "A payment method the policy does not list",
       "Use one of policy.payment_methods, or add the method to the policy."),
    _c("unsupported-payment-method", "warning", "A payment method in the policy that invoices cannot explain",
       "Use bank_transfer (with bank) or card (with payment_link), or tell clients by hand how to pay."),
    _c("currency-mismatch", "warning", "The invoice's currency differs from the client's",
       "Check that the currency is intended; the client's default is shown in the message."),
    # money
    _c("amount-precision", "error", "More decimal places than the currency allows",
       "Round the amount to the currency's minor unit (EUR 2 decimals, JPY 0, KWD 3)."),
    _c("amount-not-positive", "error", "An amount that must be greater than zero",
       "Write a positive amount; record refunds and credits as a separate invoice."),
    _c("invalid-tax-rate", "error", "A tax rate outside 0–100 percent",
       "Write the rate as a percentage, e.g. 19 for 19 %."),
    _c("overpaid", "warning", "Payments exceed the invoice's amount due",
       "Check the payments; refund the difference or record it as a credit."),
    # dates and terms
    _c("due-date-terms", "error", "The due date does not follow the payment terms",
       "Set due_date to issue_date plus the client's terms, or add a terms_exception."),
    _c("terms-not-allowed", "error", "Payment terms the policy does not allow",
       "Use one of policy.terms.allowed_days, or add a terms_exception explaining the deal."),
    _c("date-order", "error", "Dates in an impossible order",
       "Correct the dates so that the later event is not before the earlier one."),
    _c("payment-before-issue", "error", "A payment dated before the invoice was issued",
       "Check the payment date; payments count from the issue date on."),
    # invoices
    _c("invalid-status", "error", "A stored status other than draft, sent or void",
       "Store only draft, sent or void; paid, overdue and the rest are derived."),
    _c("missing-sent-at", "error", "A sent invoice without sent_at",
       "Add sent_at: the time the invoice email was sent (ledgerops send writes it)."),
    _c("missing-voided-at", "warning", "A void invoice without voided_at",
       "Add voided_at: the date it was voided (ledgerops void writes it)."),
    _c("po-required", "warning", "A sent invoice without a PO number for a client that requires one",
       "It went out without one; if the client asks, add their purchase-order number as po_number."),
    _c("po-missing", "warning", "A draft without the PO number its client requires",
       "Add po_number before the draft is approved; send will hold it back otherwise."),
    _c("numbering-format", "error", "The invoice id does not follow the policy's numbering",
       "An issued invoice carries the number ledgerops gave it when it was sent; a draft is "
       "named DRAFT-<client>-<project>-<milestone> and takes its number when it is issued."),
    _c("numbering-gap", "error", "Issued invoices skip a number of the year's sequence",
       "Issued invoices must be numbered without gaps; restore the missing invoice from git "
       "history (void it rather than delete it)."),
    _c("numbering-date-order", "error", "An issued invoice is dated earlier than the number before it",
       "Numbers follow issue dates; restore the issue dates as they were sent (git history has "
       "them), and correct a mistake with a credit note, never by renumbering."),
    _c("draft-numbered", "error", "A draft carries an invoice number",
       "Drafts take their number when they are issued: rename the file to the draft id the "
       "message gives, under invoices/drafts/, and set id to it."),
    _c("duplicate-milestone", "error", "The same milestone is invoiced twice",
       "Void one of the invoices, or correct the milestone."),
    _c("stale-draft", "warning", "A draft older than the policy allows",
       "Approve (merge) or delete the draft."),
    _c("template-missing", "error", "No email template for a reminder stage",
       "Add templates/reminders/<stage>.md.j2 (a 'Subject: ...' line, then Markdown), or make "
       "the stage manual in the policy."),
    _c("template-error", "error", "An email template cannot be rendered",
       "Fix the template at the line shown: a Jinja2 syntax error or an unknown variable "
       "(docs/reminders.md lists the variables)."),
    _c("template-missing-fact", "error", "A reminder template leaves out what every reminder must state",
       "Show {{ invoice_id }}, {{ amount_due }}, {{ due_date }} and {{ payment_link }} in the "
       "template, in every branch."),
    _c("pending-claim", "warning", "An email was claimed for sending but its outcome is not recorded",
       "Nothing to do while a run is sending it. If no run is, the next run records the stage "
       "as sent and opens a delivery_unknown exception (docs/reminders.md)."),
    _c("long-hold", "warning", "An invoice on hold for a long time",
       "Resolve the hold or the open exception, or void the invoice. (A hold is measured "
       "from the invoice's issue date, since the file does not say when it was set.)"),
    # exceptions
    _c("missing-resolution", "error", "A resolved exception without a resolution",
       "Write what was decided under 'resolution'."),
    _c("missing-resolved-at", "error", "A resolved exception without resolved_at",
       "Add resolved_at: the date it was resolved."),
    # drafting and sending (issue 4)
    _c("event-invalid", "error", "The milestone event cannot be used",
       "Give client, project and milestone as ids from the client's file; completed_on as "
       "YYYY-MM-DD; amount as a decimal like 4000.00; po_number as text."),
    _c("draft-unknown-client", "error", "The event names a client that does not exist",
       "Use the id of a file in clients/ (the file name without .yaml)."),
    _c("draft-unknown-milestone", "error", "The client's contract data has no such project or milestone",
       "Add the milestone under the client's 'projects', or correct the id in the event."),
    _c("draft-no-amount", "error", "The milestone has no amount to invoice",
       "Add 'amount' to the milestone in the client's file, or give the amount in the event."),
    _c("draft-date", "error", "The draft's issue date is after today or too old to be sent",
       "Pass --date with the date the invoice should carry: today or a day within the "
       "policy's stale_draft_days."),
    _c("send-not-approved", "warning", "The draft has changes that are not committed",
       "Approval is the merge: commit the draft and merge it into the approval branch."),
    _c("send-on-hold", "warning", "The invoice is on hold and is not sent",
       "Remove 'hold' from the invoice once the reason is settled; the next send sends it."),
    _c("send-open-exception", "warning", "An open exception pauses the invoice",
       "Resolve the exception case; the next send sends the invoice."),
    _c("send-po-missing", "warning", "The client requires a PO number and the draft has none",
       "Add the client's purchase-order number as po_number."),
    _c("send-weekend", "warning", "No email goes to a client on a weekend",
       "It is sent (and issued, so dated) on Monday; set reminders.send_on_weekends: true to send "
       "invoice emails and reminders on Saturdays and Sundays too."),
    _c("send-future-issue", "warning", "The draft's issue date is after today",
       "It is sent on its issue date; change issue_date to send it earlier."),
    _c("send-stale-draft", "warning", "The draft is older than the policy allows and is not sent",
       "If the draft still stands, set its issue_date to today (it is dated the day it is "
       "issued in any case) and approve it again; otherwise delete it."),
    _c("send-failed", "error", "The mail server did not accept the invoice email",
       "Check the address and the SMTP settings; the invoice stays a draft and is tried again "
       "on the next send."),
    _c("send-unknown", "error", "The connection broke after the email was handed over: it may have arrived",
       "Ask the client or check the mail server's log; the invoice is paused by a delivery_unknown "
       "exception until you resolve it (then mark it sent, or resolve and send again)."),
    _c("invoice-not-sent", "error", "The invoice is a draft: it has not been sent",
       "Send the invoice first; payments are recorded on sent invoices."),
    _c("invoice-void", "error", "The invoice is void",
       "A void invoice takes no payments and cannot be voided again."),
    _c("payment-duplicate", "error", "The same payment is already recorded",
       "Check the invoice's payments; if it really is a second payment, give it its own --ref."),
    _c("date-in-future", "error", "A date after today",
       "Record what has happened: use today's date or an earlier one."),
    _c("einvoice-country-missing", "error", "A client gets e-invoices, but its country or yours is unknown",
       "Add country: (an ISO code such as DE) to the client's file, or company.country to policy.yaml; "
       "an e-invoice states both countries. Or set einvoice: none for the client."),
    _c("seller-contact-missing", "error", "XRechnung needs a contact name and telephone number",
       "Add company.contact_name and company.phone to policy.yaml (BT-41, BT-42: the German rules "
       "BR-DE-5 and BR-DE-6, and Peppol's DE-R-005/006 between German parties, refuse an e-invoice "
       "without them)."),
    _c("peppol-id-missing", "error", "A Peppol e-invoice without a Peppol participant id",
       "Add peppol_id: SCHEME:ID (e.g. 0208:0123456749, or 9930:DE123456789) to the client's file "
       "(or company.peppol_id to policy.yaml), or a VAT id in tax_id it can be derived from; "
       "Peppol refuses an email address as electronic address (PEPPOL-EN16931-CL008)."),
    # issued invoices do not change (issue 16)
    _c("issued-changed", "error", "An issued invoice's billed content differs from what was issued",
       "Put the record back as it was issued (git log -p <file> shows the edit, git checkout "
       "<commit> -- <file> restores it). An issued invoice is corrected by a credit note that "
       "references it, never by an edit: ledgerops credit INV --amount A (or --lines N, or "
       "--full) --reason R."),
    _c("issued-digest-missing", "error", "An invoice the tool issued has lost its issued_digest",
       "Restore the issued_digest line from git history (git log -p <file>); it is what shows "
       "that the billed content is still what was issued."),
    _c("einvoice-invalid", "error", "The e-invoice of an invoice still to be sent fails the official rules",
       "The message names the rule (BR-…, BR-DE-…, PEPPOL-…) and where in the XML; fill in what it "
       "asks for in the client's file, policy.yaml or the invoice. ledgerops render INV --format "
       "ubl or cii shows the XML; run and send refuse to send it until check passes."),
    # legal content of drafts (issue 16)
    _c("service-date-missing", "error", "A draft without the date or period of the service",
       "Add service_date: YYYY-MM-DD (the day the work was delivered) or service_period: "
       "{start: ..., end: ...}; ledgerops draft fills it from the milestone's completion date."),
    _c("buyer-address-missing", "error", "The client of a draft has no postal address",
       "Add address to the client's file: an invoice must state the buyer's full address."),
    _c("buyer-vat-id-missing", "error", "Reverse charge or an intra-EU supply without the buyer's VAT id",
       "Add the client's VAT id as tax_id in its file (e.g. FR40303265045), or correct the tax reason."),
    _c("invalid-vat-id", "error", "A VAT id whose country prefix, length or check digits are wrong",
       "Copy the VAT id again from the client's letterhead or the VIES service; a digit is probably wrong."),
    _c("tax-reason-missing", "error", "A 0 % line that does not say why it carries no VAT",
       "Give the line a tax_reason, or the client a tax_treatment: reverse_charge, intra_eu, export "
       "or exempt (docs/spec.md §4.5)."),
    _c("tax-reason-text-missing", "error", "A reason for 0 % VAT without the legal text to print",
       "Write the legal basis in policy.tax_reasons, e.g. exempt: 'Steuerfrei nach § 4 Nr. 21 UStG'."),
    _c("seller-address-missing", "error", "Your company's address is missing and a draft waits to be sent",
       "Add company.address to policy.yaml: every invoice states the seller's address."),
    _c("seller-tax-id-missing", "error", "Your VAT id or tax number is missing and a draft needs it",
       "Add company.tax_id to policy.yaml (your VAT id such as DE312456782, or your tax number)."),
    _c("bank-details-missing", "error", "Bank transfer is offered but no bank account is given",
       "Add bank: {iban: ..., bic: ...} to policy.yaml, or remove bank_transfer from payment_methods."),
    _c("void-draft", "error", "A draft cannot be voided",
       "Nothing was issued: delete the draft's file (git rm) and commit; voiding is for issued "
       "invoices, which keep their number."),
    _c("void-has-payments", "error", "The invoice has payments and cannot be voided",
       "Issue a credit note instead: ledgerops credit INV --full --reason cancellation (the "
       "payments become a refund due)."),
    _c("void-sent", "error", "The invoice was sent to the client and cannot be voided",
       "A sent invoice is cancelled by a credit note that references it: ledgerops credit INV "
       "--full --reason cancellation."),
    # credit notes (issue 16)
    _c("credit-unknown-invoice", "error", "A credit note names an invoice the ledger does not have",
       "Write the number of an issued invoice in credits: (ledgerops invoices lists them)."),
    _c("credit-of-draft", "error", "A credit note credits a draft or a voided invoice",
       "Edit or delete the draft instead; only an issued invoice is corrected by a credit note."),
    _c("credit-exceeds-invoice", "error", "Credit notes take more off an invoice than it billed",
       "Credit at most the invoice's total (fees included) less its other credit notes: lower "
       "the amount, or credit fewer lines."),
    _c("credit-currency", "error", "A credit note's currency or client differs from its invoice's",
       "Write the invoice's currency and client in the credit note: it credits that invoice."),
    _c("unknown-credit-reason", "error", "A credit note's reason is not in policy.credit_reasons",
       "Use one of policy.credit_reasons (discount, correction, cancellation, goodwill, duplicate "
       "by default), or add the reason to that list."),
    _c("credit-tax-rate", "error", "A credit note credits tax at a rate its invoice does not have",
       "Give each line one of the invoice's tax rates: a credit note reverses what was billed."),
    _c("credit-not-positive", "error", "A credit note that credits nothing, or a line below zero",
       "Write what is credited as positive quantities and prices; the credit note says it is a credit."),
    _c("credit-unknown-case", "error", "A credit note names an exception case that does not exist",
       "Write the id of a case in exceptions/, or remove case:."),
    _c("credit-draft-numbered", "error", "A credit note in drafts/ carries a number, or a draft elsewhere",
       "A credit note is numbered when send or run issues it: give a draft the id "
       "DRAFT-CN-<invoice>-<k> in credit-notes/drafts/."),
    # bank statements (payments import)
    _c("statement-unreadable", "error", "A bank statement file cannot be read as camt.053/054, MT940, OFX or CSV",
       "Download the statement again (it may be truncated), or give --rules FILE for a CSV export."),
    _c("statement-unsafe", "error", "A statement declares a DOCTYPE or XML entities",
       "Bank statements have neither; download the file from your bank again and do not edit it."),
    _c("statement-too-large", "error", "A statement file is larger than 20 MB",
       "Import the statement in smaller periods (a month at a time)."),
    _c("statement-columns", "error", "A CSV line does not have the columns the rules file names",
       "Fix 'fields' (and 'skip', 'delimiter') in the rules file to match the bank's export."),
    _c("statement-amount", "error", "An amount in a statement cannot be read",
       "Check 'decimal' and 'thousands' in the rules file (1.234,56 needs decimal: ',' and thousands: '.')."),
    _c("statement-date", "error", "A date in a statement cannot be read",
       "Set 'date_format' in the rules file to the bank's format, e.g. '%d.%m.%Y'."),
)  # fmt: skip

CODE_BY_NAME = {code.code: code for code in CODES}


def diag(code: str, source: Source, message: str) -> Diagnostic:
    """A diagnostic whose severity and fix come from the registry."""
    entry = CODE_BY_NAME[code]
    return Diagnostic(code, entry.severity, source, message, entry.hint)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
