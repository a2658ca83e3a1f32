"""Canonical records -> NetSuite REST JSON, driven by the order mapping.

The sales order must add up to what the buyer paid, to the cent, so every component of the store's
total becomes an explicit line: products at their pre-discount price, one discount line, fee lines,
the store's tax as an other-charge line (NetSuite would otherwise recompute tax with its own codes and
rates and disagree by cents), and shipping through the ship item on the header (``shipMethod`` +
``shippingCost``), which is where NetSuite carries shipping: ship items cannot stand on the item sublist.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from ledgerlink.config import OrderMapping
from ledgerlink.engine.problems import Code, permanent
from ledgerlink.records.customer import Address, Customer
from ledgerlink.records.money import round_cents
from ledgerlink.records.order import Order

EXTERNAL_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def external_id(connection: str, kind: str, source_id: str) -> str:
    """A NetSuite external id: letters, digits, '_' and '-' only (NetSuite's rule for ``eid:`` URLs)."""
    return "-".join(EXTERNAL_ID_UNSAFE.sub("_", part) for part in (connection, kind, source_id))


def customer_key(customer: Customer) -> str:
    """The store-side identity of a buyer: the account id, or a stable key for a guest's email."""
    if customer.source_id is not None:
        return customer.source_id
    digest = hashlib.sha256(customer.email.strip().lower().encode()).hexdigest()[:20]
    return f"guest_{digest}"


def ref(internal_id: str | None) -> dict[str, str] | None:
    return {"id": internal_id} if internal_id else None


def number(amount: Decimal) -> Decimal:
    """Amounts travel as JSON numbers rounded to the cent; the client encodes Decimals exactly."""
    return round_cents(amount)


def address_payload(address: Address) -> dict[str, Any]:
    return _compact(
        {
            "addressee": address.addressee or None,
            "attention": address.company if address.company and address.addressee else None,
            "addr1": address.line1 or None,
            "addr2": address.line2 or None,
            "city": address.city or None,
            "state": address.region or None,
            "zip": address.postcode or None,
            "country": ref(address.country.upper()) if address.country else None,
            "addrPhone": address.phone or None,
        }
    )


def customer_payload(
    customer: Customer, *, external: str, mapping: OrderMapping, currency_id: str | None
) -> dict[str, Any]:
    """A new NetSuite customer for a store buyer. Only created, never overwritten: NetSuite owns it."""
    if not customer.email:
        raise permanent(
            Code.CUSTOMER_INCOMPLETE,
            f"customer {customer.source_id or 'guest'}",
            "the store sent no email address, which Ledgerlink needs to match and create customers",
            "add the email to the order's billing details in the store, then retry",
        )
    is_person = not customer.is_company
    if is_person and not (customer.first_name or customer.last_name):
        raise permanent(
            Code.CUSTOMER_INCOMPLETE,
            f"customer {customer.source_id or 'guest'}",
            "NetSuite needs a first or last name for an individual, and the store sent neither",
            "add the buyer's name (or a company name) to the order in the store, then retry",
        )
    body: dict[str, Any] = {
        "externalId": external,
        "isPerson": is_person,
        "email": customer.email,
        "phone": customer.phone or None,
        "subsidiary": ref(mapping.subsidiary),
        "currency": ref(currency_id),
    }
    if is_person:
        body["firstName"] = customer.first_name or customer.last_name
        body["lastName"] = customer.last_name or customer.first_name
        if customer.company:
            body["companyName"] = customer.company
    else:
        body["companyName"] = customer.company
    addresses = []
    if customer.billing and not customer.billing.is_empty():
        addresses.append(
            {
                "defaultBilling": True,
                "defaultShipping": customer.shipping is None,
                "addressBookAddress": address_payload(customer.billing),
            }
        )
    if customer.shipping and not customer.shipping.is_empty():
        addresses.append(
            {
                "defaultBilling": not addresses,
                "defaultShipping": True,
                "addressBookAddress": address_payload(customer.shipping),
            }
        )
    if addresses:
        body["addressBook"] = {"items": addresses}
    return _compact(body)


def sales_order_payload(
    order: Order,
    *,
    external: str,
    customer_id: str,
    item_ids: dict[str, str],
    currency_id: str,
    mapping: OrderMapping,
    channel: str,
) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for line in order.lines:
        assert line.sku is not None  # the flow refuses lines without a SKU before mapping
        lines.append(
            _compact(
                {
                    "item": ref(item_ids[line.sku]),
                    "quantity": line.quantity,
                    "rate": _rate(line.subtotal.amount, line.quantity),
                    "amount": number(line.subtotal.amount),
                    "description": line.name[:4000] or None,
                    "location": ref(mapping.location),
                }
            )
        )
    discount = sum((line.discount.amount for line in order.lines), Decimal("0"))
    if discount:
        lines.append(
            _charge_line(
                mapping.discount_item,
                -discount,
                "discount_item",
                "discounts",
                ", ".join(d.code for d in order.discounts) or "Store discount",
            )
        )
    for fee in order.fees:
        lines.append(_charge_line(mapping.fee_item, fee.amount.amount, "fee_item", "fees", fee.name))
    if order.tax_total.amount:
        lines.append(_charge_line(mapping.tax_item, order.tax_total.amount, "tax_item", "tax", "Store tax"))
    shipping_cost = sum((s.amount.amount for s in order.shipping), Decimal("0"))
    ship_method = _ship_method(order, mapping) if order.shipping else None
    body: dict[str, Any] = {
        "externalId": external,
        "entity": ref(customer_id),
        "tranDate": order.created_at.date().isoformat(),
        "otherRefNum": order.number,
        "memo": f"{channel} order #{order.number}",
        "currency": ref(currency_id),
        "subsidiary": ref(mapping.subsidiary),
        "location": ref(mapping.location),
        "department": ref(mapping.department),
        "class": ref(mapping.class_),
        "orderStatus": {"id": mapping.order_status} if mapping.record_type == "salesOrder" else None,
        "shipMethod": ref(ship_method),
        "shippingCost": number(shipping_cost) if order.shipping else None,
        # paymentOption, not paymentMethod: the REST salesOrder and cashSale records have only the former
        # (shared/specs/netsuite key-records and flow-records DERIVED field lists); an account that
        # validates property names refuses the whole order for the other.
        "paymentOption": ref(mapping.payment_methods.get(order.payment.method)) if order.payment else None,
        "billingAddress": address_payload(order.billing)
        if order.billing and not order.billing.is_empty()
        else None,
        "shippingAddress": address_payload(order.shipping_address)
        if order.shipping_address and not order.shipping_address.is_empty()
        else None,
        "item": {"items": lines},
    }
    if mapping.channel_field:
        body[mapping.channel_field] = channel
    return _compact(body)


def expected_total(payload: dict[str, Any]) -> Decimal:
    """What NetSuite will compute as the order total from this payload: lines plus shipping."""
    lines = sum((Decimal(str(line["amount"])) for line in payload["item"]["items"]), Decimal("0"))
    return round_cents(lines + Decimal(str(payload.get("shippingCost", 0))))


def _rate(subtotal: Decimal, quantity: Decimal) -> Decimal:
    if not quantity:
        return Decimal("0")
    rate = subtotal / quantity
    # Keep the store's unit price exactly when it is a whole number of cents; else up to 4 places.
    return (
        rate.quantize(Decimal("0.01"))
        if rate == rate.quantize(Decimal("0.01"))
        else rate.quantize(Decimal("0.0001"))
    )


def _charge_line(
    item_id: str | None, amount: Decimal, key: str, what: str, description: str
) -> dict[str, Any]:
    if not item_id:
        raise permanent(
            Code.MAPPING_MISSING,
            f"the order's {what}",
            f"the orders mapping has no {key}, so NetSuite has no item to carry the store's {what}",
            f"set flows[].mapping.{key} in ledgerlink.yaml to the internal id of a NetSuite item, then retry",
            team_key=key,
        )
    return {
        "item": ref(item_id),
        "amount": number(amount),
        "rate": number(amount),
        "description": description,
    }


def _ship_method(order: Order, mapping: OrderMapping) -> str:
    method = order.shipping[0].method_id
    chosen = mapping.ship_methods.get(method) or mapping.ship_item
    if not chosen:
        raise permanent(
            Code.MAPPING_MISSING,
            f"shipping method {method!r}",
            "the orders mapping names no NetSuite ship item for this shipping method",
            f"add ship_methods: {{{method}: <shipItem id>}} or ship_item to the flow's mapping, then retry",
        )
    return chosen


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}
