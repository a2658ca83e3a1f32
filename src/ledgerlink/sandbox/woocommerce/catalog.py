"""Products: the simple-product subset of WooCommerce's product resource, stock included.

SKUs are unique across the catalogue (WooCommerce answers `product_invalid_sku` otherwise), the
active price is the sale price when one is set, and stock is managed per product: orders reduce
it when they become paid (see orders.py), and `stock_status` follows the quantity.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.woocommerce.common import ResourceEvent, boolean, integer, meta_data, text
from ledgerlink.sandbox.woocommerce.errors import WooApiError, invalid_id, invalid_param
from ledgerlink.sandbox.woocommerce.formats import parse_amount, wire_date
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import Condition, Transaction

KIND = "product"
STATUSES = ("draft", "pending", "private", "publish", "future")
TYPES = ("simple", "grouped", "external", "variable")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"


def _price_text(value: Any, field: str) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = parse_amount(value, field)
    except ValueError as exc:
        raise invalid_param(field, f"{field} is not of type string.") from exc
    return str(amount)  # wc_format_decimal keeps the digits the client sent


def _stock_status(doc: dict[str, Any]) -> str:
    if not doc["manage_stock"]:
        return str(doc.get("stock_status") or "instock")
    quantity = doc["stock_quantity"] or 0
    if quantity > 0:
        return "instock"
    return "onbackorder" if doc["backorders"] != "no" else "outofstock"


def _refresh_derived(doc: dict[str, Any], settings: WooSandboxSettings) -> None:
    doc["on_sale"] = bool(doc["sale_price"]) and doc["sale_price"] != doc["regular_price"]
    doc["price"] = doc["sale_price"] if doc["on_sale"] else doc["regular_price"]
    doc["purchasable"] = doc["price"] != "" and doc["status"] == "publish"
    doc["stock_status"] = _stock_status(doc)
    doc["backorders_allowed"] = doc["backorders"] != "no"
    doc["backordered"] = False
    doc["price_html"] = (
        f'<span class="woocommerce-Price-amount amount"><bdi>{doc["price"]}</bdi></span>'
        if doc["price"]
        else ""
    )
    doc["permalink"] = f"{settings.home}/product/{doc['slug']}/"
    doc["shipping_required"] = not doc["virtual"]


def active_price(doc: dict[str, Any]) -> Decimal:
    return Decimal(doc["price"]) if doc.get("price") else Decimal("0")


def _columns(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": doc["status"],
        "sku": doc["sku"] or None,
        "created": doc["date_created_gmt"],
        "modified": doc["date_modified_gmt"],
        "sort_name": doc["name"].lower(),
    }


def save(tx: Transaction, doc: dict[str, Any]) -> None:
    tx.put(KIND, doc["id"], doc, **_columns(doc))


def find_by_sku(tx: Transaction, sku: str) -> dict[str, Any] | None:
    rows = tx.select(KIND, [Condition("sku", "=", sku)], limit=1)
    return rows[0].data if rows else None


def get(tx: Transaction, product_id: int) -> dict[str, Any] | None:
    row = tx.get(KIND, product_id)
    return row.data if row else None


def _apply(tx: Transaction, doc: dict[str, Any], payload: dict[str, Any], *, creating: bool) -> None:
    if "name" in payload:
        doc["name"] = text(payload, "name")
    if "slug" in payload:
        doc["slug"] = _slug(text(payload, "slug"))
    elif creating:
        doc["slug"] = _slug(doc["name"])
    for key, choices in (("type", TYPES), ("status", STATUSES)):
        if key in payload:
            value = text(payload, key)
            if value not in choices:
                raise invalid_param(key, f"{key} is not one of {', '.join(choices)}.", "rest_not_in_enum")
            doc[key] = value
    for key in ("description", "short_description", "purchase_note", "tax_class", "weight"):
        if key in payload:
            doc[key] = text(payload, key)
    for key in ("featured", "virtual", "downloadable", "sold_individually", "reviews_allowed"):
        if key in payload:
            doc[key] = boolean(payload, key)
    if "tax_status" in payload:
        value = text(payload, "tax_status")
        if value not in ("taxable", "shipping", "none"):
            raise invalid_param("tax_status", "tax_status is not one of taxable, shipping, and none.")
        doc["tax_status"] = value
    if "backorders" in payload:
        value = text(payload, "backorders")
        if value not in ("no", "notify", "yes"):
            raise invalid_param("backorders", "backorders is not one of no, notify, and yes.")
        doc["backorders"] = value
    if "regular_price" in payload:
        doc["regular_price"] = _price_text(payload["regular_price"], "regular_price")
    if "sale_price" in payload:
        doc["sale_price"] = _price_text(payload["sale_price"], "sale_price")
    if "manage_stock" in payload:
        doc["manage_stock"] = boolean(payload, "manage_stock")
    if "stock_quantity" in payload and payload["stock_quantity"] is not None:
        doc["stock_quantity"] = integer(payload, "stock_quantity")
    if not doc["manage_stock"]:
        doc["stock_quantity"] = None
    elif doc["stock_quantity"] is None:
        doc["stock_quantity"] = 0
    if "stock_status" in payload and not doc["manage_stock"]:
        value = text(payload, "stock_status")
        if value not in ("instock", "outofstock", "onbackorder"):
            raise invalid_param(
                "stock_status", "stock_status is not one of instock, outofstock, and onbackorder."
            )
        doc["stock_status"] = value
    if "sku" in payload:
        sku = text(payload, "sku").strip()
        if sku:
            other = find_by_sku(tx, sku)
            if other is not None and other["id"] != doc["id"]:
                raise WooApiError(
                    "product_invalid_sku",
                    "Invalid or duplicated SKU.",
                    400,
                    resource_id=other["id"],
                    unique_sku=f"{sku}-1",
                )
        doc["sku"] = sku
    doc["meta_data"] = meta_data(doc["meta_data"], payload.get("meta_data"), lambda: tx.next_id("meta"))


def new_document(product_id: int, now: datetime) -> dict[str, Any]:
    stamp = wire_date(now)
    return {
        "id": product_id,
        "name": "",
        "slug": "",
        "permalink": "",
        "date_created": stamp,
        "date_created_gmt": stamp,
        "date_modified": stamp,
        "date_modified_gmt": stamp,
        "type": "simple",
        "status": "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": "",
        "price": "",
        "regular_price": "",
        "sale_price": "",
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": False,
        "purchasable": False,
        "total_sales": 0,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_required": True,
        "shipping_taxable": True,
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "average_rating": "0",
        "rating_count": 0,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}],
        "tags": [],
        "images": [],
        "attributes": [],
        "default_attributes": [],
        "variations": [],
        "grouped_products": [],
        "menu_order": 0,
        "price_html": "",
        "related_ids": [],
        "meta_data": [],
        "stock_status": "instock",
        "has_options": False,
        "post_password": "",
        "global_unique_id": "",
    }


def create(
    tx: Transaction, payload: dict[str, Any], settings: WooSandboxSettings, now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    if payload.get("id"):
        raise WooApiError("woocommerce_rest_product_exists", "Cannot create existing product.", 400)
    doc = new_document(tx.next_id("post"), now)
    _apply(tx, doc, payload, creating=True)
    _refresh_derived(doc, settings)
    save(tx, doc)
    return doc, [ResourceEvent("product", "created", doc["id"])]


def update(
    tx: Transaction, product_id: int, payload: dict[str, Any], settings: WooSandboxSettings, now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    doc = get(tx, product_id)
    if doc is None:
        raise invalid_id("product", 400)
    _apply(tx, doc, payload, creating=False)
    doc["date_modified"] = doc["date_modified_gmt"] = wire_date(now)
    _refresh_derived(doc, settings)
    save(tx, doc)
    return doc, [ResourceEvent("product", "updated", product_id)]


def delete(
    tx: Transaction, product_id: int, force: bool, now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    doc = get(tx, product_id)
    if doc is None:
        raise invalid_id("product", 404)
    if force:
        tx.delete(KIND, product_id)
    else:
        doc["status"] = "trash"
        doc["date_modified"] = doc["date_modified_gmt"] = wire_date(now)
        save(tx, doc)
    return doc, [ResourceEvent("product", "deleted", product_id)]


def adjust_stock(
    tx: Transaction,
    product_id: int,
    delta: int,
    sales_delta: int,
    settings: WooSandboxSettings,
    now: datetime,
) -> ResourceEvent | None:
    """Change stock (and the sales counter) of one product; returns the update event, if any."""
    doc = get(tx, product_id)
    if doc is None:
        return None
    if doc["manage_stock"]:
        doc["stock_quantity"] = int(doc["stock_quantity"] or 0) + delta
    doc["total_sales"] = max(0, int(doc["total_sales"]) + sales_delta)
    doc["date_modified"] = doc["date_modified_gmt"] = wire_date(now)
    _refresh_derived(doc, settings)
    save(tx, doc)
    return ResourceEvent("product", "updated", product_id)
