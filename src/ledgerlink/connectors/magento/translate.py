"""Magento order JSON (``sales-data-order-interface``) into the canonical :class:`Order`.

What Magento's figures mean, and how they are read:

* Amounts are taken in the **order currency** (``subtotal``, ``grand_total``...), never the ``base_*``
  (website base currency) twins: NetSuite books what the buyer paid.
* Items: a configurable product appears twice, a priced parent (``product_type: configurable``) and a
  child simple product with ``parent_item_id`` and no price. The parent is the line; its SKU is the
  child's (Magento already writes the chosen child's SKU on the parent, the child is read when it does
  not). A bundle whose children carry prices (dynamic price) is booked as its children; a bundle with a
  fixed price carries it on the parent, which is the line.
* ``row_total`` on the wire is **net of the item's discount**: Magento's REST output rewrites each item's
  ``row_total`` and ``base_row_total`` to ``max(0, row_total - discount_amount)`` and ``row_total_incl_tax``
  to the net row plus its tax (``Magento\\Sales\\Model\\Order\\Webapi\\ChangeOutputArray``, wired in
  ``module-sales/etc/webapi_rest/di.xml``; ``DefaultColumn::getTotalAmount``), while the order's
  ``subtotal`` stays the sum of the rows before discount. So a line's amount before discount is the wire
  ``row_total`` plus its ``discount_amount``; when the rewrite clamped a row at zero (a discount larger
  than the row, as with tax-inclusive prices), it is ``price x qty``. Stores whose output is not rewritten
  (an extension removing the plugin) are recognised because their rows already add up to ``subtotal``.
  ``row_total_incl_tax`` is net too, so it is not read.
* ``discount_amount`` is negative on the order and positive on items. A shipping discount is part of the
  order's discount but of no item's, so the shipping line is taken net of ``shipping_discount_amount``.
* Tax: items' ``tax_amount`` plus ``shipping_tax_amount`` make the order's ``tax_amount``; the hidden tax
  of tax-inclusive catalogues (``discount_tax_compensation_amount``) belongs to it too.
* Status: the flow's vocabulary is WooCommerce's (``processing``, ``completed``, ``on-hold``, ``cancelled``,
  ``refunded``); Magento spells them ``complete`` and ``holded``, so those are renamed, and every other
  status is kept as Magento has it (custom statuses included). An order whose *state* is ``canceled`` or
  ``closed`` (everything refunded) is ``cancelled`` or ``refunded`` whatever status label the store gave
  that state, so that a custom label never makes a cancellation look like an order to book. A partly
  cancelled or partly refunded order stays ``processing`` or ``complete`` (Magento's
  ``Order::registerCancellation`` and state resolver), and its ``grand_total`` and item rows stay what was
  ordered (cancellations and refunds are counted in ``*_canceled``/``*_refunded``, which are not read).
* Times: ``created_at``/``updated_at`` are ``YYYY-MM-DD HH:MM:SS`` in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerlink.connectors.fields import FieldReader
from ledgerlink.connectors.magento.search import parse_magento_time
from ledgerlink.records.customer import Address, Customer
from ledgerlink.records.money import CENT, Money
from ledgerlink.records.order import Discount, Order, OrderLine, Payment, ShippingLine

STATUS_NAMES = {"complete": "completed", "holded": "on-hold", "canceled": "cancelled", "closed": "refunded"}
FINAL_STATES = {"canceled": "cancelled", "closed": "refunded"}
UNIT_PRICE_PLACES = Decimal("0.000001")


class _Fields(FieldReader):
    """Reads one JSON object, naming the exact field (``items[2].row_total``) when it is wrong."""

    system = "Magento"
    advice = (
        "check extensions that change the order REST response; the field must be as Magento core sends it"
    )
    null_is_missing = True

    def time(self, key: str) -> datetime:
        value = self.text(key)
        try:
            return parse_magento_time(value)
        except ValueError:
            raise self.fail(key, f"{value!r} is not YYYY-MM-DD HH:MM:SS") from None


bad_field = _Fields.problem


def status_name(status: str, state: str = "") -> str:
    """Magento's status (and state) in the vocabulary the flow's ``mapping.statuses`` uses."""
    return FINAL_STATES.get(state) or STATUS_NAMES.get(status, status)


def _address(fields: _Fields | None) -> Address | None:
    if fields is None:
        return None
    street = fields.raw("street", [])
    lines = [str(s) for s in street] if isinstance(street, list) else [str(street)]
    address = Address(
        first_name=fields.text("firstname", ""),
        last_name=fields.text("lastname", ""),
        company=fields.text("company", ""),
        line1=lines[0] if lines else "",
        line2=" ".join(lines[1:]),
        city=fields.text("city", ""),
        region=fields.text("region_code", "") or fields.text("region", ""),
        postcode=fields.text("postcode", ""),
        country=fields.text("country_id", "").upper(),
        phone=fields.text("telephone", ""),
    )
    return None if address.is_empty() and not address.addressee else address


def _unit_price(row_total: Decimal, quantity: Decimal, price: Decimal) -> Decimal:
    """Row total per unit: Magento's ``price`` when it matches, else to six places (never a float)."""
    if quantity == 0 or price * quantity == row_total:
        return price
    unit = row_total / quantity
    return unit.quantize(CENT) if unit == unit.quantize(CENT) else unit.quantize(UNIT_PRICE_PLACES)


