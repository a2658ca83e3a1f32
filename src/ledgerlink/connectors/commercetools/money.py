"""commercetools money (``centAmount`` + ``fractionDigits``) to and from exact ``Decimal`` amounts.

commercetools stores every amount as an integer count of the currency's smallest unit. Dividing by a
power of ten with ``Decimal.scaleb`` is exact, so no float ever touches an amount; going back, an amount
with more places than the currency has is refused rather than silently rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# ISO 4217 minor units for the currencies whose fraction digits are not 2 (commercetools follows ISO).
_FRACTION_DIGITS = {
    "BHD": 3,
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}


class MoneyFormatError(ValueError):
    """A money object that is not what commercetools sends."""


def fraction_digits(currency: str) -> int:
    """How many decimal places commercetools uses for ``currency`` in ``centPrecision`` money."""
    return _FRACTION_DIGITS.get(currency.upper(), 2)


def cents_to_decimal(cent_amount: int, digits: int) -> Decimal:
    """``centAmount`` as a Decimal with exactly ``digits`` places (1234, 2 -> 12.34)."""
    return Decimal(cent_amount).scaleb(-digits)


def decimal_to_cents(amount: Decimal, digits: int) -> int:
    """The inverse of :func:`cents_to_decimal`; refuses amounts finer than the currency allows."""
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise MoneyFormatError(f"{amount} has more than {digits} decimal places")
    return int(scaled)


def read_money(value: Any) -> tuple[Decimal, str]:
    """A commercetools ``TypedMoney`` (or ``Money``) object as ``(amount, currency)``.

    ``highPrecision`` money also carries ``centAmount`` rounded to the currency's precision; that is the
    figure commercetools adds up into totals, so it is the one read here.
    """
    if not isinstance(value, Mapping):
        raise MoneyFormatError(f"expected a money object, got {type(value).__name__}")
    cents, currency = value.get("centAmount"), value.get("currencyCode")
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise MoneyFormatError(f"centAmount must be an integer, got {cents!r}")
    if not isinstance(currency, str) or len(currency) != 3:
        raise MoneyFormatError(f"currencyCode must be an ISO 4217 code, got {currency!r}")
    digits = value.get("fractionDigits", fraction_digits(currency))
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 20:
        raise MoneyFormatError(f"fractionDigits must be a small integer, got {digits!r}")
    return cents_to_decimal(cents, digits), currency.upper()


def money_json(amount: Decimal, currency: str) -> dict[str, Any]:
    """A ``centPrecision`` money object for ``amount`` (what update actions and drafts take)."""
    digits = fraction_digits(currency)
    return {
        "type": "centPrecision",
        "currencyCode": currency.upper(),
        "centAmount": decimal_to_cents(amount, digits),
        "fractionDigits": digits,
    }
