"""Orders: ``POST /orders/import`` drafts into order documents, and the order update actions.

An imported order keeps the totals the draft states, as commercetools does; each line's, custom
line's and the shipping's ``totalPrice`` (and ``taxedPrice`` when a tax rate is given) is computed
from its price and quantity with that rate, rounded to the cent.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.commercetools.documents import reference, required_field, typed_money
from ledgerlink.sandbox.commercetools.errors import CtApiError, invalid_operation
from ledgerlink.sandbox.commercetools.pricing import Tax, Totals
from ledgerlink.sandbox.commercetools.state import Transaction, new_id

ORDER_STATES = ("Open", "Confirmed", "Complete", "Cancelled")
SHIPMENT_STATES = ("Shipped", "Delivered", "Ready", "Pending", "Delayed", "Partial", "Backorder", "Canceled")
PAYMENT_STATES = ("BalanceDue", "Failed", "Pending", "CreditOwed", "Paid")


def _tax(rate: Any) -> Tax | None:
    if not isinstance(rate, dict) or rate.get("amount") is None:
        return None
    return Tax(
        Decimal(str(rate["amount"])),
        str(rate.get("name", "")),
        str(rate.get("country", "")),
        bool(rate.get("includedInPrice")),
    )


def _imported_line(draft: dict[str, Any], currency: str, tx: Transaction) -> dict[str, Any]:
    for field in ("name", "price", "quantity", "variant"):
        if draft.get(field) is None:
            raise required_field(f"lineItems.{field}")
    value = typed_money(draft["price"].get("value"), "lineItems.price.value")
    quantity = int(draft["quantity"])
    totals = Totals(value["currencyCode"])
    tax = _tax(draft.get("taxRate"))
    taxed = totals.add(value["centAmount"] * quantity, tax)
    sku = draft["variant"].get("sku")
    product = next(
        (p for p in tx.all("products") if p["masterData"]["staged"]["masterVariant"].get("sku") == sku), None
    )
    line: dict[str, Any] = {
        "id": new_id(),
        "productId": draft.get("productId") or (product["id"] if product else new_id()),
        "name": draft["name"],
        "productType": product["productType"] if product else {"typeId": "product-type", "id": "imported"},
        "variant": {"id": int(draft["variant"].get("id") or 1), "sku": sku, "prices": [], "images": []},
        "price": {"id": new_id(), "value": value},
        "quantity": quantity,
        "totalPrice": {**value, "centAmount": totals.price},
        "discountedPricePerQuantity": [],
        "state": [{"quantity": quantity, "state": {"typeId": "state", "id": "initial"}}],
        "priceMode": "ExternalPrice",
        "lineItemMode": "Standard",
        "perMethodTaxRate": [],
        "taxedPricePortions": [],
    }
    if tax is not None:
        line["taxRate"] = draft["taxRate"]
        line["taxedPrice"] = taxed
    return line


def _imported_custom_line(draft: dict[str, Any]) -> dict[str, Any]:
    for field in ("name", "money", "slug", "quantity"):
        if draft.get(field) is None:
            raise required_field(f"customLineItems.{field}")
    value = typed_money(draft["money"], "customLineItems.money")
    quantity = int(draft["quantity"])
    totals = Totals(value["currencyCode"])
    tax = _tax(draft.get("taxRate"))
    taxed = totals.add(value["centAmount"] * quantity, tax)
    item: dict[str, Any] = {
        "id": new_id(),
        "name": draft["name"],
        "money": value,
        "slug": draft["slug"],
        "quantity": quantity,
        "totalPrice": {**value, "centAmount": totals.price},
        "discountedPricePerQuantity": [],
        "state": [{"quantity": quantity, "state": {"typeId": "state", "id": "initial"}}],
        "perMethodTaxRate": [],
        "priceMode": "External",
        "taxedPricePortions": [],
    }
    if tax is not None:
        item["taxRate"] = draft["taxRate"]
        item["taxedPrice"] = taxed
    return item


def _imported_shipping(draft: dict[str, Any]) -> dict[str, Any]:
    for field in ("shippingMethodName", "price", "shippingRate"):
        if draft.get(field) is None:
            raise required_field(f"shippingInfo.{field}")
    price = typed_money(draft["price"], "shippingInfo.price")
    totals = Totals(price["currencyCode"])
    tax = _tax(draft.get("taxRate"))
    taxed = totals.add(price["centAmount"], tax)
    rate = draft["shippingRate"]
    info: dict[str, Any] = {
        "shippingMethodName": draft["shippingMethodName"],
        "price": price,
        "shippingRate": {
            "price": typed_money(rate.get("price"), "shippingInfo.shippingRate.price"),
            "tiers": rate.get("tiers") or [],
        },
        "shippingMethodState": "MatchesCart",
        "deliveries": [],
    }
    if tax is not None:
        info["taxRate"] = draft["taxRate"]
        info["taxedPrice"] = taxed
    return info


def import_order(draft: dict[str, Any], tx: Transaction) -> dict[str, Any]:
    """An ``OrderImportDraft`` as an order document (without version and times)."""
    if draft.get("totalPrice") is None:
        raise required_field("totalPrice")
    total = typed_money(draft["totalPrice"], "totalPrice")
    currency = total["currencyCode"]
    order: dict[str, Any] = {
        "id": new_id(),
        "orderNumber": draft.get("orderNumber"),
        "customerId": draft.get("customerId"),
        "customerEmail": draft.get("customerEmail"),
        "lineItems": [_imported_line(line, currency, tx) for line in draft.get("lineItems") or []],
        "customLineItems": [_imported_custom_line(item) for item in draft.get("customLineItems") or []],
        "totalPrice": total,
        "shippingMode": "Single",
        "shipping": [],
        "orderState": draft.get("orderState") or "Open",
        "origin": draft.get("origin") or "Customer",
        "refusedGifts": [],
        "syncInfo": [],
        "discountCodes": [],
        "lastMessageSequenceNumber": 0,
        "taxMode": "Platform",
        "inventoryMode": draft.get("inventoryMode") or "None",
        "taxRoundingMode": "HalfEven",
        "taxCalculationMode": draft.get("taxCalculationMode") or "LineItemLevel",
    }
    if draft.get("taxedPrice") is not None:
        taxed = draft["taxedPrice"]
        order["taxedPrice"] = {
            "totalNet": typed_money(taxed.get("totalNet"), "taxedPrice.totalNet"),
            "totalGross": typed_money(taxed.get("totalGross"), "taxedPrice.totalGross"),
            "taxPortions": [
                {**p, "amount": typed_money(p.get("amount"), "taxPortions.amount")}
                for p in taxed.get("taxPortions") or []
            ],
        }
        order["taxedPrice"]["totalTax"] = {
            **order["taxedPrice"]["totalGross"],
            "centAmount": order["taxedPrice"]["totalGross"]["centAmount"]
            - order["taxedPrice"]["totalNet"]["centAmount"],
        }
    if draft.get("shippingInfo") is not None:
        order["shippingInfo"] = _imported_shipping(draft["shippingInfo"])
    for field in (
        "billingAddress",
        "shippingAddress",
        "paymentState",
        "shipmentState",
        "completedAt",
        "country",
    ):
        if draft.get(field) is not None:
            order[field] = draft[field]
    if draft.get("store") is not None:
        found = tx.get("stores", reference(draft["store"], "store", tx, "stores")["id"]) or {}
        order["store"] = {"typeId": "store", "key": found.get("key")}
    return {k: v for k, v in order.items() if v is not None}


def _enum(action: dict[str, Any], field: str, allowed: tuple[str, ...]) -> str:
    value = action.get(field)
    if value not in allowed:
        raise CtApiError(400, "InvalidInput", f"Invalid value for field '{field}': {value!r}.")
    return str(value)


def _change_order_state(order: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    state = _enum(action, "orderState", ORDER_STATES)
    order["orderState"] = state
    if state == "Complete":
        order.setdefault("completedAt", stamp)


def _change_shipment_state(
    order: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction
) -> None:
    order["shipmentState"] = _enum(action, "shipmentState", SHIPMENT_STATES)


def _change_payment_state(order: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    order["paymentState"] = _enum(action, "paymentState", PAYMENT_STATES)


def _add_delivery(order: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    info = order.get("shippingInfo")
    if not isinstance(info, dict):
        raise invalid_operation("The order has no shipping info; a delivery cannot be added.")
    line_ids = {line["id"]: line["quantity"] for line in order.get("lineItems", [])}
    line_ids |= {line["id"]: line["quantity"] for line in order.get("customLineItems", [])}
    items = []
    for item in action.get("items") or []:
        if item.get("id") not in line_ids:
            raise invalid_operation(f"Line item '{item.get('id')}' does not exist in the order.")
        items.append({"id": item["id"], "quantity": int(item.get("quantity", 0))})
    parcels = []
    for parcel in action.get("parcels") or []:
        found = {"id": new_id(), "createdAt": stamp, "items": parcel.get("items") or []}
        for field in ("trackingData", "measurements"):
            if parcel.get(field) is not None:
                found[field] = parcel[field]
        parcels.append(found)
    delivery = {"id": new_id(), "key": action.get("deliveryKey"), "createdAt": stamp, "items": items}
    delivery["parcels"] = parcels
    if action.get("address") is not None:
        delivery["address"] = action["address"]
    info.setdefault("deliveries", []).append({k: v for k, v in delivery.items() if v is not None})


def _setter(field: str, source: str) -> Callable[[dict[str, Any], dict[str, Any], str, Transaction], None]:
    def apply(order: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
        if action.get(source) is None:
            order.pop(field, None)
        else:
            order[field] = action[source]

    return apply


def _add_payment(order: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    ref = reference(action.get("payment"), "payment", tx, "payments")
    payments = order.setdefault("paymentInfo", {"payments": []})["payments"]
    if any(p["id"] == ref["id"] for p in payments):
        raise invalid_operation("The payment is already on the order.")
    payments.append(ref)


ORDER_ACTIONS: dict[str, Callable[[dict[str, Any], dict[str, Any], str, Transaction], None]] = {
    "changeOrderState": _change_order_state,
    "changeShipmentState": _change_shipment_state,
    "changePaymentState": _change_payment_state,
    "addDelivery": _add_delivery,
    "setCustomerEmail": _setter("customerEmail", "email"),
    "setBillingAddress": _setter("billingAddress", "address"),
    "setShippingAddress": _setter("shippingAddress", "address"),
    "setOrderNumber": _setter("orderNumber", "orderNumber"),
    "addPayment": _add_payment,
}