def _gross(item: _Fields) -> Decimal:
    """The item's row before discount, from the net ``row_total`` the REST output sends."""
    net = item.decimal("row_total", 0)
    discount = abs(item.decimal("discount_amount", 0))
    if net == 0 and discount > 0:  # clamped at zero by the output rewrite
        return (item.decimal("price", 0) * item.decimal("qty_ordered", 0)).quantize(CENT)
    return net + discount


def priced_items(order: _Fields) -> list[tuple[_Fields, str]]:
    """The items that carry prices, each with the SKU to book it under (see the module docstring)."""
    items = order.children("items")
    children: dict[str, list[_Fields]] = {}
    for item in items:
        parent = item.raw("parent_item_id", None)
        if parent is not None:
            children.setdefault(str(parent), []).append(item)
    lines: list[tuple[_Fields, str]] = []
    for item in items:
        if item.raw("parent_item_id", None) is not None:
            continue
        kids = children.get(item.text("item_id", ""), [])
        kind = item.text("product_type", "simple")
        if kind == "bundle" and any(_gross(kid) != 0 for kid in kids):
            lines.extend((kid, kid.text("sku", "").strip()) for kid in kids)
            continue
        sku = item.text("sku", "").strip()
        if kind == "configurable" and len(kids) == 1:
            sku = kids[0].text("sku", "").strip() or sku
        lines.append((item, sku))
    return lines


def row_totals(order: _Fields, priced: list[tuple[_Fields, str]]) -> list[Decimal]:
    """Each priced item's row before discount: the net wire form read back (see the module docstring),
    unless the rows as sent already make the order's ``subtotal`` and the net reading does not."""
    gross = [_gross(item) for item, _sku in priced]
    if not order.has("subtotal"):
        return gross
    subtotal = order.decimal("subtotal")
    as_sent = [item.decimal("row_total", 0) for item, _sku in priced]
    if sum(gross, Decimal(0)) != subtotal and sum(as_sent, Decimal(0)) == subtotal:
        return as_sent
    return gross


def _line(item: _Fields, sku: str, row_total: Decimal, currency: str) -> OrderLine:
    quantity = item.decimal("qty_ordered")
    return OrderLine(
        source_line_id=item.text("item_id"),
        sku=sku or None,
        name=item.text("name", ""),
        quantity=quantity,
        unit_price=Money.of(_unit_price(row_total, quantity, item.decimal("price", 0)), currency),
        subtotal=Money.of(row_total, currency),
        discount=Money.of(abs(item.decimal("discount_amount", 0)), currency),
        tax=Money.of(item.decimal("tax_amount", 0), currency),
    )


