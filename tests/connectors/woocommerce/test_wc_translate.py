"""WooCommerce order JSON into the canonical Order, to the cent."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ledgerlink.connectors.woocommerce.translate import translate_order
from ledgerlink.engine.problems import Code, ProblemError
from ledgerlink.records.money import Money
from ledgerlink.records.order import Order


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_samples_have_the_shop_order_shape(
    shop_order_validator: Any, registered_order: Any, guest_order: Any
) -> None:
    shop_order_validator(registered_order())
    shop_order_validator(guest_order())


def test_registered_order_with_coupon_shipping_fee_and_tax(registered_order: Any) -> None:
    order = translate_order(registered_order(727), source="shop")
    assert (order.source, order.source_id, order.number, order.status, order.currency) == (
        "shop",
        "727",
        "727",
        "processing",
        "USD",
    )
    assert order.created_at == datetime(2026, 11, 3, 8, 30, 12, tzinfo=UTC)
    assert order.modified_at == datetime(2026, 11, 3, 9, 30, 12, tzinfo=UTC)
    assert order.customer.source_id == "42" and not order.customer.is_guest
    assert (order.customer.email, order.customer.first_name, order.customer.company) == (
        "ada@example.com",
        "Ada",
        "Analytical Engines Ltd",
    )
    assert order.customer.phone == "+1 217 555 0101"
    assert order.billing is not None and order.billing.line2 == "Flat 3" and order.billing.region == "IL"
    assert order.shipping_address is not None and order.shipping_address.city == "Chicago"

    hoodie, beanie = order.lines
    assert (hoodie.source_line_id, hoodie.sku, hoodie.quantity) == ("315", "WOO-HOODIE-BL-L", Decimal(2))
    assert (hoodie.unit_price, hoodie.subtotal, hoodie.discount, hoodie.tax) == (
        usd("45.00"),
        usd("90.00"),
        usd("9.00"),
        usd("8.10"),
    )
    assert (beanie.sku, beanie.unit_price, beanie.discount, beanie.tax) == (
        None,
        usd("18.00"),
        usd("5.40"),
        usd("4.86"),
    )
    assert [(s.method_id, s.title, s.amount, s.tax) for s in order.shipping] == [
        ("flat_rate", "Flat rate", usd("10.00"), usd("1.00"))
    ]
    assert [(f.name, f.amount, f.tax) for f in order.fees] == [("Gift wrap", usd("5.00"), usd("0.50"))]
    assert [(d.code, d.amount) for d in order.discounts] == [("save10", usd("14.40"))]
    assert (order.discount_total, order.tax_total, order.total) == (usd("14.40"), usd("14.46"), usd("159.06"))
    assert order.computed_total() == order.total
    assert order.total_discrepancy() == usd("0.00")
    assert order.payment is not None
    assert (order.payment.method, order.payment.title, order.payment.transaction_id) == (
        "stripe",
        "Credit card (Stripe)",
        "ch_3PqRsT",
    )
    assert order.payment.paid_at == datetime(2026, 11, 3, 8, 32, 12, tzinfo=UTC)
    assert order.note == "Please leave at the back door." and order.prices_include_tax is False


def test_guest_order(guest_order: Any) -> None:
    order = translate_order(guest_order(728), source="shop")
    assert order.customer.source_id is None and order.customer.is_guest
    assert order.customer.email == "jan@example.nl"
    assert order.billing is not None and order.billing.country == "NL"
    assert order.shipping_address is None  # WooCommerce sends all-blank shipping for pickup orders
    assert order.total == Money.of("15.13", "EUR") and order.computed_total() == order.total
    assert order.payment is not None and order.payment.method == "bacs" and order.payment.paid_at is None
    assert order.discounts == [] and order.fees == []


def test_amounts_are_decimals_never_floats(registered_order: Any) -> None:
    order = translate_order(registered_order(), source="shop")

    def amounts(value: Any) -> list[Any]:
        if isinstance(value, Money):
            return [value.amount]
        if isinstance(value, list):
            return [a for item in value for a in amounts(item)]
        if isinstance(value, BaseModel):
            return [a for name in type(value).model_fields for a in amounts(getattr(value, name))]
        return []

    found = amounts(order)
    assert len(found) > 15 and all(type(a) is Decimal for a in found)


def test_uneven_unit_price_keeps_six_places(registered_order: Any) -> None:
    data = registered_order()
    data["line_items"][1].update(quantity=3, subtotal="10.00", total="10.00", total_tax="1.00")
    line = translate_order(data, source="shop").lines[1]
    assert line.unit_price == usd("3.333333") and line.subtotal == usd("10.00")


def test_store_figures_that_do_not_add_up_are_kept(
    registered_order: Any, caplog: pytest.LogCaptureFixture
) -> None:
    data = registered_order()
    data["total"] = "159.07"  # a rounding setting or plugin left a cent
    order = translate_order(data, source="shop")
    assert order.total == usd("159.07")
    assert order.total_discrepancy() == usd("0.01")
    assert "727" in caplog.text and "ada@example.com" not in caplog.text


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda o: o["line_items"][1].pop("subtotal"), "line_items[1].subtotal"),
        (lambda o: o.update(total="12,50"), "total"),
        (lambda o: o.pop("date_modified_gmt"), "date_modified_gmt"),
        (lambda o: o.update(date_created_gmt="yesterday"), "date_created_gmt"),
        (lambda o: o.update(shipping_lines=None), "shipping_lines"),
        (lambda o: o.update(customer_id="guest"), "customer_id"),
        (lambda o: o["coupon_lines"][0].pop("code"), "coupon_lines[0].code"),
        (lambda o: o.update(currency="dollars"), "currency"),
        (lambda o: o["fee_lines"][0].update(total={"amount": 5}), "fee_lines[0].total"),
    ],
)
def test_missing_or_unreadable_fields_are_named(registered_order: Any, mutate: Any, field: str) -> None:
    data = registered_order()
    mutate(data)
    with pytest.raises(ProblemError) as caught:
        translate_order(data, source="shop")
    assert caught.value.problem.code == Code.BAD_RESPONSE
    assert caught.value.problem.details["field"].startswith(field)
    assert field in caught.value.problem.why


# ---------------------------------------------------------------------------------------------------------
# Property: any consistent WooCommerce order translates into an Order whose parts add up to its total.

cents = st.integers(min_value=0, max_value=500_000)


def money_text(value: int) -> str:
    return f"{Decimal(value) / 100:.2f}"


@st.composite
def consistent_orders(draw: st.DrawFn, template: dict[str, Any]) -> dict[str, Any]:
    order = copy.deepcopy(template)
    tax = discount = goods = 0
    order["line_items"] = []
    for index in range(draw(st.integers(1, 6))):
        quantity = draw(st.integers(1, 20))
        subtotal = draw(cents)
        line_discount = draw(st.integers(0, subtotal))
        line_tax = draw(cents)
        tax, discount, goods = tax + line_tax, discount + line_discount, goods + subtotal - line_discount
        order["line_items"].append(
            {
                **template["line_items"][0],
                "id": 100 + index,
                "quantity": quantity,
                "subtotal": money_text(subtotal),
                "total": money_text(subtotal - line_discount),
                "total_tax": money_text(line_tax),
                "sku": draw(st.sampled_from(["", "SKU-1", "SKU-2"])),
            }
        )
    extras = 0
    for key, name_key in (("shipping_lines", "method_title"), ("fee_lines", "name")):
        lines = []
        for index in range(draw(st.integers(0, 3))):
            amount = draw(st.integers(-5_000, 50_000)) if key == "fee_lines" else draw(cents)
            line_tax = draw(cents)
            extras, tax = extras + amount, tax + line_tax
            line = {**template[key][0], "id": 200 + index, name_key: f"{key} {index}"}
            lines.append(line | {"total": money_text(amount), "total_tax": money_text(line_tax)})
        order[key] = lines
    order["discount_total"] = money_text(discount)
    order["total_tax"] = money_text(tax)
    order["total"] = money_text(goods + extras + tax)
    order["currency"] = draw(st.sampled_from(["USD", "EUR", "GBP", "CHF"]))
    order["customer_id"] = draw(st.sampled_from([0, 42]))
    return order


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_consistent_orders_add_up_to_their_total(registered_order: Any, data: st.DataObject) -> None:
    woo = data.draw(consistent_orders(registered_order()))
    order: Order = translate_order(woo, source="shop")
    assert order.computed_total() == order.total
    assert order.total_discrepancy().amount == 0
    assert order.total.amount == Decimal(woo["total"])
    assert sum((line.discount.amount for line in order.lines), Decimal(0)) == order.discount_total.amount
    assert (order.customer.source_id is None) == (woo["customer_id"] == 0)
