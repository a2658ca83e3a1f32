"""commercetools order JSON into the canonical :class:`~ledgerlink.records.order.Order`.

Amounts are read net of tax, then the order's tax is added once, so the canonical order adds up to what
the buyer paid (``taxedPrice.totalGross``, or ``totalPrice`` when the order carries no tax):

* a line item's subtotal is its undiscounted price times quantity, its discount the difference to the
  line's net total (``taxedPrice.totalNet``); when prices include tax the undiscounted figure is brought
  to net with the line's own net/gross ratio, so the discount is exactly what makes the line add up;
* custom line items (surcharges, gift wrapping, service fees: they have a slug but no product variant,
  so no SKU NetSuite could resolve) become fee lines at their net total;
* shipping is ``shippingInfo.taxedPrice.totalNet`` (or, untaxed, ``shippingInfo.discountedPrice.value``
  when a discount applies to it, else ``shippingInfo.price``); with the ``Multiple`` shipping mode, one
  shipping line per entry of ``shipping[]``;
* a discount on the total price (``discountOnTotalPrice``) sits outside every line, so it becomes one
  negative fee line named after it: ``discountedNetAmount`` when the order is taxed (the line amounts
  are net), else ``discountedAmount``;
* the tax is ``totalGross - totalNet``.

Nothing is made up to close a gap: when the order's total is not what its parts add up to, the order
says so, and the flow's totals check stops it as ``TOTAL_MISMATCH`` as on every other store.

``orderState`` is mapped onto the flow's status vocabulary: Open and Confirmed are ``processing``,
Complete is ``completed``, Cancelled is ``cancelled``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerlink.connectors.commercetools.money import MoneyFormatError, read_money
from ledgerlink.connectors.commercetools.query import parse_ct_time
from ledgerlink.connectors.fields import FieldReader
from ledgerlink.records.customer import Address, Customer
from ledgerlink.records.money import CENT, Money, round_cents
from ledgerlink.records.order import Discount, FeeLine, Order, OrderLine, Payment, ShippingLine

STATUSES = {
    "Open": "processing",
    "Confirmed": "processing",
    "Complete": "completed",
    "Cancelled": "cancelled",
}
UNIT_PRICE_PLACES = Decimal("0.000001")
TOTAL_DISCOUNT_NAME = "Discount on total price"


class _Fields(FieldReader):
    """Reads one JSON object, naming the exact field (``lineItems[2].price.value``) when it is wrong.
    Money fields must be in the order's currency."""

    system = "commercetools"
    advice = "check API extensions that change orders; the field must be as commercetools sends it"
    null_is_missing = True

    def __init__(self, data: Any, path: str, order_id: Any, currency: str = "") -> None:
        super().__init__(data, path, order_id)
        self.currency = currency

    def nested(self, data: Any, path: str) -> _Fields:
        return _Fields(data, path, self.order_id, self.currency)

    def children(self, key: str, *, required: bool = False) -> list[_Fields]:
        return super().children(key, required=required)

    def money(self, key: str) -> Decimal:
        try:
            amount, currency = read_money(self.raw(key))
        except MoneyFormatError as error:
            raise self.fail(key, str(error)) from None
        if self.currency and currency != self.currency:
            raise self.fail(key, f"{currency} in a {self.currency} order")
        return amount

    def time(self, key: str) -> datetime:
        value = self.text(key)
        try:
            return parse_ct_time(value)
        except ValueError:
            raise self.fail(key, f"{value!r} is not an ISO 8601 time") from None


bad_field = _Fields.problem


