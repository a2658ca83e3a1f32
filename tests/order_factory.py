"""Building canonical store orders for the tests that need one with known figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ledgerlink.records.customer import Customer
from ledgerlink.records.money import Money
from ledgerlink.records.order import Discount, FeeLine, Order, OrderLine, ShippingLine

WHEN = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def money(value: str | Decimal) -> Money:
    return Money.of(value, "USD")


def make_order(
    lines: list[tuple[str, int, Decimal, Decimal, Decimal]],
    shipping: Decimal,
    fee: Decimal,
    *,
    email: str = "Jane@Example.com",
) -> Order:
    """A consistent USD store order: lines (sku, quantity, unit price, discount, tax), a flat shipping
    charge and a gift-wrap fee; its total is what the parts add up to."""
    order_lines = []
    for n, (sku, qty, price, discount, tax) in enumerate(lines):
        subtotal = price * qty
        order_lines.append(
            OrderLine(
                source_line_id=str(n),
                sku=sku,
                name=f"Product {sku}",
                quantity=Decimal(qty),
                unit_price=money(price),
                subtotal=money(subtotal),
                discount=money(min(discount, subtotal)),
                tax=money(tax),
            )
        )
    tax_total = sum((line.tax.amount for line in order_lines), Decimal("0"))
    discount_total = sum((line.discount.amount for line in order_lines), Decimal("0"))
    total = (
        sum((line.subtotal.amount - line.discount.amount for line in order_lines), Decimal("0"))
        + shipping
        + fee
        + tax_total
    )
    return Order(
        source="woo",
        source_id="42",
        number="42",
        status="processing",
        currency="USD",
        created_at=WHEN,
        modified_at=WHEN,
        customer=Customer(source_id=None, email=email, first_name="Jane", last_name="Doe"),
        lines=order_lines,
        shipping=[ShippingLine(method_id="flat_rate", title="Flat", amount=money(shipping), tax=money("0"))]
        if shipping
        else [],
        fees=[FeeLine(name="Gift wrap", amount=money(fee), tax=money("0"))] if fee else [],
        discounts=[Discount(code="SAVE", amount=money(discount_total))] if discount_total else [],
        discount_total=money(discount_total),
        tax_total=money(tax_total),
        total=money(total),
    )
