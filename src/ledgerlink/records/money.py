"""Money as Decimal with its currency: never a float, never an amount without a currency."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, field_validator

CENT = Decimal("0.01")

DecimalStr = Annotated[Decimal, PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]


def to_decimal(value: Any) -> Decimal:
    """Parse what remote systems send (strings, ints, sometimes floats in JSON) without float drift."""
    if isinstance(value, Decimal):
        return value
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def round_cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as NetSuite and the storefronts do for two-decimal currencies."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Money(BaseModel):
    """An amount in one currency (ISO 4217 code)."""

    model_config = ConfigDict(frozen=True)

    amount: DecimalStr
    currency: str

    @field_validator("amount", mode="before")
    @classmethod
    def _parse_amount(cls, value: Any) -> Decimal:
        return to_decimal(value)

    @field_validator("currency")
    @classmethod
    def _upper_iso(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"currency must be a three-letter ISO 4217 code, got {value!r}")
        return code

    @classmethod
    def of(cls, amount: Any, currency: str) -> Money:
        return cls(amount=to_decimal(amount), currency=currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=Decimal("0"), currency=currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def rounded(self) -> Money:
        return Money(amount=round_cents(self.amount), currency=self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