def _shipping_assignment(order: _Fields) -> _Fields | None:
    extension = order.optional_child("extension_attributes")
    if extension is None:
        return None
    assignments = extension.children("shipping_assignments", required=False)
    return assignments[0].optional_child("shipping") if assignments else None


def _customer(order: _Fields, billing: Address | None, shipping: Address | None) -> Customer:
    guest = bool(int(order.decimal("customer_is_guest", 0)))
    customer_id = order.raw("customer_id", None)
    if customer_id is not None and (isinstance(customer_id, bool) or not str(customer_id).isdigit()):
        raise bad_field(order.order_id, "customer_id", f"expected a customer id, got {customer_id!r}")
    named = billing or shipping
    return Customer(
        source_id=None if guest or customer_id in (None, 0, "0") else str(customer_id),
        email=order.text("customer_email", "").strip(),
        first_name=order.text("customer_firstname", "") or (named.first_name if named else ""),
        last_name=order.text("customer_lastname", "") or (named.last_name if named else ""),
        company=billing.company if billing else "",
        phone=billing.phone if billing else "",
        billing=billing,
        shipping=shipping,
    )


def _payment(order: _Fields) -> Payment | None:
    payment = order.optional_child("payment")
    if payment is None or not payment.text("method", ""):
        return None
    info = payment.raw("additional_information", [])
    title = str(info[0]) if isinstance(info, list) and info else ""
    return Payment(
        method=payment.text("method"), title=title, transaction_id=payment.text("last_trans_id", "")
    )


def translate_order(data: Mapping[str, Any], *, source: str) -> Order:
    """One Magento order as an :class:`Order`; ``source`` is the connection name."""
    order_id = data.get("entity_id", "?") if isinstance(data, Mapping) else "?"
    order = _Fields(data, "", order_id)
    currency = order.text("order_currency_code").upper()

    def money(fields: _Fields, key: str) -> Money:
        return Money.of(fields.decimal(key, 0), currency)

    billing = _address(order.optional_child("billing_address"))
    shipping_info = _shipping_assignment(order)
    shipping_address = _address(shipping_info.optional_child("address")) if shipping_info else None
    method = shipping_info.text("method", "") if shipping_info else ""
    shipping_net = order.decimal("shipping_amount", 0) - abs(order.decimal("shipping_discount_amount", 0))
    shipping = []
    if method or shipping_net != 0:
        shipping.append(
            ShippingLine(
                method_id=method,
                title=order.text("shipping_description", ""),
                amount=Money.of(shipping_net, currency),
                tax=money(order, "shipping_tax_amount"),
            )
        )
    discount = abs(order.decimal("discount_amount", 0))
    coupon = order.text("coupon_code", "")
    discounts = [Discount(code=coupon, amount=Money.of(discount, currency))] if coupon and discount else []
    tax = order.decimal("tax_amount", 0) + order.decimal("discount_tax_compensation_amount", 0)
    priced = priced_items(order)
    lines = [
        _line(item, sku, row, currency)
        for (item, sku), row in zip(priced, row_totals(order, priced), strict=True)
    ]
    with order.refusals():
        return order.build_order(
            source=source,
            source_id=order.text("entity_id"),
            store=order.text("store_id", "") or None,
            number=order.text("increment_id"),
            status=status_name(order.text("status", "") or order.text("state"), order.text("state", "")),
            currency=currency,
            created_at=order.time("created_at"),
            modified_at=order.time("updated_at"),
            customer=_customer(order, billing, shipping_address),
            billing=billing,
            shipping_address=shipping_address,
            lines=lines,
            shipping=shipping,
            discounts=discounts,
            discount_total=Money.of(discount, currency),
            tax_total=Money.of(tax, currency),
            total=money(order, "grand_total"),
            payment=_payment(order),
            note=order.text("customer_note", ""),
        )
