"""EN 16931 e-invoices as XML, written from the business terms of core/en16931.py only.

CII (UN/CEFACT Cross Industry Invoice D16B, as Factur-X and XRechnung use it) and UBL 2.1
(the Invoice of Peppol BIS Billing 3.0) are written here; the element order follows each
schema. Both read the same values, keyed by BT id, so they cannot say different things.
A credit note (`EInvoice.credit`, type code 381) is the same CII with the preceding invoice
(BG-3), and in UBL a CreditNote document: the paths that differ come from the table
(`Term.path(..., credit=True)`), the rest is shared.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.en16931 import LINE, LINE_GROUP, TERMS, UNIT_CODE, EInvoice, einvoice_terms
from ledgerops.render.email import Attachment

_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
for _prefix, _uri in _NS.items():
    ET.register_namespace(_prefix, _uri)


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _add(parent: ET.Element, path: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = parent
    for name in path.split("/"):
        node = ET.SubElement(node, _q(name))
    if text is not None:
        node.text = text
    for key, value in attrs.items():
        node.set(key, value)
    return node


def _optional(parent: ET.Element, path: str, text: str | None) -> None:
    """An element for a term that has a value; none for one that has not."""
    if text is not None:
        _add(parent, path, text)


def _date(parent: ET.Element, path: str, iso: str) -> None:
    _add(parent, path + "/udt:DateTimeString", iso.replace("-", ""), format="102")


def _party(parent: ET.Element, name: str, terms: dict[str, str | None], ids: tuple[str, ...],
           tax_ids: tuple[tuple[str, str], ...], contact: tuple[str, ...] = ()) -> None:  # fmt: skip
    """A trade party: name, contact (BT ids of name, telephone, email), address, electronic
    address, tax ids (by BT id)."""
    name_bt, endpoint_bt, line1, line2, city, post, country = ids
    party = _add(parent, name)
    _add(party, "ram:Name", terms[name_bt])
    if contact and any(terms[bt] for bt in contact):
        person = _add(party, "ram:DefinedTradeContact")
        for bt, path in zip(contact, ("ram:PersonName", "ram:TelephoneUniversalCommunication/ram:CompleteNumber",
                                      "ram:EmailURIUniversalCommunication/ram:URIID"), strict=True):  # fmt: skip
            _optional(person, path, terms[bt])
    address = _add(party, "ram:PostalTradeAddress")
    for bt, element in ((post, "ram:PostcodeCode"), (line1, "ram:LineOne"), (line2, "ram:LineTwo"),
                        (city, "ram:CityName"), (country, "ram:CountryID")):  # fmt: skip
        if terms[bt]:
            _add(address, element, terms[bt])
    _add(
        party,
        "ram:URIUniversalCommunication/ram:URIID",
        terms[endpoint_bt],
        schemeID=terms[endpoint_bt + "-1"] or "EM",
    )
    for bt, scheme in tax_ids:
        if terms[bt]:
            _add(party, "ram:SpecifiedTaxRegistration/ram:ID", terms[bt], schemeID=scheme)


# (path in the line item, BT id), in the order of the CII schema
_LINE_PATHS = (
    ("ram:AssociatedDocumentLineDocument/ram:LineID", "BT-126"),
    ("ram:SpecifiedTradeProduct/ram:Name", "BT-153"),
    ("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", "BT-146"),
    ("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "BT-129"),
)


def cii_xml(e: EInvoice) -> bytes:
    """The CII document of an e-invoice (BT ids in comments of core/en16931.TERMS)."""
    h = e.header
    root = ET.Element(_q("rsm:CrossIndustryInvoice"))
    _add(
        root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", h["BT-24"]
    )
    document = _add(root, "rsm:ExchangedDocument")
    _add(document, "ram:ID", h["BT-1"])
    _add(document, "ram:TypeCode", h["BT-3"])
    _date(document, "ram:IssueDateTime", h["BT-2"] or "")
    _optional(document, "ram:IncludedNote/ram:Content", h["BT-22"])
    transaction = _add(root, "rsm:SupplyChainTradeTransaction")
    for line in e.lines:
        item = _add(transaction, "ram:IncludedSupplyChainTradeLineItem")
        for path, bt in _LINE_PATHS:
            _add(item, path, line[bt], **({"unitCode": UNIT_CODE} if bt == "BT-129" else {}))
        settlement = _add(item, "ram:SpecifiedLineTradeSettlement")
        tax = _add(settlement, "ram:ApplicableTradeTax")
        _add(tax, "ram:TypeCode", "VAT")
        _add(tax, "ram:CategoryCode", line["BT-151"])
        _add(tax, "ram:RateApplicablePercent", line["BT-152"])
        _add(
            settlement,
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            line["BT-131"],
        )
    agreement = _add(transaction, "ram:ApplicableHeaderTradeAgreement")
    _add(agreement, "ram:BuyerReference", h["BT-10"])
    _party(agreement, "ram:SellerTradeParty", h, ("BT-27", "BT-34", "BT-35", "BT-36", "BT-37", "BT-38", "BT-40"),
           (("BT-31", "VA"), ("BT-32", "FC")), contact=("BT-41", "BT-42", "BT-43"))  # fmt: skip
    _party(agreement, "ram:BuyerTradeParty", h, ("BT-44", "BT-49", "BT-50", "BT-51", "BT-52", "BT-53", "BT-55"),
           (("BT-48", "VA"),))  # fmt: skip
    _optional(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", h["BT-13"])
    delivery = _add(transaction, "ram:ApplicableHeaderTradeDelivery")
    _optional(delivery, "ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID", h["BT-80"])
    if h["BT-72"]:
        _date(delivery, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime", h["BT-72"])
    settle = _add(transaction, "ram:ApplicableHeaderTradeSettlement")
    _optional(settle, "ram:PaymentReference", h["BT-83"])
    _add(settle, "ram:InvoiceCurrencyCode", h["BT-5"])
    if h["BT-81"]:
        means = _add(settle, "ram:SpecifiedTradeSettlementPaymentMeans")
        _add(means, "ram:TypeCode", h["BT-81"])
        _add(means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID", h["BT-84"])
        _optional(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", h["BT-86"])
    for group in e.breakdown:
        tax = _add(settle, "ram:ApplicableTradeTax")
        _add(tax, "ram:CalculatedAmount", group["BT-117"])
        _add(tax, "ram:TypeCode", "VAT")
        _optional(tax, "ram:ExemptionReason", group["BT-120"])
        _add(tax, "ram:BasisAmount", group["BT-116"])
        _add(tax, "ram:CategoryCode", group["BT-118"])
        _optional(tax, "ram:ExemptionReasonCode", group["BT-121"])
        _add(tax, "ram:RateApplicablePercent", group["BT-119"])
    if h["BT-73"]:
        period = _add(settle, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", h["BT-73"])
        _date(period, "ram:EndDateTime", h["BT-74"] or "")
    terms = _add(settle, "ram:SpecifiedTradePaymentTerms")
    _add(terms, "ram:Description", h["BT-20"])
    _date(terms, "ram:DueDateDateTime", h["BT-9"] or "")
    sums = _add(settle, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _add(sums, "ram:LineTotalAmount", h["BT-106"])
    _add(sums, "ram:TaxBasisTotalAmount", h["BT-109"])
    _add(sums, "ram:TaxTotalAmount", h["BT-110"], currencyID=e.currency)
    _add(sums, "ram:GrandTotalAmount", h["BT-112"])
    _add(sums, "ram:DuePayableAmount", h["BT-115"])
    if h["BT-25"]:
        reference = _add(settle, "ram:InvoiceReferencedDocument")
        _add(reference, "ram:IssuerAssignedID", h["BT-25"])
        _add(
            reference,
            "ram:FormattedIssueDateTime/qdt:DateTimeString",
            (h["BT-26"] or "").replace("-", ""),
            format="102",
        )
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


# --- UBL ----------------------------------------------------------------------------------
def _ubl_party(parent: ET.Element, terms: dict[str, str | None], ids: tuple[str, ...],
               tax_ids: tuple[tuple[str, str], ...], contact: tuple[str, ...] = ()) -> None:  # fmt: skip
    """A UBL cac:Party, in the order of the schema: endpoint, address, tax schemes, legal entity, contact."""
    name_bt, endpoint_bt, line1, line2, city, post, country = ids
    party = _add(parent, "cac:Party")
    if terms[endpoint_bt]:
        _add(party, "cbc:EndpointID", terms[endpoint_bt], schemeID=terms[endpoint_bt + "-1"] or "EM")
    address = _add(party, "cac:PostalAddress")
    for bt, element in ((line1, "cbc:StreetName"), (line2, "cbc:AdditionalStreetName"),
                        (city, "cbc:CityName"), (post, "cbc:PostalZone")):  # fmt: skip
        _optional(address, element, terms[bt])
    _add(address, "cac:Country/cbc:IdentificationCode", terms[country])
    for bt, scheme in tax_ids:
        if terms[bt]:
            scheme_party = _add(party, "cac:PartyTaxScheme")
            _add(scheme_party, "cbc:CompanyID", terms[bt])
            _add(scheme_party, "cac:TaxScheme/cbc:ID", scheme)
    _add(party, "cac:PartyLegalEntity/cbc:RegistrationName", terms[name_bt])
    if contact and any(terms[bt] for bt in contact):
        person = _add(party, "cac:Contact")
        for bt, element in zip(contact, ("cbc:Name", "cbc:Telephone", "cbc:ElectronicMail"), strict=True):
            _optional(person, element, terms[bt])


def _money(parent: ET.Element, path: str, text: str | None, currency: str) -> None:
    _add(parent, path, text, currencyID=currency)


def _put(parent: ET.Element, path: str, text: str | None) -> None:
    """Like _optional, but into the elements of the path that already exist."""
    if text is None:
        return
    node = parent
    for name in path.split("/"):
        found = node.find(_q(name))
        node = found if found is not None else ET.SubElement(node, _q(name))
    node.text = text


# Header groups written as (path, BT id), in the order of the UBL schema; a group is left out
# when none of its terms has a value.
_UBL_GROUPS = (
    ("cac:Delivery", (("cbc:ActualDeliveryDate", "BT-72"),
                      ("cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode", "BT-80"))),
    ("cac:PaymentMeans", (("cbc:PaymentMeansCode", "BT-81"), ("cbc:PaymentID", "BT-83"),
                          ("cac:PayeeFinancialAccount/cbc:ID", "BT-84"),
                          ("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", "BT-86"))),
)  # fmt: skip


_TERM = {term.bt: term for term in (*TERMS, *LINE, LINE_GROUP)}


def _ubl_path(bt: str, credit: bool) -> str:
    return _TERM[bt].path("ubl", credit)


def ubl_xml(e: EInvoice) -> bytes:
    """The UBL 2.1 Invoice of an e-invoice, or CreditNote of a credit note (Peppol BIS Billing
    3.0 when e.profile is set)."""
    h, cur, credit = e.header, e.currency, e.credit
    root = ET.Element(_q("cn:CreditNote" if credit else "ubl:Invoice"))
    # A CreditNote has its type code after the issue date and its due date in PaymentMeans.
    dates = (("cbc:IssueDate", "BT-2"),) if credit else (("cbc:IssueDate", "BT-2"), ("cbc:DueDate", "BT-9"))
    for path, bt in (("cbc:CustomizationID", "BT-24"), ("cbc:ProfileID", ""), ("cbc:ID", "BT-1"), *dates,
                     (_ubl_path("BT-3", credit), "BT-3"), ("cbc:Note", "BT-22"),
                     ("cbc:DocumentCurrencyCode", "BT-5"), ("cbc:BuyerReference", "BT-10")):  # fmt: skip
        _optional(root, path, h[bt] if bt else e.profile)
    if h["BT-73"]:
        period = _add(root, "cac:InvoicePeriod")
        _add(period, "cbc:StartDate", h["BT-73"])
        _optional(period, "cbc:EndDate", h["BT-74"])
    _optional(root, "cac:OrderReference/cbc:ID", h["BT-13"])
    if h["BT-25"]:
        reference = _add(root, "cac:BillingReference/cac:InvoiceDocumentReference")
        _add(reference, "cbc:ID", h["BT-25"])
        _optional(reference, "cbc:IssueDate", h["BT-26"])
    seller = _add(root, "cac:AccountingSupplierParty")
    _ubl_party(seller, h, ("BT-27", "BT-34", "BT-35", "BT-36", "BT-37", "BT-38", "BT-40"),
               (("BT-31", "VAT"), ("BT-32", "TAX")), contact=("BT-41", "BT-42", "BT-43"))  # fmt: skip
    buyer = _add(root, "cac:AccountingCustomerParty")
    _ubl_party(buyer, h, ("BT-44", "BT-49", "BT-50", "BT-51", "BT-52", "BT-53", "BT-55"),
               (("BT-48", "VAT"),))  # fmt: skip
    for element, terms in _UBL_GROUPS:
        if element == "cac:PaymentMeans" and credit:
            terms = (terms[0], ("cbc:PaymentDueDate", "BT-9"), *terms[1:])
        if any(h[bt] for _, bt in terms if bt != "BT-9"):
            node = _add(root, element)
            for path, bt in terms:
                _put(node, path, h[bt])
    _optional(root, "cac:PaymentTerms/cbc:Note", h["BT-20"])
    total = _add(root, "cac:TaxTotal")
    _money(total, "cbc:TaxAmount", h["BT-110"], cur)
    for group in e.breakdown:
        sub = _add(total, "cac:TaxSubtotal")
        _money(sub, "cbc:TaxableAmount", group["BT-116"], cur)
        _money(sub, "cbc:TaxAmount", group["BT-117"], cur)
        category = _add(sub, "cac:TaxCategory")
        _add(category, "cbc:ID", group["BT-118"])
        _add(category, "cbc:Percent", group["BT-119"])
        _optional(category, "cbc:TaxExemptionReasonCode", group["BT-121"])
        _optional(category, "cbc:TaxExemptionReason", group["BT-120"])
        _add(category, "cac:TaxScheme/cbc:ID", "VAT")
    sums = _add(root, "cac:LegalMonetaryTotal")
    for path, bt in (("cbc:LineExtensionAmount", "BT-106"), ("cbc:TaxExclusiveAmount", "BT-109"),
                     ("cbc:TaxInclusiveAmount", "BT-112"), ("cbc:PayableAmount", "BT-115")):  # fmt: skip
        _money(sums, path, h[bt], cur)
    for line in e.lines:
        item_line = _add(root, _ubl_path("BG-25", credit))
        _add(item_line, "cbc:ID", line["BT-126"])
        _add(item_line, _ubl_path("BT-129", credit), line["BT-129"], unitCode=UNIT_CODE)
        _money(item_line, "cbc:LineExtensionAmount", line["BT-131"], cur)
        item = _add(item_line, "cac:Item")
        _add(item, "cbc:Name", line["BT-153"])
        tax = _add(item, "cac:ClassifiedTaxCategory")
        _add(tax, "cbc:ID", line["BT-151"])
        _add(tax, "cbc:Percent", line["BT-152"])
        _add(tax, "cac:TaxScheme/cbc:ID", "VAT")
        _money(item_line, "cac:Price/cbc:PriceAmount", line["BT-146"], cur)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def einvoice_xml(doc: InvoiceDocument, chosen: str) -> bytes | None:
    """The e-invoice of the client's `einvoice` setting: UBL for peppol-ubl, CII for
    xrechnung-cii and factur-x (the XRechnung or Factur-X specification id); None for none."""
    if chosen == "peppol-ubl":
        return ubl_xml(einvoice_terms(doc, chosen))
    if chosen in ("xrechnung-cii", "factur-x"):
        return cii_xml(einvoice_terms(doc, chosen))
    return None


def einvoice_attachments(doc: InvoiceDocument, chosen: str) -> tuple[Attachment, ...]:
    """The XML attached to the invoice email: for peppol-ubl and xrechnung-cii. factur-x puts
    the CII inside the PDF (render/facturx.py): nothing is attached beside it, nor for none."""
    data = einvoice_xml(doc, chosen) if chosen in ("peppol-ubl", "xrechnung-cii") else None
    return () if data is None else (Attachment(f"{doc.invoice.id}.xml", data, "application", "xml"),)
