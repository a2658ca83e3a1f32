"""commercetools orders into canonical orders: every amount exact, every order adding up to the cent."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerlink.connectors.commercetools.money import (
    MoneyFormatError,
    cents_to_decimal,
    decimal_to_cents,
    money_json,
    read_money,
)
from ledgerlink.connectors.commercetools.translate import TOTAL_DISCOUNT_NAME, translate_order
from ledgerlink.engine.problems import Code, ProblemError
from ledgerlink.sandbox.commercetools.pricing import (
    Tax,
    Totals,
    custom_line_item,
    line_item,
    money,
    shipping_info,
)
from ledgerlink.sandbox.commercetools.seed import seed_store
from ledgerlink.sandbox.commercetools.state import StateStore


@settings(database=None)
@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=4))
def test_cents_round_trip(cents: int, digits: int) -> None:
    amount = cents_to_decimal(cents, digits)
    assert decimal_to_cents(amount, digits) == cents
    assert amount == Decimal(cents) / Decimal(10) ** digits


def test_money_objects() -> None:
    value = {"type": "centPrecision", "currencyCode": "EUR", "centAmount": 1234, "fractionDigits": 2}
    assert read_money(value) == (Decimal("12.34"), "EUR")
    assert read_money({"currencyCode": "JPY", "centAmount": 500}) == (Decimal("500"), "JPY")
    assert money_json(Decimal("12.34"), "eur") == value
    with pytest.raises(MoneyFormatError):
        money_json(Decimal("0.001"), "EUR")
    with pytest.raises(MoneyFormatError):
        read_money({"currencyCode": "EUR", "centAmount": 12.5})


@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_every_seeded_order_adds_up(tmp_path: Path, currency: str) -> None:
    state = tmp_path / "ct.sqlite"
    seed_store(state, orders=60, products=10, unknown_sku_orders=3, currency=currency)
    with StateStore(state).transaction() as tx:
        documents = tx.all("orders")
    assert len(documents) == 60
    for document in documents:
        order = translate_order(document, source="ct")
        assert order.currency == currency
        assert order.computed_total() == order.total, order.source_id
        assert order.total.amount == Decimal(document["taxedPrice"]["totalGross"]["centAmount"]) / 100
        assert all(line.sku for line in order.lines)
        assert order.status in ("processing", "completed", "cancelled")
        assert order.customer.email
        assert not any(fee.name == TOTAL_DISCOUNT_NAME for fee in order.fees)


def _product(sku: str) -> dict[str, Any]:
    data = {"name": {"en": sku}, "slug": {"en": sku.lower()}, "masterVariant": {"id": 1, "sku": sku}}
    return {
        "id": f"p-{sku}",
        "productType": {"typeId": "product-type", "id": "pt"},
        "masterData": {"current": data},
    }


def _order(lines: list[dict[str, Any]], totals: Totals, **extra: Any) -> dict[str, Any]:
    return {
        "id": "o-1",
        "version": 1,
        "createdAt": "2024-03-01T10:00:00.000Z",
        "lastModifiedAt": "2024-03-01T10:05:00.000Z",
        "orderNumber": "1001",
        "customerEmail": "guest@example.com",
        "lineItems": lines,
        "customLineItems": [],
        "totalPrice": money(totals.price, totals.currency),
        "taxedPrice": totals.taxed_price(),
        "orderState": "Confirmed",
        **extra,
    }


line_spec = st.tuples(
    st.integers(min_value=1, max_value=500_000),  # unit price in cents
    st.integers(min_value=1, max_value=25),  # quantity
    st.integers(min_value=0, max_value=100),  # discount percent
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.lists(line_spec, min_size=1, max_size=6),
    st.sampled_from(["0.19", "0.07", "0.0725", "0.2", "0"]),
    st.booleans(),
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=0, max_value=2000),
)
def test_any_platform_order_adds_up(
    specs: list[tuple[int, int, int]], rate: str, included: bool, shipping: int, surcharge: int
) -> None:
    tax = Tax(Decimal(rate), "VAT", "DE", included)
    totals = Totals("EUR")
    lines = [
        line_item(
            totals,
            product=_product(f"SKU-{n}"),
            quantity=quantity,
            unit_cents=unit,
            tax=tax,
            discount_cents=unit * percent // 100,
        )
        for n, (unit, quantity, percent) in enumerate(specs)
    ]
    custom = (
        [custom_line_item(totals, name="Wrap", slug="wrap", cents=surcharge, tax=tax)] if surcharge else []
    )
    info = shipping_info(totals, name="Standard", cents=shipping, tax=tax, method_id="std")
    document = _order(lines, totals, customLineItems=custom, shippingInfo=info)
    order = translate_order(json.loads(json.dumps(document)), source="ct")
    assert order.computed_total() == order.total
    assert order.total.amount == Decimal(totals.gross) / 100
    assert order.tax_total.amount == Decimal(totals.gross - totals.net) / 100
    for line, (unit, quantity, percent) in zip(order.lines, specs, strict=True):
        assert line.discount.amount >= 0
        if not included:
            assert line.subtotal.amount == Decimal(unit * quantity) / 100
            assert line.discount.amount == Decimal(unit * percent // 100 * quantity) / 100
    assert len(order.fees) == len(custom)


def test_discount_on_total_price_becomes_a_negative_fee() -> None:
    tax = Tax(Decimal("0.19"), "VAT", "DE", False)
    totals = Totals("EUR")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=2, unit_cents=1000, tax=tax)]
    document = _order(lines, totals)
    document["totalPrice"]["centAmount"] -= 500  # a 5.00 discount on the total, net prices
    document["taxedPrice"]["totalNet"]["centAmount"] -= 500
    document["taxedPrice"]["totalGross"]["centAmount"] -= 595
    document["discountOnTotalPrice"] = {
        "discountedAmount": money(500, "EUR"),
        "includedDiscounts": [],
        "discountedNetAmount": money(500, "EUR"),
        "discountedGrossAmount": money(595, "EUR"),
    }
    order = translate_order(document, source="ct")
    [fee] = order.fees
    assert fee.name == TOTAL_DISCOUNT_NAME
    assert fee.amount.amount == Decimal("-5.00")
    assert order.computed_total() == order.total
    assert order.total.amount == Decimal("17.85")


def test_discount_on_total_price_of_an_untaxed_order_is_its_discounted_amount() -> None:
    totals = Totals("USD")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=3, unit_cents=1000, tax=None)]
    document = _order(lines, totals)
    del document["taxedPrice"]
    document["totalPrice"]["centAmount"] = 2700
    document["discountOnTotalPrice"] = {"discountedAmount": money(300, "USD"), "includedDiscounts": []}
    order = translate_order(document, source="ct")
    assert [(f.name, f.amount.amount) for f in order.fees] == [(TOTAL_DISCOUNT_NAME, Decimal("-3.00"))]
    assert order.computed_total() == order.total


@pytest.mark.parametrize("stated_cents", [1500, 500, 1001])
def test_a_total_the_parts_do_not_explain_is_left_for_the_totals_check(stated_cents: int) -> None:
    """No plug: a difference between the stated total and the parts stays visible as a discrepancy."""
    totals = Totals("USD")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=1, unit_cents=1000, tax=None)]
    document = _order(lines, totals)
    del document["taxedPrice"]
    document["totalPrice"]["centAmount"] = stated_cents
    order = translate_order(document, source="ct")
    assert order.fees == []
    assert order.total.amount == Decimal(stated_cents) / 100
    assert order.computed_total().amount == Decimal("10.00")
    assert order.total_discrepancy().amount == Decimal(stated_cents - 1000) / 100


def test_multiple_shipping_mode_has_a_shipping_line_per_method() -> None:
    tax = Tax(Decimal("0.19"), "VAT", "DE", False)
    totals = Totals("EUR")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=1, unit_cents=4000, tax=tax)]
    first = shipping_info(totals, name="Express", cents=900, tax=tax, method_id="express")
    second = shipping_info(totals, name="Standard", cents=450, tax=tax, method_id="std")
    document = _order(
        lines,
        totals,
        shippingMode="Multiple",
        shipping=[
            {"shippingKey": "a", "shippingInfo": first, "shippingAddress": {"country": "DE"}},
            {"shippingKey": "b", "shippingInfo": second, "shippingAddress": {"country": "DE"}},
        ],
    )
    order = translate_order(document, source="ct")
    assert [(s.title, s.amount.amount) for s in order.shipping] == [
        ("Express", Decimal("9.00")),
        ("Standard", Decimal("4.50")),
    ]
    assert order.fees == []
    assert order.computed_total() == order.total


def test_an_untaxed_discounted_shipping_counts_its_discounted_price() -> None:
    totals = Totals("USD")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=1, unit_cents=2000, tax=None)]
    info = shipping_info(totals, name="Standard", cents=0, tax=None, method_id="std")
    info["price"] = money(800, "USD")  # the rate's price; a cart discount made it free
    info["discountedPrice"] = {"value": money(0, "USD"), "includedDiscounts": []}
    document = _order(lines, totals, shippingInfo=info)
    del document["taxedPrice"]
    order = translate_order(document, source="ct")
    assert [s.amount.amount for s in order.shipping] == [Decimal("0.00")]
    assert order.computed_total() == order.total
    assert order.total.amount == Decimal("20.00")


def test_states_guests_and_addresses() -> None:
    totals = Totals("USD")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=1, unit_cents=999, tax=None)]
    address = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "streetName": "Main St",
        "streetNumber": "1",
        "postalCode": "73301",
        "city": "Austin",
        "state": "TX",
        "country": "us",
    }
    base = _order(lines, totals, billingAddress=address)
    del base["taxedPrice"]
    for state, expected in [
        ("Open", "processing"),
        ("Confirmed", "processing"),
        ("Complete", "completed"),
        ("Cancelled", "cancelled"),
    ]:
        order = translate_order({**base, "orderState": state}, source="ct")
        assert order.status == expected
    order = translate_order(base, source="ct")
    assert order.customer.is_guest
    assert order.customer.first_name == "Ada"
    assert order.billing is not None and order.billing.line1 == "Main St 1" and order.billing.region == "TX"
    assert order.billing.country == "US"
    assert order.total.amount == Decimal("9.99") and order.tax_total.amount == 0
    registered = translate_order({**base, "customerId": "c-9"}, source="ct")
    assert registered.customer.source_id == "c-9"


def test_custom_line_items_are_fees_not_lines() -> None:
    totals = Totals("EUR")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=1, unit_cents=1000, tax=None)]
    custom = [custom_line_item(totals, name="Gift wrapping", slug="gift-wrap", cents=350, tax=None)]
    order = translate_order(_order(lines, totals, customLineItems=custom), source="ct")
    assert [line.sku for line in order.lines] == ["SKU-1"]
    assert [(fee.name, fee.amount.amount) for fee in order.fees] == [("Gift wrapping", Decimal("3.50"))]


def test_wrong_fields_are_named() -> None:
    totals = Totals("EUR")
    lines = [line_item(totals, product=_product("SKU-1"), quantity=1, unit_cents=1000, tax=None)]
    document = _order(lines, totals)
    document["lineItems"][0]["price"]["value"]["centAmount"] = "10.00"
    with pytest.raises(ProblemError) as raised:
        translate_order(document, source="ct")
    assert raised.value.problem.code == Code.BAD_RESPONSE
    assert raised.value.problem.details["field"] == "lineItems[0].price.value"
    mixed = _order(lines, totals)
    mixed["lineItems"][0]["totalPrice"]["currencyCode"] = "USD"
    mixed["lineItems"][0].pop("taxedPrice", None)
    with pytest.raises(ProblemError):
        translate_order(mixed, source="ct")
