"""WooCommerce order JSON (REST wc/v3) into the canonical :class:`~ledgerlink.records.order.Order`.

WooCommerce line ``subtotal``/``total`` are before tax whether or not the shop enters prices with tax,
so lines less discounts, plus shipping, fees and ``total_tax`` give ``total``. When a store's own figures
do not add up (rounding settings, plugins), they are kept as they are: the flow posts the difference as a
rounding adjustment, which :meth:`~ledgerlink.records.order.Order.total_discrepancy` measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledgerlink.connectors.fields import FieldReader
from ledgerlink.records.customer import Address, Customer
from ledgerlink.records.money import CENT, Money
from ledgerlink.records.order import Discount, FeeLine, Order, OrderLine, Payment, ShippingLine

UNIT_PRICE_PLACES = Decimal("0.000001")


class _Fields(FieldReader):
    """Reads one JSON object, naming the exact field (``line_items[2].subtotal``) when it is wrong."""

    system = "WooCommerce"
    advice = (
        "check plugins that change the order REST response; the field must be as WooCommerce core sends it"
    )

    def gmt(self, key: str, *, required: bool) -> datetime | None:
        value = self.raw(key) if required else self.raw(key, None)
        if value in (None, ""):
            if required:
                raise self.fail(key, "empty")
            return None
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"{value!r} is not an ISO 8601 time") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


bad_field = _Fields.problem


def parse_gmt(value: str) -> datetime:
    """A WooCommerce ``*_gmt`` time (no offset, UTC) as an aware UTC datetime."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _address(fields: _Fields) -> Address | None:
    address = Address(
        first_name=fields.text("first_name", ""),
        last_name=fields.text("last_name", ""),
        company=fields.text("company", ""),
        line1=fields.text("address_1", ""),
        line2=fields.text("address_2", ""),
        city=fields.text("city", ""),
        region=fields.text("state", ""),
        postcode=fields.text("postcode", ""),
        country=fields.text("country", "").upper(),
        phone=fields.text("phone", ""),
    )
    return None if address.is_empty() and not address.addressee else address


def _unit_price(subtotal: Decimal, quantity: Decimal) -> Decimal:
    """Subtotal per unit: to the cent when it divides evenly, else to six places (never a float)."""
    if quantity == 0:
        return subtotal
    unit = subtotal / quantity
    return unit.quantize(CENT) if unit == unit.quantize(CENT) else unit.quantize(UNIT_PRICE_PLACES)


def _line(fields: _Fields, currency: str) -> OrderLine:
    quantity = fields.decimal("quantity")
    subtotal = fields.decimal("subtotal")
    total = fields.decimal("total")
    sku = fields.text("sku", "").strip()
    return OrderLine(
        source_line_id=fields.text("id"),
        sku=sku or None,
        name=fields.text("name", ""),
        quantity=quantity,
        unit_price=Money.of(_unit_price(subtotal, quantity), currency),
        subtotal=Money.of(subtotal, currency),
        discount=Money.of(subtotal - total, currency),
        tax=Money.of(fields.decimal("total_tax"), currency),
    )


def _customer(order: _Fields, billing: Address | None, shipping: Address | None) -> Customer:
    customer_id = order.raw("customer_id")
    if isinstance(customer_id, bool) or not str(customer_id).isdigit():
        raise bad_field(order.order_id, "customer_id", f"expected a user id, got {customer_id!r}")
    bill = order.child("billing")
    return Customer(
        source_id=None if int(customer_id) == 0 else str(customer_id),
        email=bill.text("email", "").strip(),
        first_name=bill.text("first_name", ""),
        last_name=bill.text("last_name", ""),
        company=bill.text("company", ""),
        phone=bill.text("phone", ""),
        billing=billing,
        shipping=shipping,
    )


def _payment(order: _Fields) -> Payment | None:
    method = order.text("payment_method", "")
    title = order.text("payment_method_title", "")
    if not (method or title):
        return None
    return Payment(
        method=method,
        title=title,
        transaction_id=order.text("transaction_id", ""),
        paid_at=order.gmt("date_paid_gmt", required=False),
    )


def translate_order(data: Mapping[str, Any], *, source: str) -> Order:
    """One WooCommerce order as an :class:`Order`; ``source`` is the connection name."""
    order_id = data.get("id", "?") if isinstance(data, Mapping) else "?"
    order = _Fields(data, "", order_id)
    currency = order.text("currency").upper()

    def money(fields: _Fields, key: str) -> Money:
        return Money.of(fields.decimal(key), currency)

    billing = _address(order.child("billing"))
    shipping_address = _address(order.child("shipping")) if "shipping" in data else None
    with order.refusals():
        return order.build_order(
            source=source,
            source_id=order.text("id"),
            number=order.text("number"),
            status=order.text("status"),
            currency=currency,
            created_at=order.gmt("date_created_gmt", required=True),
            modified_at=order.gmt("date_modified_gmt", required=True),
            customer=_customer(order, billing, shipping_address),
            billing=billing,
            shipping_address=shipping_address,
            lines=[_line(item, currency) for item in order.children("line_items")],
            shipping=[
                ShippingLine(
                    method_id=item.text("method_id", ""),
                    title=item.text("method_title", ""),
                    amount=money(item, "total"),
                    tax=money(item, "total_tax"),
                )
                for item in order.children("shipping_lines")
            ],
            fees=[
                FeeLine(name=item.text("name", ""), amount=money(item, "total"), tax=money(item, "total_tax"))
                for item in order.children("fee_lines")
            ],
            discounts=[
                Discount(code=item.text("code"), amount=money(item, "discount"))
                for item in order.children("coupon_lines")
            ],
            discount_total=money(order, "discount_total"),
            tax_total=money(order, "total_tax"),
            total=money(order, "total"),
            payment=_payment(order),
            note=order.text("customer_note", ""),
            prices_include_tax=bool(order.raw("prices_include_tax", False)),
        )
