"""Why a line carries 0 % VAT, and whether a VAT id is well formed (docs/spec.md §4.5).

The reasons are a small fixed set; each maps to its EN 16931 VAT category (BT-151) and,
where one exists, its VATEX exemption reason code (BT-121). The text printed on the
invoice (BT-120) comes from the policy's `tax_reasons`, with the defaults below.

VAT ids are checked with python-stdnum (`stdnum.eu.vat`): a pure function of the text,
no I/O, imported only when an id is checked. It is the one library `core` may use
besides the standard library (tests/test_architecture.py).
"""

from __future__ import annotations

from typing import NamedTuple

from ledgerops.core.model import Client, Line
from ledgerops.core.policy import Policy


class TaxReason(NamedTuple):
    category: str  # EN 16931 VAT category code (UNCL 5305)
    vatex: str | None  # CEF VATEX code
    needs_buyer_vat_id: bool
    default_text: str | None  # None: the policy must give the legal text


TAX_REASONS: dict[str, TaxReason] = {
    "reverse_charge": TaxReason(
        "AE", "VATEX-EU-AE", True,
        "Reverse charge: VAT is due by the recipient (Art. 196 Directive 2006/112/EC)",
    ),
    "intra_eu": TaxReason(
        "K", "VATEX-EU-IC", True,
        "Intra-Community supply, exempt from VAT (Art. 138 Directive 2006/112/EC)",
    ),
    "export": TaxReason(
        "G", "VATEX-EU-G", False,
        "Export outside the EU, exempt from VAT (Art. 146 Directive 2006/112/EC)",
    ),
    "exempt": TaxReason("E", None, False, None),
}  # fmt: skip
TAX_REASON_NAMES = tuple(TAX_REASONS)
STANDARD_CATEGORY = "S"

# The EU member states' VAT prefixes (Greece writes EL).
EU_VAT_PREFIXES = frozenset(
    ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
     "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI")
)  # fmt: skip


def line_reason(line: Line, client: Client | None) -> str | None:
    """The reason of a 0 % line: its own `tax_reason`, else the client's `tax_treatment`."""
    if line.tax_rate != 0:
        return None
    return line.tax_reason or (client.tax_treatment if client else None)


def reason_text(reason: str, policy: Policy) -> str | None:
    """The legal text printed for a reason: the policy's own, else the default."""
    own = getattr(policy.tax_reasons, reason, None)
    return own or TAX_REASONS[reason].default_text


def category(line: Line, client: Client | None) -> str:
    """The EN 16931 VAT category of a line: S for a taxed line, else its reason's."""
    reason = line_reason(line, client)
    if line.tax_rate != 0 or reason is None:
        return STANDARD_CATEGORY if line.tax_rate != 0 else "Z"
    return TAX_REASONS[reason].category


def looks_like_eu_vat_id(tax_id: str) -> bool:
    return tax_id.replace(" ", "")[:2].upper() in EU_VAT_PREFIXES


def vat_id_problem(vat_id: str) -> str | None:
    """Why an EU VAT id is not valid (prefix, length, check digits), or None if it is."""
    from stdnum.eu import vat  # a pure function; imported only when an id is checked

    compact = vat_id.replace(" ", "").upper()
    if compact[:2] not in EU_VAT_PREFIXES:
        return f"'{vat_id}' does not start with an EU country prefix such as DE, FR or BE"
    if vat.is_valid(compact):
        return None
    return f"'{vat_id}' is not a valid {compact[:2]} VAT id (its length or check digits are wrong)"


def country_of_vat_id(vat_id: str | None) -> str | None:
    """The ISO 3166 country of an EU VAT id (EL is Greece, GR)."""
    if not vat_id or not looks_like_eu_vat_id(vat_id):
        return None
    prefix = vat_id.replace(" ", "")[:2].upper()
    return {"EL": "GR", "XI": "GB"}.get(prefix, prefix)
