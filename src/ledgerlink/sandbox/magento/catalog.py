"""Products, legacy stock items and MSI source items, as the catalog and inventory APIs keep them.

``PUT /V1/products/{sku}`` is an upsert by SKU (fields given replace stored ones). The single default
source (``default``) is mirrored into the legacy ``stock_item`` as Magento does, and the salable quantity
of stock 1 is the enabled sources' quantity less what open orders reserve.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.magento.errors import MagentoError, required
from ledgerlink.sandbox.magento.orders import ORDER, now_text
from ledgerlink.sandbox.magento.state import Transaction

PRODUCT = "product"
SOURCE_ITEM = "source_item"
DEFAULT_SOURCE = "default"
PRODUCT_NOT_FOUND = "The product that was requested doesn't exist. Verify the product and try again."
SOURCES = [
    {
        "source_code": DEFAULT_SOURCE,
        "name": "Default Source",
        "enabled": True,
        "description": "Default Source",
        "latitude": 0,
        "longitude": 0,
        "country_id": "US",
        "postcode": "00000",
    }
]
STOCKS = [
    {
        "stock_id": 1,
        "name": "Default Stock",
        "extension_attributes": {"sales_channels": [{"type": "website", "code": "base"}]},
    }
]
OPEN_STATES = {"new", "pending_payment", "processing", "holded", "payment_review"}


def product_or_404(tx: Transaction, sku: str) -> dict[str, Any]:
    product = tx.get(PRODUCT, sku)
    if product is None:
        raise MagentoError(404, PRODUCT_NOT_FOUND)
    return product


def _stock_item(product_id: int, qty: Decimal, in_stock: bool) -> dict[str, Any]:
    """The legacy stock item with every field Magento prints (configuration defaults in use)."""
    return {
        "item_id": product_id,
        "product_id": product_id,
        "stock_id": 1,
        "qty": float(qty),
        "is_in_stock": in_stock,
        "is_qty_decimal": False,
        "show_default_notification_message": False,
        "use_config_min_qty": True,
        "min_qty": 0,
        "use_config_min_sale_qty": 1,
        "min_sale_qty": 1,
        "use_config_max_sale_qty": True,
        "max_sale_qty": 10000,
        "use_config_backorders": True,
        "backorders": 0,
        "use_config_notify_stock_qty": True,
        "notify_stock_qty": 1,
        "use_config_qty_increments": True,
        "qty_increments": 0,
        "use_config_enable_qty_inc": True,
        "enable_qty_increments": False,
        "use_config_manage_stock": True,
        "manage_stock": True,
        "low_stock_date": None,
        "is_decimal_divided": False,
        "stock_status_changed_auto": 0,
    }


def save_product(tx: Transaction, sku: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Create or update the product with this SKU; answers the stored document."""
    existing = tx.get(PRODUCT, sku)
    when = now_text()
    if existing is None:
        if not fields.get("name"):
            raise required("name")
        product_id = tx.next_id("product")
        existing = {
            "id": product_id,
            "sku": sku,
            "name": "",
            "attribute_set_id": 4,
            "price": 0,
            "status": 1,
            "visibility": 4,
            "type_id": "simple",
            "created_at": when,
            "updated_at": when,
            "weight": 1,
            "extension_attributes": {
                "website_ids": [1],
                "category_links": [],
                "stock_item": _stock_item(product_id, Decimal("0"), False),
            },
            "product_links": [],
            "options": [],
            "media_gallery_entries": [],
            "tier_prices": [],
            "custom_attributes": [],
        }
    extension = {**existing["extension_attributes"], **(fields.get("extension_attributes") or {})}
    product = {
        **existing,
        **{k: v for k, v in fields.items() if k not in ("id", "sku", "extension_attributes")},
    }
    product["extension_attributes"] = extension
    product["updated_at"] = when
    for index, entry in enumerate(product.get("media_gallery_entries") or []):
        entry.setdefault("id", index + 1)
    stock = extension.get("stock_item")
    if isinstance(stock, dict) and "qty" in stock:
        full = _stock_item(product["id"], Decimal(str(stock["qty"])), bool(stock.get("is_in_stock", True)))
        extension["stock_item"] = full
        tx.put(
            SOURCE_ITEM, f"{DEFAULT_SOURCE}|{sku}", _source_item(sku, full["qty"], int(full["is_in_stock"]))
        )
    tx.put(PRODUCT, sku, product)
    return product


def _source_item(sku: str, quantity: Any, status: int) -> dict[str, Any]:
    return {"sku": sku, "source_code": DEFAULT_SOURCE, "quantity": float(quantity), "status": status}


def save_source_items(tx: Transaction, items: Any) -> None:
    if not isinstance(items, list) or not items:
        raise MagentoError(400, "Input data is empty")
    known = {source["source_code"] for source in SOURCES}
    for item in items:
        if not isinstance(item, dict) or not item.get("sku"):
            raise MagentoError(400, "Validation Failed", [])
        if item.get("source_code") not in known:
            raise MagentoError(
                400,
                'Source item for "%1" and source "%2" can not be saved.',
                [item.get("sku"), item.get("source_code")],
            )
    for item in items:
        sku = str(item["sku"])
        quantity = Decimal(str(item.get("quantity", 0)))
        status = int(item.get("status", 1))
        tx.put(
            SOURCE_ITEM,
            f"{item['source_code']}|{sku}",
            {**_source_item(sku, quantity, status), "source_code": item["source_code"]},
        )
        product = tx.get(PRODUCT, sku)
        if product is not None:
            product["extension_attributes"]["stock_item"] = _stock_item(product["id"], quantity, bool(status))
            product["updated_at"] = now_text()
            tx.put(PRODUCT, sku, product)


def salable_quantity(tx: Transaction, sku: str, stock_id: int) -> float:
    if stock_id != 1:
        raise MagentoError(404, 'Stock with id "%value" does not exist.', {"value": stock_id})
    product_or_404(tx, sku)
    on_hand = sum(
        Decimal(str(item["quantity"]))
        for item in tx.all(SOURCE_ITEM)
        if item["sku"] == sku and int(item["status"]) == 1
    )
    reserved = Decimal("0")
    for order in tx.all(ORDER):
        if order["state"] not in OPEN_STATES:
            continue
        for line in order["items"]:
            if line["sku"] == sku and line.get("product_type") != "configurable":
                reserved += Decimal(str(line["qty_ordered"])) - Decimal(str(line["qty_shipped"]))
                reserved -= Decimal(str(line["qty_canceled"]))
    return float(on_hand - reserved)


def update_stock_item(tx: Transaction, sku: str, item_id: int, body: Any) -> int:
    product = product_or_404(tx, sku)
    stock = body.get("stockItem") if isinstance(body, dict) else None
    if not isinstance(stock, dict):
        raise required("stockItem")
    current = product["extension_attributes"]["stock_item"]
    if int(current["item_id"]) != item_id:
        raise MagentoError(400, "The stock item was not found. Verify the stock item and try again.")
    qty = Decimal(str(stock.get("qty", current["qty"])))
    in_stock = bool(stock.get("is_in_stock", current["is_in_stock"]))
    save_source_items(
        tx, [{"sku": sku, "source_code": DEFAULT_SOURCE, "quantity": float(qty), "status": int(in_stock)}]
    )
    return item_id
