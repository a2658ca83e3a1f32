"""Orders as a real Magento 2.4.7-p3 store answers ``GET /V1/orders/{id}`` (issue 21), not as an emulator.

The fixtures are written from the real store's REST output: each item's ``row_total`` (and
``base_row_total``) is net of the item's discount and ``row_total_incl_tax`` is that net row plus its tax
(``Magento\\Sales\\Model\\Order\\Webapi\\ChangeOutputArray``), clamped at zero; whole numbers are JSON
integers; the order's ``subtotal`` stays the rows before discount.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledgerlink.connectors.magento.translate import translate_order
from ledgerlink.records.order import Order

FIXTURES = Path(__file__).parent / "fixtures"
ALL = ["coupon_simple", "cart_discount_configurable", "shipping_discount", "bundle_and_tax_inclusive"]


def real(name: str) -> dict[str, Any]:
    """The fixture as the client reads it off the wire (amounts as Decimals)."""
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(), parse_float=Decimal))


def lines_by_sku(order: Order) -> dict[str | None, tuple[Decimal, Decimal]]:
    return {line.sku: (line.subtotal.amount, line.discount.amount) for line in order.lines}


@pytest.mark.parametrize("name", ALL)
def test_discounted_orders_add_up_to_grand_total_to_the_cent(name: str) -> None:
    data = real(name)
    order = translate_order(data, source="magento")
    assert order.total.amount == data["grand_total"]
    assert order.computed_total() == order.total
    assert sum(line.subtotal.amount for line in order.lines) == data["subtotal"]


def test_a_coupon_is_taken_off_once_not_twice() -> None:
    order = translate_order(real("coupon_simple"), source="magento")
    assert lines_by_sku(order) == {
        "24-MG04": (Decimal("29.90"), Decimal("2.99")),
        "24-WG086": (Decimal("20.40"), Decimal("2.04")),
    }
    assert order.lines[1].unit_price.amount == Decimal("10.2")
    assert [(d.code, d.amount.amount) for d in order.discounts] == [("TENOFF", Decimal("5.03"))]
    assert order.tax_total.amount == Decimal("3.73")


def test_a_cart_rule_on_a_configurable_product_books_the_child_once() -> None:
    order = translate_order(real("cart_discount_configurable"), source="magento")
    assert lines_by_sku(order) == {
        "MH01-XS-Black": (Decimal("52"), Decimal("7.8")),
        "24-WG081-blue": (Decimal("48.0"), Decimal("7.2")),
    }
    assert order.discounts == []  # a cart rule without a coupon: the discount is on the lines
    assert order.customer.is_guest


def test_a_shipping_discount_comes_off_the_shipping_line() -> None:
    order = translate_order(real("shipping_discount"), source="magento")
    assert order.shipping[0].amount.amount == Decimal("4.5")
    assert lines_by_sku(order) == {"24-MB02": (Decimal("30"), Decimal("3"))}
    assert order.discount_total.amount == Decimal("3.5")


def test_dynamic_bundle_children_and_a_row_clamped_at_zero() -> None:
    order = translate_order(real("bundle_and_tax_inclusive"), source="magento")
    assert lines_by_sku(order) == {
        "24-WG084": (Decimal("33.61"), Decimal("5")),
        "24-WG088": (Decimal("4.83"), Decimal("1")),
        "24-WG086": (Decimal("4.76"), Decimal("5.9")),  # net row 0 on the wire: price x qty
    }
    assert order.currency == "EUR"
    assert order.tax_total.amount == Decimal("8.45")  # tax plus the hidden tax of the discounts


def test_a_store_whose_rows_are_not_rewritten_still_adds_up() -> None:
    """An extension may take the output plugin away: then the rows as sent already make ``subtotal``."""
    data = copy.deepcopy(real("cart_discount_configurable"))
    for item in data["items"]:
        item["row_total"] += item["discount_amount"]
        item["base_row_total"] += item["base_discount_amount"]
    order = translate_order(data, source="magento")
    assert order.computed_total() == order.total
    assert lines_by_sku(order)["MH01-XS-Black"] == (Decimal("52.0"), Decimal("7.8"))


def test_a_fixed_price_bundle_is_one_line() -> None:
    data = copy.deepcopy(real("bundle_and_tax_inclusive"))
    parent, brick, strap = data["items"][:3]
    for field in ("row_total", "discount_amount", "tax_amount", "discount_tax_compensation_amount"):
        parent[field] = brick[field] + strap[field]
        brick[field] = strap[field] = 0
    parent["price"] = brick["price"] + strap["price"]
    brick["price"] = strap["price"] = 0
    order = translate_order(data, source="magento")
    assert "24-WG084" not in order.skus and "24-WG080-24-WG084-24-WG088" in order.skus
    assert order.computed_total() == order.total
