"""Money is Decimal with a currency; arithmetic refuses to mix currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerlink.records.money import Money, round_cents, to_decimal


def test_parsing_never_goes_through_binary_floats() -> None:
    assert to_decimal("0.1") + to_decimal("0.2") == Decimal("0.3")
    assert to_decimal(0.1) == Decimal("0.1")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError, match="USD with EUR"):
        Money.of("1", "USD") + Money.of("1", "EUR")


def test_currency_codes_are_checked() -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Money.of("1", "dollars")
    assert Money.of("1", "usd").currency == "USD"


def test_rounding_is_half_up_to_the_cent() -> None:
    assert round_cents(Decimal("2.675")) == Decimal("2.68")
    assert round_cents(Decimal("-2.675")) == Decimal("-2.68")


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2),
)
def test_addition_is_exact(a: Decimal, b: Decimal) -> None:
    assert (Money.of(a, "EUR") + Money.of(b, "EUR")).amount == a + b
    assert Money.model_validate_json(Money.of(a, "EUR").model_dump_json()).amount == a
