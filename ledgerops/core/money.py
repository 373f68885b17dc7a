"""Money as Decimal, rounded to each currency's ISO 4217 minor unit."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units for the currencies a freelancer is likely to bill in; any other
# valid three-letter code is assumed to have 2, the most common value.
_MINOR_UNITS = {
    "BHD": 3, "CLP": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "LYD": 3, "OMR": 3, "PYG": 0, "TND": 3, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "RWF": 0, "VUV": 0, "DJF": 0, "GNF": 0, "KMF": 0, "BIF": 0,
}  # fmt: skip


_QUANTUM = {0: Decimal("1"), 2: Decimal("0.01"), 3: Decimal("0.001")}
# Up to 15 integer digits and 10 decimals: far beyond any invoice, and within the 28
# significant digits that Decimal arithmetic keeps exact.
_AMOUNT = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,10})?\Z")
ZERO = Decimal("0")


def parse_amount(text: str) -> Decimal | None:
    """An amount exactly as written (`1234.50`, `-3`), or None when it is not one we accept:
    no exponents, separators or currency signs, and not absurdly large."""
    return Decimal(text) if _AMOUNT.match(text) else None


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (docs/spec.md §2.4)."""
    return amount.quantize(_QUANTUM[minor_units(currency)], rounding=ROUND_HALF_UP)


def decimal_places(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def money_str(amount: Decimal, currency: str) -> str:
    """The JSON form of an amount: a decimal string with the currency's minor units."""
    return str(round_money(amount, currency))
