"""An invoice as EN 16931 business terms: the one table both e-invoice syntaxes are built from.

`TERMS` names each business term (BT-/BG- id) ledgerops fills, with where it sits in CII
(Factur-X, XRechnung) and in UBL (Peppol BIS 3.0), relative to the document root; a path
ending in /@attr names an attribute (the scheme of an electronic address, BT-34-1).
`einvoice_terms` computes the values, keyed by those ids; render/einvoice.py writes both
syntaxes (CII and UBL) from these values only, and tests/test_einvoice.py and
tests/test_einvoice_ubl.py read every term of `TERMS` back out of each document at the
table's path, so a format cannot drift from the table.
BT-10 (buyer reference, which XRechnung requires) is the PO number, else the client id.

A credit note is the same terms with type code 381 (BT-3) and the invoice it corrects
(BG-3: BT-25 number, BT-26 issue date):

    einvoice_terms(doc, "peppol-ubl", type_code="381", preceding=Preceding("INV-2026-0014", day))

`doc` is the credit note's own document (its number, date, lines and amounts, all
positive: the type code says they are credited). CII keeps its root and changes only the
TypeCode; UBL writes a `CreditNote` document, whose few different paths are the table's
`ubl_credit` column (`Term.path`).

The electronic addresses (BT-34 seller, BT-49 buyer) are Peppol participant ids: the
company's or client's `peppol_id` ("0208:0123456749"), else derived from the tax id
(`endpoint`: the EAS scheme of the country's VAT id, a Japanese qualified invoice issuer
number, a US EIN), else the email address with scheme EM — which EN 16931 and XRechnung
accept and Peppol does not (`check` says so for peppol-ubl clients).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.errors import UsageError
from ledgerops.core.money import money_str
from ledgerops.core.taxes import TAX_REASONS, category, country_of_vat_id, looks_like_eu_vat_id


class Term(NamedTuple):
    bt: str
    name: str
    cii: str  # XPath from rsm:CrossIndustryInvoice
    ubl: str  # XPath from ubl:Invoice
    ubl_credit: str | None = None  # XPath from ubl:CreditNote where it differs from ubl

    def path(self, syntax: str, credit: bool = False) -> str:
        """Where the term sits: syntax "cii" or "ubl"; credit for a UBL CreditNote."""
        if syntax == "cii":
            return self.cii
        return (self.ubl_credit or self.ubl) if credit else self.ubl


_H = "rsm:SupplyChainTradeTransaction/"
_AG = _H + "ram:ApplicableHeaderTradeAgreement/"
_ST = _H + "ram:ApplicableHeaderTradeSettlement/"
_SUM = _ST + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
_SELLER, _BUYER = _AG + "ram:SellerTradeParty/", _AG + "ram:BuyerTradeParty/"
_USELLER, _UBUYER = "cac:AccountingSupplierParty/cac:Party/", "cac:AccountingCustomerParty/cac:Party/"
_DT = "/udt:DateTimeString"

# Header terms: one value each (None: left out of both documents).
TERMS: tuple[Term, ...] = (
    Term("BT-1", "Invoice number", "rsm:ExchangedDocument/ram:ID", "cbc:ID"),
    Term("BT-2", "Invoice issue date", "rsm:ExchangedDocument/ram:IssueDateTime" + _DT, "cbc:IssueDate"),
    Term("BT-3", "Invoice type code", "rsm:ExchangedDocument/ram:TypeCode", "cbc:InvoiceTypeCode",
         "cbc:CreditNoteTypeCode"),
    Term("BT-5", "Invoice currency code", _ST + "ram:InvoiceCurrencyCode", "cbc:DocumentCurrencyCode"),
    Term("BT-9", "Payment due date", _ST + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime" + _DT,
         "cbc:DueDate", "cac:PaymentMeans/cbc:PaymentDueDate"),
    Term("BT-10", "Buyer reference", _AG + "ram:BuyerReference", "cbc:BuyerReference"),
    Term("BT-13", "Purchase order reference", _AG + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
         "cac:OrderReference/cbc:ID"),
    Term("BT-20", "Payment terms", _ST + "ram:SpecifiedTradePaymentTerms/ram:Description",
         "cac:PaymentTerms/cbc:Note"),
    Term("BT-22", "Invoice note", "rsm:ExchangedDocument/ram:IncludedNote/ram:Content", "cbc:Note"),
    Term("BT-24", "Specification identifier",
         "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
         "cbc:CustomizationID"),
    Term("BT-25", "Preceding invoice reference", _ST + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
         "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
    Term("BT-26", "Preceding invoice issue date",
         _ST + "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString",
         "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate"),
    Term("BT-27", "Seller name", _SELLER + "ram:Name", _USELLER + "cac:PartyLegalEntity/cbc:RegistrationName"),
    Term("BT-31", "Seller VAT identifier", _SELLER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
         _USELLER + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"),
    Term("BT-32", "Seller tax registration identifier",
         _SELLER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']",
         _USELLER + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID"),
    Term("BT-34", "Seller electronic address", _SELLER + "ram:URIUniversalCommunication/ram:URIID",
         _USELLER + "cbc:EndpointID"),
    Term("BT-34-1", "Seller electronic address scheme",
         _SELLER + "ram:URIUniversalCommunication/ram:URIID/@schemeID", _USELLER + "cbc:EndpointID/@schemeID"),
    Term("BT-35", "Seller address line 1", _SELLER + "ram:PostalTradeAddress/ram:LineOne",
         _USELLER + "cac:PostalAddress/cbc:StreetName"),
    Term("BT-36", "Seller address line 2", _SELLER + "ram:PostalTradeAddress/ram:LineTwo",
         _USELLER + "cac:PostalAddress/cbc:AdditionalStreetName"),
    Term("BT-37", "Seller city", _SELLER + "ram:PostalTradeAddress/ram:CityName",
         _USELLER + "cac:PostalAddress/cbc:CityName"),
    Term("BT-38", "Seller post code", _SELLER + "ram:PostalTradeAddress/ram:PostcodeCode",
         _USELLER + "cac:PostalAddress/cbc:PostalZone"),
    Term("BT-40", "Seller country code", _SELLER + "ram:PostalTradeAddress/ram:CountryID",
         _USELLER + "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    Term("BT-41", "Seller contact point", _SELLER + "ram:DefinedTradeContact/ram:PersonName",
         _USELLER + "cac:Contact/cbc:Name"),
    Term("BT-42", "Seller contact telephone number",
         _SELLER + "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber",
         _USELLER + "cac:Contact/cbc:Telephone"),
    Term("BT-43", "Seller contact email", _SELLER + "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID",
         _USELLER + "cac:Contact/cbc:ElectronicMail"),
    Term("BT-44", "Buyer name", _BUYER + "ram:Name", _UBUYER + "cac:PartyLegalEntity/cbc:RegistrationName"),
    Term("BT-48", "Buyer VAT identifier", _BUYER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
         _UBUYER + "cac:PartyTaxScheme/cbc:CompanyID"),
    Term("BT-49", "Buyer electronic address", _BUYER + "ram:URIUniversalCommunication/ram:URIID",
         _UBUYER + "cbc:EndpointID"),
    Term("BT-49-1", "Buyer electronic address scheme",
         _BUYER + "ram:URIUniversalCommunication/ram:URIID/@schemeID", _UBUYER + "cbc:EndpointID/@schemeID"),
    Term("BT-50", "Buyer address line 1", _BUYER + "ram:PostalTradeAddress/ram:LineOne",
         _UBUYER + "cac:PostalAddress/cbc:StreetName"),
    Term("BT-51", "Buyer address line 2", _BUYER + "ram:PostalTradeAddress/ram:LineTwo",
         _UBUYER + "cac:PostalAddress/cbc:AdditionalStreetName"),
    Term("BT-52", "Buyer city", _BUYER + "ram:PostalTradeAddress/ram:CityName",
         _UBUYER + "cac:PostalAddress/cbc:CityName"),
    Term("BT-53", "Buyer post code", _BUYER + "ram:PostalTradeAddress/ram:PostcodeCode",
         _UBUYER + "cac:PostalAddress/cbc:PostalZone"),
    Term("BT-55", "Buyer country code", _BUYER + "ram:PostalTradeAddress/ram:CountryID",
         _UBUYER + "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    Term("BT-72", "Actual delivery date",
         _H + "ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime" + _DT,
         "cac:Delivery/cbc:ActualDeliveryDate"),
    Term("BT-73", "Invoicing period start date", _ST + "ram:BillingSpecifiedPeriod/ram:StartDateTime" + _DT,
         "cac:InvoicePeriod/cbc:StartDate"),
    Term("BT-74", "Invoicing period end date", _ST + "ram:BillingSpecifiedPeriod/ram:EndDateTime" + _DT,
         "cac:InvoicePeriod/cbc:EndDate"),
    Term("BT-80", "Deliver to country code",
         _H + "ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID",
         "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"),
    Term("BT-81", "Payment means type code", _ST + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode",
         "cac:PaymentMeans/cbc:PaymentMeansCode"),
    Term("BT-83", "Remittance information", _ST + "ram:PaymentReference", "cac:PaymentMeans/cbc:PaymentID"),
    Term("BT-84", "Payment account identifier",
         _ST + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
         "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
    Term("BT-86", "Payment service provider identifier",
         _ST + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
         "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
    Term("BT-106", "Sum of invoice line net amount", _SUM + "ram:LineTotalAmount",
         "cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
    Term("BT-109", "Invoice total amount without VAT", _SUM + "ram:TaxBasisTotalAmount",
         "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
    Term("BT-110", "Invoice total VAT amount", _SUM + "ram:TaxTotalAmount", "cac:TaxTotal/cbc:TaxAmount"),
    Term("BT-112", "Invoice total amount with VAT", _SUM + "ram:GrandTotalAmount",
         "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
    Term("BT-115", "Amount due for payment", _SUM + "ram:DuePayableAmount",
         "cac:LegalMonetaryTotal/cbc:PayableAmount"),
)  # fmt: skip

# Terms of each VAT breakdown (BG-23) and each line (BG-25), relative to their group.
BREAKDOWN = (
    Term("BT-116", "VAT category taxable amount", "ram:BasisAmount", "cbc:TaxableAmount"),
    Term("BT-117", "VAT category tax amount", "ram:CalculatedAmount", "cbc:TaxAmount"),
    Term("BT-118", "VAT category code", "ram:CategoryCode", "cac:TaxCategory/cbc:ID"),
    Term("BT-119", "VAT category rate", "ram:RateApplicablePercent", "cac:TaxCategory/cbc:Percent"),
    Term("BT-120", "VAT exemption reason text", "ram:ExemptionReason", "cac:TaxCategory/cbc:TaxExemptionReason"),
    Term("BT-121", "VAT exemption reason code", "ram:ExemptionReasonCode",
         "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
)  # fmt: skip
BREAKDOWN_GROUP = Term(
    "BG-23", "VAT breakdown", _ST + "ram:ApplicableTradeTax", "cac:TaxTotal/cac:TaxSubtotal"
)
LINE = (
    Term("BT-126", "Invoice line identifier", "ram:AssociatedDocumentLineDocument/ram:LineID", "cbc:ID"),
    Term("BT-129", "Invoiced quantity", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "cbc:InvoicedQuantity",
         "cbc:CreditedQuantity"),
    Term("BT-131", "Invoice line net amount",
         "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
         "cbc:LineExtensionAmount"),
    Term("BT-146", "Item net price", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
         "cac:Price/cbc:PriceAmount"),
    Term("BT-151", "Invoiced item VAT category code", "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode",
         "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
    Term("BT-152", "Invoiced item VAT rate",
         "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
         "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
    Term("BT-153", "Item name", "ram:SpecifiedTradeProduct/ram:Name", "cac:Item/cbc:Name"),
)  # fmt: skip
LINE_GROUP = Term(
    "BG-25",
    "Invoice line",
    _H + "ram:IncludedSupplyChainTradeLineItem",
    "cac:InvoiceLine",
    "cac:CreditNoteLine",
)
CREDIT_NOTE = "381"

UNIT_CODE = "C62"  # UN/ECE Rec 20 "one": ledgerops lines carry no unit
SEPA_CREDIT_TRANSFER = "58"
SPECIFICATIONS = {
    "factur-x": "urn:cen.eu:en16931:2017",
    "xrechnung-cii": "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
    "peppol-ubl": "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    "cii": "urn:cen.eu:en16931:2017",
    "ubl": "urn:cen.eu:en16931:2017",
}
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


# The EAS scheme (Peppol code list "Electronic Address Scheme") of a tax id by the country
# that issues it, and whether the id is written with its country prefix.
_EAS = {
    "AT": ("9914", True), "BE": ("0208", False), "DE": ("9930", True), "ES": ("9920", True),
    "FR": ("9957", True), "IE": ("9935", True), "LU": ("9938", True), "NL": ("9944", True),
    "PT": ("9946", True), "JP": ("0221", True), "US": ("9959", False),
}  # fmt: skip
EMAIL_SCHEME = "EM"  # EN 16931 accepts an email address; Peppol does not


class Preceding(NamedTuple):
    """The invoice a credit note corrects (BG-3)."""

    number: str  # BT-25
    issue_date: date  # BT-26


def endpoint(peppol_id: str | None, tax_id: str | None, country: str | None, email: str) -> tuple[str, str]:
    """(scheme, id) of an electronic address: the Peppol id as written, else one derived from
    the tax id, else the email address (scheme EM)."""
    if peppol_id and ":" in peppol_id:
        scheme, _, ident = peppol_id.partition(":")
        return scheme.strip(), ident.strip()
    if tax_id and country in _EAS:
        scheme, prefixed = _EAS[country]
        compact = re.sub(r"[\s.\-]", "", tax_id).upper()
        if country in ("US", "JP") or compact[:2] == country:
            return scheme, compact if prefixed else compact.removeprefix(country)
    return EMAIL_SCHEME, email


@dataclass(frozen=True, slots=True)
class EInvoice:
    """The business terms of one invoice: header values, VAT breakdowns and lines by BT id."""

    header: dict[str, str | None]
    breakdown: tuple[dict[str, str | None], ...]
    lines: tuple[dict[str, str | None], ...]
    currency: str
    specification: str
    profile: str | None = None  # BT-23 (UBL ProfileID), Peppol only
    seller_vat_scheme: str = "VA"  # or FC, a tax number
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def credit(self) -> bool:
        """A credit note (type code 381): UBL writes a CreditNote instead of an Invoice."""
        return self.header["BT-3"] == CREDIT_NOTE


def einvoice_terms(
    doc: InvoiceDocument, flavour: str, type_code: str = "380", preceding: Preceding | None = None
) -> EInvoice:
    """The business terms of the invoice as issued: payments and late fees are not in it.

    A credit note (type_code 381) names the invoice it corrects (`preceding`)."""
    if (type_code == CREDIT_NOTE) != (preceding is not None):
        raise ValueError("a credit note (type code 381), and only a credit note, names a preceding invoice")
    invoice, client, company = doc.invoice, doc.client, doc.company
    currency = invoice.currency

    def amount(value: Decimal) -> str:
        return money_str(value, currency)

    seller_country = company.country or country_of_vat_id(company.tax_id)
    buyer_country = client.country or country_of_vat_id(client.tax_id)
    missing = [what for what, value in (("company.country in policy.yaml", seller_country),
               (f"country in clients/{client.id}.yaml", buyer_country)) if not value]  # fmt: skip
    if missing:
        raise UsageError(f"an e-invoice needs the {' and the '.join(missing)} (an ISO code such as DE)")
    seller_street, seller_more, seller_city, seller_post = split_address(company.address, company.name)
    buyer_street, buyer_more, buyer_city, buyer_post = split_address(client.address, client.name)
    seller_vat = company.tax_id if company.tax_id and looks_like_eu_vat_id(company.tax_id) else None
    buyer_vat = client.tax_id if client.tax_id and looks_like_eu_vat_id(client.tax_id) else None
    groups: dict[tuple[str, Decimal], list[Decimal]] = {}
    lines: list[dict[str, str | None]] = []
    for index, (line, source) in enumerate(zip(doc.lines, invoice.lines, strict=True), start=1):
        code = category(source, client)
        groups.setdefault((code, line.tax_rate), []).append(line.net)
        lines.append({
            "BT-126": str(index),
            "BT-129": _number(line.quantity),
            "BT-131": amount(line.net),
            "BT-146": _number(line.unit_price),
            "BT-151": code,
            "BT-152": _number(line.tax_rate),
            "BT-153": line.description,
        })  # fmt: skip
    taxes = dict(doc.totals.tax_by_rate)
    reasons = dict(doc.tax_notes)
    breakdown = []
    for (code, rate), nets in groups.items():
        reason = next((r for r, spec in TAX_REASONS.items() if spec.category == code), None)
        # The tax of a rate is computed once on the sum of its nets (docs/spec.md §2.4).
        tax = taxes.get(rate, Decimal(0)) if code == "S" else Decimal(0)
        breakdown.append({
            "BT-116": amount(sum(nets, Decimal(0))),
            "BT-117": amount(tax),
            "BT-118": code,
            "BT-119": _number(rate),
            "BT-120": reasons.get(reason) if reason else None,
            "BT-121": TAX_REASONS[reason].vatex if reason else None,
        })  # fmt: skip
    period = invoice.service_period
    seller_scheme, seller_address = endpoint(company.peppol_id, company.tax_id, seller_country, company.email)
    buyer_scheme, buyer_address = endpoint(client.peppol_id, client.tax_id, buyer_country, client.email[0])
    needs_delivery_country = any(group["BT-118"] == "K" for group in breakdown)
    header: dict[str, str | None] = {
        "BT-1": invoice.id,
        "BT-2": _day(invoice.issue_date),
        "BT-3": type_code,
        "BT-5": currency,
        # A credit note's due date belongs to its payment means (UBL): none without them.
        "BT-9": _day(invoice.due_date) if type_code != CREDIT_NOTE or doc.bank else None,
        "BT-10": invoice.po_number or client.id,
        "BT-13": invoice.po_number,
        "BT-20": f"{(invoice.due_date - invoice.issue_date).days} days net, due {_day(invoice.due_date)}",
        "BT-22": invoice.note,
        "BT-24": SPECIFICATIONS[flavour],
        "BT-25": preceding.number if preceding else None,
        "BT-26": _day(preceding.issue_date) if preceding else None,
        "BT-27": company.name,
        "BT-31": seller_vat,
        "BT-32": None if seller_vat else company.tax_id,
        "BT-34": seller_address,
        "BT-34-1": seller_scheme,
        "BT-35": seller_street,
        "BT-36": seller_more,
        "BT-37": seller_city,
        "BT-38": seller_post,
        "BT-40": seller_country,
        "BT-41": company.contact_name,
        "BT-42": company.phone,
        "BT-43": company.email,
        "BT-44": client.name,
        "BT-48": buyer_vat,
        "BT-49": buyer_address,
        "BT-49-1": buyer_scheme,
        "BT-50": buyer_street,
        "BT-51": buyer_more,
        "BT-52": buyer_city,
        "BT-53": buyer_post,
        "BT-55": buyer_country,
        "BT-72": _day(invoice.service_date) if invoice.service_date and not period else None,
        "BT-73": _day(period.start) if period else None,
        "BT-74": _day(period.end) if period else None,
        "BT-80": buyer_country if needs_delivery_country else None,
        "BT-81": SEPA_CREDIT_TRANSFER if doc.bank else None,
        "BT-83": invoice.id if doc.bank else None,
        "BT-84": doc.bank.iban.replace(" ", "").upper() if doc.bank else None,
        "BT-86": doc.bank.bic if doc.bank else None,
        "BT-106": amount(doc.totals.net),
        "BT-109": amount(doc.totals.net),
        "BT-110": amount(doc.totals.tax),
        "BT-112": amount(doc.totals.total),
        "BT-115": amount(doc.totals.total),
    }
    return EInvoice(
        header=header,
        breakdown=tuple(breakdown),
        lines=tuple(lines),
        currency=currency,
        specification=SPECIFICATIONS[flavour],
        profile=PEPPOL_PROFILE if flavour == "peppol-ubl" else None,
        seller_vat_scheme="VA" if seller_vat else "FC",
    )


def _day(value: date) -> str:
    return value.isoformat()


def _number(value: Decimal) -> str:
    """A plain decimal without exponent or trailing zeros: 1, 0.5, 19, 2500.00 -> 2500."""
    text = format(value.normalize(), "f")
    return text


_POSTCODE_CITY = re.compile(r"^(?P<post>\d{4,5}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\s+(?P<city>.+)$")
_CITY_STATE_ZIP = re.compile(r"^(?P<state>[A-Z]{2})\s+(?P<post>\d{5}(-\d{4})?)$")
_COUNTRIES = {"germany", "deutschland", "usa", "united states", "japan", "france", "belgium",
              "belgique", "belgië", "austria", "österreich", "netherlands", "italy", "spain"}  # fmt: skip


def split_address(text: str | None, name: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(street, more, city, post code) from a free-text address, as far as it can be told.

    Lines and comma-separated parts are read in order; the part "12045 Berlin" (or
    "EC1A 1AA London", "OR 97209" after its city) gives the post code and city; the
    name and a trailing country name are dropped; the rest are street lines.
    """
    parts = [part.strip() for line in (text or "").splitlines() for part in line.split(",")]
    parts = [part for part in parts if part and part != name and part.lower() not in _COUNTRIES]
    city = post = None
    for index in range(len(parts) - 1, -1, -1):  # the post code comes late: search from the end
        match = _POSTCODE_CITY.match(parts[index])
        state = _CITY_STATE_ZIP.match(parts[index])
        if match:
            post, city = match["post"], match["city"]
            del parts[index]
            break
        if state and index > 0:
            post, city = state["post"], parts[index - 1]
            del parts[index - 1 : index + 1]
            break
        found = re.search(r"\d{3}-\d{4}", parts[index])  # Japan: "Aichi 450-0002"
        if found:
            post = found.group()
            city = parts[index].replace(post, "").strip() or None
            del parts[index]
            break
    street = parts[0] if parts else None
    more = ", ".join(parts[1:]) or None
    return street, more, city, post
