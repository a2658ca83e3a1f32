"""Orders: creation from line items, edits, status changes, trash, and the stock they move.

Line items name a product by `product_id` (or `variation_id`, or `sku`); the product's name, SKU
and active price are copied onto the line, and `subtotal = price x quantity`. A product reference
that does not resolve is not an error in WooCommerce: the line is kept with product_id 0 and the
totals the client posted. Coupon lines are fixed-cart discounts whose amount travels with the
coupon line (`discount` on create; the emulator has no coupon catalogue). Totals are recomputed by
totals.py whenever lines, addresses or charges change.

Stock follows WooCommerce's hooks: it is reduced once when an order becomes processing, completed
or on-hold (so `set_paid: true` reduces it and a pending order does not) and given back when a
reduced order is cancelled or returned to pending.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.woocommerce import catalog, customers
from ledgerlink.sandbox.woocommerce.common import (
    BILLING_FIELDS,
    SHIPPING_FIELDS,
    ResourceEvent,
    address,
    boolean,
    integer,
    meta_data,
    text,
)
from ledgerlink.sandbox.woocommerce.errors import WooApiError, invalid_id, invalid_param
from ledgerlink.sandbox.woocommerce.formats import cents, money, parse_amount, price_number, wire_date
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import Transaction
from ledgerlink.sandbox.woocommerce.totals import (
    ChargeCalc,
    CouponCalc,
    LineCalc,
    OrderCalc,
    calculate,
    matching_rates,
)

KIND = "order"
POST_TYPE = "shop_order"
STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)
PAID_STATUSES = ("processing", "completed")
STOCK_REDUCING = ("processing", "completed", "on-hold")
STOCK_RESTORING = ("cancelled", "pending")
PAYMENT_COMPLETE_FROM = ("on-hold", "pending", "failed", "cancelled")
EDITABLE = ("pending", "on-hold", "auto-draft", "checkout-draft")

PAYMENT_TITLES = {
    "bacs": "Direct bank transfer",
    "cheque": "Check payments",
    "cod": "Cash on delivery",
    "stripe": "Credit Card (Stripe)",
    "paypal": "PayPal",
}
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF"}


def get(tx: Transaction, order_id: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
    row = tx.get(KIND, order_id)
    return (row.data, row.internal) if row else None


def _save(tx: Transaction, doc: dict[str, Any], internal: dict[str, Any]) -> None:
    tx.put(
        KIND,
        doc["id"],
        doc,
        internal,
        status=doc["status"],
        customer_id=doc["customer_id"],
        created=doc["date_created_gmt"],
        modified=doc["date_modified_gmt"],
        sort_name=f"order {doc['date_created_gmt']}",
    )


def _order_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "wc_order_" + "".join(secrets.choice(alphabet) for _ in range(13))


def _amount(value: Any, field: str) -> Decimal:
    try:
        return parse_amount(value, field)
    except ValueError as exc:
        raise invalid_param(field, f"{field} is not of type string.") from exc


def _list(payload: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = payload.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid_param(key, f"{key} is not of type array.")
    return value


def _resolve_product(
    tx: Transaction, posted: dict[str, Any], creating: bool
) -> tuple[int, dict[str, Any] | None]:
    """WC_REST_Orders_V2_Controller::get_product_id_from_line_item, then wc_get_product."""
    if posted.get("sku"):
        product = catalog.find_by_sku(tx, str(posted["sku"]))
        return (product["id"], product) if product else (0, None)
    if posted.get("variation_id"):
        product_id = integer(posted, "variation_id")
    elif posted.get("product_id"):
        product_id = integer(posted, "product_id")
    elif not creating:
        return 0, None
    else:
        raise WooApiError(
            "woocommerce_rest_required_product_reference", "Product ID or SKU is required.", 400
        )
    return product_id, catalog.get(tx, product_id)


def _quantity(posted: dict[str, Any], default: int) -> int:
    quantity = integer(posted, "quantity", default)
    if quantity <= 0:
        raise WooApiError(
            "woocommerce_rest_invalid_product_quantity", "Product quantity must be a positive float.", 400
        )
    return quantity


def _new_line(tx: Transaction, posted: dict[str, Any], internal: dict[str, Any]) -> dict[str, Any]:
    product_id, product = _resolve_product(tx, posted, creating=True)
    quantity = _quantity(posted, 1)
    item_id = tx.next_id("item")
    line: dict[str, Any] = {
        "id": item_id,
        "name": text(posted, "name"),
        "product_id": 0,
        "variation_id": 0,
        "quantity": quantity,
        "tax_class": text(posted, "tax_class"),
        "subtotal": "0.00",
        "subtotal_tax": "0.00",
        "total": "0.00",
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": meta_data([], posted.get("meta_data"), lambda: tx.next_id("meta")),
        "sku": None,
        "global_unique_id": "",
        "price": 0,
        "image": {"id": "", "src": ""},
        "parent_name": None,
    }
    unit = Decimal("0")
    taxable = True
    if product is not None:
        line["product_id"] = product_id
        line["name"] = line["name"] or product["name"]
        line["sku"] = product["sku"]
        unit = catalog.active_price(product)
        taxable = product["tax_status"] == "taxable"
    _set_line_amounts(line, internal, posted, unit, quantity, taxable)
    return line


def _set_line_amounts(
    line: dict[str, Any],
    internal: dict[str, Any],
    posted: dict[str, Any],
    unit: Decimal,
    quantity: int,
    taxable: bool,
) -> None:
    key = str(line["id"])
    subtotal = unit * quantity
    manual = Decimal("0")
    if posted.get("subtotal") not in (None, ""):
        subtotal = _amount(posted["subtotal"], "subtotal")
    if posted.get("total") not in (None, ""):
        total = _amount(posted["total"], "total")
        if posted.get("subtotal") in (None, ""):
            subtotal = total
        manual = subtotal - total
    internal.setdefault("lines", {})[key] = {
        "unit": str(cents(subtotal / quantity) if quantity else Decimal("0")),
        "subtotal": str(cents(subtotal)),
        "manual_discount": str(cents(manual)),
        "taxable": taxable,
    }
    line["quantity"] = quantity


def _shipping_line(tx: Transaction, posted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    line = current or {
        "id": tx.next_id("item"),
        "method_title": "",
        "method_id": "",
        "instance_id": "",
        "total": "0.00",
        "total_tax": "0.00",
        "taxes": [],
        "tax_status": "taxable",
        "meta_data": [],
    }
    for key in ("method_title", "method_id", "instance_id"):
        if key in posted:
            line[key] = text(posted, key)
    if "total" in posted:
        line["total"] = money(_amount(posted["total"], "total"))
    line["meta_data"] = meta_data(line["meta_data"], posted.get("meta_data"), lambda: tx.next_id("meta"))
    return line


def _fee_line(tx: Transaction, posted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    line = current or {
        "id": tx.next_id("item"),
        "name": "",
        "tax_class": "",
        "tax_status": "taxable",
        "amount": "0",
        "total": "0.00",
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": [],
    }
    if "name" in posted:
        line["name"] = text(posted, "name")
    if "tax_status" in posted:
        status = text(posted, "tax_status")
        if status not in ("taxable", "none"):
            raise invalid_param("fee_lines", "fee_lines[0][tax_status] is not one of taxable and none.")
        line["tax_status"] = status
    if "total" in posted or "amount" in posted:
        amount = _amount(posted.get("total", posted.get("amount")), "total")
        line["amount"] = str(amount)
        line["total"] = money(amount)
    line["meta_data"] = meta_data(line["meta_data"], posted.get("meta_data"), lambda: tx.next_id("meta"))
    return line


def _coupon_line(tx: Transaction, posted: dict[str, Any]) -> dict[str, Any]:
    code = text(posted, "code").strip()
    if not code:
        raise WooApiError("woocommerce_rest_invalid_coupon", "Coupon code is required.", 400)
    if posted.get("discount") in (None, ""):
        raise WooApiError(
            "woocommerce_rest_invalid_coupon",
            f'Coupon "{code}" does not exist! (the sandbox applies a coupon line as a fixed cart discount '
            "of the `discount` amount sent with it)",
            400,
        )
    nominal = _amount(posted["discount"], "discount")
    return {
        "id": tx.next_id("item"),
        "code": code.lower(),
        "discount": "0.00",
        "discount_tax": "0.00",
        "discount_type": "fixed_cart",
        "nominal_amount": price_number(nominal),
        "free_shipping": False,
        "meta_data": [],
    }


def _merge_items(
    tx: Transaction,
    current: list[dict[str, Any]],
    posted: list[dict[str, Any]],
    build: Any,
    kind: str,
) -> list[dict[str, Any]]:
    """Posted items with an `id` update (or, with a null reference, remove) that item; others are added."""
    result = [dict(item) for item in current]
    for entry in posted:
        item_id = entry.get("id")
        if item_id:
            existing = next((item for item in result if item["id"] == item_id), None)
            if existing is None:
                raise WooApiError(
                    f"woocommerce_rest_invalid_{kind}_id",
                    "Order item ID provided is not associated with order.",
                    400,
                )
            removal_key = {"line": "product_id", "shipping": "method_id", "fee": "name"}[kind]
            if (removal_key in entry and entry[removal_key] is None) or entry.get("quantity") == 0:
                result.remove(existing)
                continue
            result[result.index(existing)] = build(entry, existing)
        else:
            result.append(build(entry, None))
    return result


def _recalculate(
    tx: Transaction, doc: dict[str, Any], internal: dict[str, Any], settings: WooSandboxSettings
) -> None:
    taxable_address = doc["shipping"] if doc["shipping"].get("country") else doc["billing"]
    rates = matching_rates(
        settings.tax_rates, taxable_address.get("country", ""), taxable_address.get("state", "")
    )
    line_state = internal.setdefault("lines", {})
    calc = OrderCalc(
        lines=[
            LineCalc(
                subtotal=Decimal(line_state[str(line["id"])]["subtotal"]),
                taxable=bool(line_state[str(line["id"])]["taxable"]),
                manual_discount=Decimal(line_state[str(line["id"])]["manual_discount"]),
            )
            for line in doc["line_items"]
        ],
        fees=[ChargeCalc(Decimal(fee["total"]), fee["tax_status"] == "taxable") for fee in doc["fee_lines"]],
        shipping=[
            ChargeCalc(Decimal(ship["total"]), ship["tax_status"] == "taxable")
            for ship in doc["shipping_lines"]
        ],
        coupons=[CouponCalc(c["code"], Decimal(str(c["nominal_amount"]))) for c in doc["coupon_lines"]],
    )
    calculate(calc, rates)

    for line, result in zip(doc["line_items"], calc.lines, strict=True):
        line["subtotal"] = money(result.subtotal)
        line["subtotal_tax"] = money(result.subtotal_tax)
        line["total"] = money(result.total)
        line["total_tax"] = money(result.total_tax)
        line["taxes"] = [
            {
                "id": rate_id,
                "total": money(result.total_taxes[rate_id]),
                "subtotal": money(result.subtotal_taxes[rate_id]),
            }
            for rate_id in result.total_taxes
        ]
        line["price"] = price_number(result.total / line["quantity"]) if line["quantity"] else 0
    for fee, result_fee in zip(doc["fee_lines"], calc.fees, strict=True):
        fee["total_tax"] = money(result_fee.total_tax)
        fee["taxes"] = [{"id": k, "total": money(v), "subtotal": ""} for k, v in result_fee.taxes.items()]
    for ship, result_ship in zip(doc["shipping_lines"], calc.shipping, strict=True):
        ship["total_tax"] = money(result_ship.total_tax)
        ship["taxes"] = [{"id": k, "total": money(v), "subtotal": ""} for k, v in result_ship.taxes.items()]
    for coupon, result_coupon in zip(doc["coupon_lines"], calc.coupons, strict=True):
        coupon["discount"] = money(result_coupon.discount)
        coupon["discount_tax"] = money(result_coupon.discount_tax)

    tax_item_ids: dict[str, int] = internal.setdefault("tax_item_ids", {})
    doc["tax_lines"] = []
    for tax_line in calc.tax_lines:
        rate = tax_line.rate
        item_id = tax_item_ids.get(str(rate.id))
        if item_id is None:
            item_id = tx.next_id("item")
            tax_item_ids[str(rate.id)] = item_id
        doc["tax_lines"].append(
            {
                "id": item_id,
                "rate_code": rate.rate_code,
                "rate_id": rate.id,
                "label": rate.name,
                "compound": False,
                "tax_total": money(tax_line.tax_total),
                "shipping_tax_total": money(tax_line.shipping_tax_total),
                "rate_percent": rate.rate_percent,
                "meta_data": [],
            }
        )
    doc["discount_total"] = money(calc.discount_total)
    doc["discount_tax"] = money(calc.discount_tax)
    doc["shipping_total"] = money(calc.shipping_total)
    doc["shipping_tax"] = money(calc.shipping_tax)
    doc["cart_tax"] = money(calc.cart_tax)
    doc["total_tax"] = money(calc.total_tax)
    doc["total"] = money(calc.total)


def _derived(doc: dict[str, Any], settings: WooSandboxSettings) -> None:
    doc["number"] = str(doc["id"])
    doc["is_editable"] = doc["status"] in EDITABLE
    doc["needs_payment"] = doc["status"] in ("pending", "failed") and Decimal(doc["total"]) > 0
    doc["needs_processing"] = bool(doc["line_items"])
    doc["payment_url"] = (
        f"{settings.home}/checkout/order-pay/{doc['id']}/?pay_for_order=true&key={doc['order_key']}"
    )
    doc["currency_symbol"] = CURRENCY_SYMBOLS.get(doc["currency"], doc["currency"])
    for key in ("date_created", "date_modified", "date_completed", "date_paid"):
        doc[key] = doc[f"{key}_gmt"]


def _transition(
    tx: Transaction,
    doc: dict[str, Any],
    internal: dict[str, Any],
    new_status: str,
    settings: WooSandboxSettings,
    now: datetime,
    events: list[ResourceEvent],
) -> None:
    """Set a status and run what WooCommerce hooks to it: paid/completed dates, stock, paying flag."""
    doc["status"] = new_status
    stamp = wire_date(now)
    if new_status in PAID_STATUSES and not doc["date_paid_gmt"]:
        doc["date_paid_gmt"] = stamp
    if new_status == "completed" and not doc["date_completed_gmt"]:
        doc["date_completed_gmt"] = stamp
    if new_status in PAID_STATUSES and doc["customer_id"]:
        customers.mark_paying(tx, doc["customer_id"])
    if new_status in STOCK_REDUCING and not internal.get("stock_reduced"):
        reduced: dict[str, int] = {}
        for line in doc["line_items"]:
            if line["product_id"]:
                reduced[str(line["product_id"])] = reduced.get(str(line["product_id"]), 0) + line["quantity"]
        for product_id, quantity in reduced.items():
            event = catalog.adjust_stock(tx, int(product_id), -quantity, quantity, settings, now)
            if event is not None:
                events.append(event)
        internal["stock_reduced"] = reduced
    elif new_status in STOCK_RESTORING and internal.get("stock_reduced"):
        for product_id, quantity in internal["stock_reduced"].items():
            event = catalog.adjust_stock(tx, int(product_id), quantity, -quantity, settings, now)
            if event is not None:
                events.append(event)
        internal["stock_reduced"] = {}


def _status(payload: dict[str, Any]) -> str | None:
    if "status" not in payload or payload["status"] is None:
        return None
    status = text(payload, "status")
    if status.startswith("wc-"):
        status = status[3:]
    if status not in STATUSES:
        raise invalid_param("status", f"status is not one of {', '.join(STATUSES)}.", "rest_not_in_enum")
    return status


def _apply_fields(
    tx: Transaction, doc: dict[str, Any], internal: dict[str, Any], payload: dict[str, Any]
) -> None:
    if "currency" in payload:
        currency = text(payload, "currency").upper()
        if len(currency) != 3 or not currency.isalpha():
            raise WooApiError("woocommerce_rest_invalid_currency", "Invalid currency code", 400)
        doc["currency"] = currency
    if "customer_id" in payload:
        customer_id = integer(payload, "customer_id")
        if customer_id and customers.get(tx, customer_id) is None:
            raise WooApiError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
        doc["customer_id"] = customer_id
    for key in ("customer_note", "payment_method", "payment_method_title", "transaction_id", "created_via"):
        if key in payload:
            doc[key] = text(payload, key)
    if (
        "payment_method" in payload
        and "payment_method_title" not in payload
        and not doc["payment_method_title"]
    ):
        doc["payment_method_title"] = PAYMENT_TITLES.get(doc["payment_method"], "")
    if "parent_id" in payload:
        doc["parent_id"] = integer(payload, "parent_id")
    doc["billing"] = address(doc["billing"], payload.get("billing"), BILLING_FIELDS, "billing")
    doc["shipping"] = address(doc["shipping"], payload.get("shipping"), SHIPPING_FIELDS, "shipping")
    doc["meta_data"] = meta_data(doc["meta_data"], payload.get("meta_data"), lambda: tx.next_id("meta"))

    def build_line(entry: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        if existing is None:
            return _new_line(tx, entry, internal)
        line = dict(existing)
        state = internal["lines"][str(line["id"])]
        product_id, product = _resolve_product(tx, entry, creating=False)
        unit = Decimal(state["unit"])
        taxable = bool(state["taxable"])
        if product is not None and product_id != line["product_id"]:
            line.update(product_id=product_id, name=product["name"], sku=product["sku"])
            unit = catalog.active_price(product)
            taxable = product["tax_status"] == "taxable"
        if "name" in entry:
            line["name"] = text(entry, "name")
        quantity = _quantity(entry, line["quantity"])
        _set_line_amounts(line, internal, entry, unit, quantity, taxable)
        return line

    doc["line_items"] = _merge_items(tx, doc["line_items"], _list(payload, "line_items"), build_line, "line")
    doc["shipping_lines"] = _merge_items(
        tx,
        doc["shipping_lines"],
        _list(payload, "shipping_lines"),
        lambda entry, existing: _shipping_line(tx, entry, existing),
        "shipping",
    )
    doc["fee_lines"] = _merge_items(
        tx,
        doc["fee_lines"],
        _list(payload, "fee_lines"),
        lambda entry, existing: _fee_line(tx, entry, existing),
        "fee",
    )
    for posted in _list(payload, "coupon_lines"):
        if posted.get("id"):
            continue  # existing coupon lines are left as they are, as in core
        code = text(posted, "code").strip().lower()
        doc["coupon_lines"] = [c for c in doc["coupon_lines"] if c["code"] != code]
        doc["coupon_lines"].append(_coupon_line(tx, posted))


def new_document(order_id: int, currency: str, version: str, now: datetime) -> dict[str, Any]:
    stamp = wire_date(now)
    return {
        "id": order_id,
        "parent_id": 0,
        "status": "pending",
        "currency": currency,
        "version": version,
        "prices_include_tax": False,
        "date_created": stamp,
        "date_modified": stamp,
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": "0.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": "0.00",
        "total_tax": "0.00",
        "customer_id": 0,
        "order_key": _order_key(),
        "billing": {key: "" for key in BILLING_FIELDS},
        "shipping": {key: "" for key in SHIPPING_FIELDS},
        "payment_method": "",
        "payment_method_title": "",
        "transaction_id": "",
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": "rest-api",
        "customer_note": "",
        "date_completed": None,
        "date_paid": None,
        "cart_hash": "",
        "number": str(order_id),
        "meta_data": [],
        "line_items": [],
        "tax_lines": [],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "payment_url": "",
        "is_editable": True,
        "needs_payment": False,
        "needs_processing": False,
        "date_created_gmt": stamp,
        "date_modified_gmt": stamp,
        "date_completed_gmt": None,
        "date_paid_gmt": None,
        "currency_symbol": "",
    }


def create(
    tx: Transaction,
    payload: dict[str, Any],
    settings: WooSandboxSettings,
    now: datetime,
    *,
    created: datetime | None = None,
    modified: datetime | None = None,
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    """POST /orders. `created`/`modified` back-date the order (seeding only; the API uses now)."""
    if payload.get("id"):
        raise WooApiError(f"woocommerce_rest_{POST_TYPE}_exists", f"Cannot create existing {POST_TYPE}.", 400)
    status = _status(payload) or "pending"
    set_paid = boolean(payload, "set_paid")
    moment = created or now
    doc = new_document(tx.next_id("post"), settings.currency, settings.wc_version, moment)
    internal: dict[str, Any] = {"lines": {}}
    _apply_fields(tx, doc, internal, payload)
    _recalculate(tx, doc, internal, settings)
    events: list[ResourceEvent] = []
    if status != "pending":
        _transition(tx, doc, internal, status, settings, moment, events)
    if set_paid and doc["status"] in PAYMENT_COMPLETE_FROM:
        _transition(tx, doc, internal, "processing", settings, moment, events)
    elif set_paid and not doc["date_paid_gmt"]:
        doc["date_paid_gmt"] = wire_date(moment)
    if modified is not None:
        doc["date_modified_gmt"] = wire_date(modified)
    _derived(doc, settings)
    _save(tx, doc, internal)
    # A real WooCommerce 9.9.5 store fires both `order.created` and `order.updated` for an order
    # created through the REST API: same body, different delivery ids, the second about 50 ms after
    # the first (FACTS.md §7, "Webhook topics on order create").
    updated = ResourceEvent(
        "order", "updated", doc["id"], lag_seconds=settings.order_create_update_gap_seconds
    )
    return doc, [ResourceEvent("order", "created", doc["id"]), updated, *events]


def update(
    tx: Transaction, order_id: int, payload: dict[str, Any], settings: WooSandboxSettings, now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    """PUT /orders/{id}: any field, lines by item id, status changes; date_modified moves to now."""
    found = get(tx, order_id)
    if found is None:
        raise invalid_id(POST_TYPE, 400)
    doc, internal = found
    status = _status(payload)
    set_paid = boolean(payload, "set_paid")
    _apply_fields(tx, doc, internal, payload)
    recalc_keys = ("billing", "shipping", "line_items", "shipping_lines", "fee_lines", "coupon_lines")
    if any(key in payload for key in recalc_keys):
        _recalculate(tx, doc, internal, settings)
    events: list[ResourceEvent] = []
    if status is not None and status != doc["status"]:
        _transition(tx, doc, internal, status, settings, now, events)
    if set_paid and doc["status"] in PAYMENT_COMPLETE_FROM:
        _transition(tx, doc, internal, "processing", settings, now, events)
    doc["date_modified_gmt"] = wire_date(now)
    _derived(doc, settings)
    _save(tx, doc, internal)
    return doc, [ResourceEvent("order", "updated", order_id), *events]


def delete(
    tx: Transaction, order_id: int, force: bool, settings: WooSandboxSettings, now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    """DELETE /orders/{id}: to the trash (fires order.deleted) or, with force, gone for good.

    As in WooCommerce, only trashing runs the hooks behind the `order.deleted` topic; a forced
    delete removes the order without a webhook.
    """
    found = get(tx, order_id)
    if found is None:
        raise invalid_id(POST_TYPE, 404)
    doc, internal = found
    if force:
        tx.delete(KIND, order_id)
        return doc, []
    if doc["status"] == "trash":
        raise WooApiError(
            f"woocommerce_rest_{POST_TYPE}_already_trashed", f"The {POST_TYPE} has already been deleted.", 410
        )
    internal["status_before_trash"] = doc["status"]
    doc["status"] = "trash"
    doc["date_modified_gmt"] = wire_date(now)
    _derived(doc, settings)
    _save(tx, doc, internal)
    return doc, [ResourceEvent("order", "deleted", order_id)]