def localized(value: Any) -> str:
    """A ``LocalizedString`` in English when there is one, else in its first locale."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and value:
        for locale in ("en", "en-US", "en-GB", "de", "de-DE"):
            if isinstance(value.get(locale), str):
                return str(value[locale])
        return str(next(iter(value.values())))
    return ""


def _address(fields: _Fields, key: str) -> Address | None:
    if not fields.has(key):
        return None
    data = fields.child(key)
    street = " ".join(p for p in (data.text("streetName", ""), data.text("streetNumber", "")) if p)
    line2 = ", ".join(
        p
        for p in (
            data.text("additionalStreetInfo", ""),
            data.text("building", ""),
            data.text("apartment", ""),
        )
        if p
    )
    address = Address(
        first_name=data.text("firstName", ""),
        last_name=data.text("lastName", ""),
        company=data.text("company", ""),
        line1=street,
        line2=line2,
        city=data.text("city", ""),
        region=data.text("state", "") or data.text("region", ""),
        postcode=data.text("postalCode", ""),
        country=data.text("country", "").upper(),
        phone=data.text("phone", "") or data.text("mobile", ""),
    )
    return None if address.is_empty() and not address.addressee else address


def _net_and_tax(item: _Fields, total_key: str) -> tuple[Decimal, Decimal, Decimal]:
    """(net, tax, gross) of a line from its ``taxedPrice``; without one, the total is net and untaxed."""
    if item.has("taxedPrice"):
        taxed = item.child("taxedPrice")
        net, gross = taxed.money("totalNet"), taxed.money("totalGross")
        return net, gross - net, gross
    total = item.money(total_key)
    return total, Decimal(0), total


def _unit_price(subtotal: Decimal, quantity: Decimal) -> Decimal:
    if quantity == 0:
        return subtotal
    unit = subtotal / quantity
    return unit.quantize(CENT) if unit == unit.quantize(CENT) else unit.quantize(UNIT_PRICE_PLACES)


def _line(item: _Fields, currency: str) -> OrderLine:
    quantity = Decimal(item.text("quantity"))
    price = item.child("price")
    undiscounted = price.money("value") * quantity
    net, tax, gross = _net_and_tax(item, "totalPrice")
    tax_included = item.has("taxRate") and bool(item.child("taxRate").raw("includedInPrice", False))
    subtotal = round_cents(undiscounted * net / gross) if tax_included and gross else undiscounted
    variant = item.child("variant")
    return OrderLine(
        source_line_id=item.text("id"),
        sku=variant.text("sku", "").strip() or None,
        name=localized(item.raw("name", "")),
        quantity=quantity,
        unit_price=Money.of(_unit_price(subtotal, quantity), currency),
        subtotal=Money.of(subtotal, currency),
        discount=Money.of(subtotal - net, currency),
        tax=Money.of(tax, currency),
    )


def _fee(item: _Fields, currency: str) -> FeeLine:
    net, tax, _ = _net_and_tax(item, "totalPrice")
    name = localized(item.raw("name", "")) or item.text("slug", "")
    return FeeLine(name=name, amount=Money.of(net, currency), tax=Money.of(tax, currency))


def _shipping_line(info: _Fields, currency: str) -> ShippingLine:
    if info.has("taxedPrice"):
        net, tax, _ = _net_and_tax(info, "price")
    else:  # a shipping discount lowers the price the order's total counts
        net = (
            info.child("discountedPrice").money("value")
            if info.has("discountedPrice")
            else info.money("price")
        )
        tax = Decimal(0)
    method = info.child("shippingMethod").text("id", "") if info.has("shippingMethod") else ""
    return ShippingLine(
        method_id=method or info.text("shippingMethodName", ""),
        title=info.text("shippingMethodName", ""),
        amount=Money.of(net, currency),
        tax=Money.of(tax, currency),
    )


def _shipping(order: _Fields, currency: str) -> list[ShippingLine]:
    """``shippingInfo`` of the ``Single`` shipping mode, and every ``shipping[].shippingInfo`` of the
    ``Multiple`` one (Order.raml: ``shipping`` is empty in Single mode)."""
    infos = [order.child("shippingInfo")] if order.has("shippingInfo") else []
    infos += [
        entry.child("shippingInfo") for entry in order.children("shipping") if entry.has("shippingInfo")
    ]
    return [_shipping_line(info, currency) for info in infos]


def _prices_include_tax(order: _Fields) -> bool:
    return any(
        item.has("taxRate") and bool(item.child("taxRate").raw("includedInPrice", False))
        for item in order.children("lineItems")
    )


def _total_discount(order: _Fields, currency: str) -> list[FeeLine]:
    """``discountOnTotalPrice`` as one negative fee: the lines carry no part of it (Order.raml: only the
    order's ``totalPrice`` and ``taxedPrice`` hold the discounted values)."""
    if not order.has("discountOnTotalPrice"):
        return []
    discount = order.child("discountOnTotalPrice")
    if order.has("taxedPrice") and (discount.has("discountedNetAmount") or _prices_include_tax(order)):
        amount = discount.money("discountedNetAmount")
    else:  # untaxed, or net prices: the discount on totalPrice is a net amount
        amount = discount.money("discountedAmount")
    if not amount:
        return []
    return [FeeLine(name=TOTAL_DISCOUNT_NAME, amount=Money.of(-amount, currency), tax=Money.zero(currency))]


def _discounts(order: _Fields, currency: str) -> list[Discount]:
    """One entry per cart discount that reduced a line, named by the discount code that triggered it
    when the code is expanded (``expand=discountCodes[*].discountCode``), else by the cart discount id."""
    labels: dict[str, str] = {}
    for entry in order.children("discountCodes"):
        ref = entry.child("discountCode")
        obj = ref.data.get("obj")
        if isinstance(obj, Mapping):
            for cart_discount in obj.get("cartDiscounts") or []:
                if isinstance(cart_discount, Mapping) and cart_discount.get("id"):
                    labels[str(cart_discount["id"])] = str(obj.get("code") or ref.text("id"))
    amounts: dict[str, Decimal] = {}
    for item in order.children("lineItems"):
        for portion in item.children("discountedPricePerQuantity"):
            quantity = Decimal(portion.text("quantity"))
            for included in portion.child("discountedPrice").children("includedDiscounts"):
                key = included.child("discount").text("id")
                amounts[key] = amounts.get(key, Decimal(0)) + included.money("discountedAmount") * quantity
    if not amounts:
        return [
            Discount(code=_code_label(entry), amount=Money.zero(currency))
            for entry in order.children("discountCodes")
        ]
    return [
        Discount(code=labels.get(key, key), amount=Money.of(amount, currency))
        for key, amount in amounts.items()
    ]


def _code_label(entry: _Fields) -> str:
    ref = entry.child("discountCode")
    obj = ref.data.get("obj")
    return str(obj.get("code")) if isinstance(obj, Mapping) and obj.get("code") else ref.text("id")


def _store_key(order: _Fields) -> str | None:
    """The key of the store the order was placed in, for routing; None for a project-wide order."""
    return (order.child("store").text("key", "") or None) if order.has("store") else None


def _payment(order: _Fields) -> Payment | None:
    """The first payment, described when the reference is expanded (``expand=paymentInfo.payments[*]``):
    its method, and the successful charge's PSP reference and time."""
    if not order.has("paymentInfo"):
        return None
    payments = order.child("paymentInfo").children("payments")
    if not payments:
        return None
    obj = payments[0].data.get("obj")
    if not isinstance(obj, Mapping):
        return Payment(method="", transaction_id=payments[0].text("id"))
    info = obj.get("paymentMethodInfo")
    info = info if isinstance(info, Mapping) else {}
    charges = [
        t
        for t in obj.get("transactions") or []
        if isinstance(t, Mapping) and t.get("type") == "Charge" and t.get("state") == "Success"
    ]
    charge = charges[-1] if charges else {}
    paid_at = None
    if isinstance(charge.get("timestamp"), str):
        try:
            paid_at = parse_ct_time(charge["timestamp"])
        except ValueError:
            raise bad_field(
                order.order_id, "paymentInfo.payments[0].obj.transactions", "bad timestamp"
            ) from None
    return Payment(
        method=str(info.get("method") or ""),
        title=localized(info.get("name")),
        transaction_id=str(charge.get("interactionId") or obj.get("interfaceId") or obj.get("id") or ""),
        paid_at=paid_at,
    )


def _customer(order: _Fields, billing: Address | None, shipping: Address | None) -> Customer:
    contact = billing or shipping
    email = order.text("customerEmail", "").strip()
    if not email and order.has("billingAddress"):
        email = order.child("billingAddress").text("email", "").strip()
    return Customer(
        source_id=order.text("customerId", "") or None,
        email=email,
        first_name=contact.first_name if contact else "",
        last_name=contact.last_name if contact else "",
        company=contact.company if contact else "",
        phone=contact.phone if contact else "",
        billing=billing,
        shipping=shipping,
    )


def order_status(order_state: str) -> str:
    """The flow's status word for a commercetools ``orderState`` (unknown states pass through lowered)."""
    return STATUSES.get(order_state, order_state.lower())


def translate_order(data: Mapping[str, Any], *, source: str) -> Order:
    """One commercetools order as an :class:`Order`; ``source`` is the connection name."""
    order_id = data.get("id", "?") if isinstance(data, Mapping) else "?"
    order = _Fields(data, "", order_id)
    try:
        _, currency = read_money(order.raw("totalPrice"))
    except MoneyFormatError as error:
        raise bad_field(order_id, "totalPrice", str(error)) from None
    order.currency = currency
    if order.has("taxedPrice"):
        taxed = order.child("taxedPrice")
        net_total, total = taxed.money("totalNet"), taxed.money("totalGross")
    else:
        net_total = total = order.money("totalPrice")
    billing = _address(order, "billingAddress")
    shipping_address = _address(order, "shippingAddress")
    lines = [_line(item, currency) for item in order.children("lineItems")]
    fees = [_fee(item, currency) for item in order.children("customLineItems")]
    fees += _total_discount(order, currency)
    shipping = _shipping(order, currency)
    state = order.text("orderState")
    with order.refusals():
        return order.build_order(
            source=source,
            source_id=order.text("id"),
            store=_store_key(order),
            number=order.text("orderNumber", "") or order.text("id"),
            status=order_status(state),
            currency=currency,
            created_at=order.time("createdAt"),
            modified_at=order.time("lastModifiedAt"),
            customer=_customer(order, billing, shipping_address),
            billing=billing,
            shipping_address=shipping_address,
            lines=lines,
            shipping=shipping,
            fees=fees,
            discounts=_discounts(order, currency),
            discount_total=Money.of(sum((ln.discount.amount for ln in lines), Decimal(0)), currency),
            tax_total=Money.of(total - net_total, currency),
            total=Money.of(total, currency),
            payment=_payment(order),
            prices_include_tax=_prices_include_tax(order),
        )
