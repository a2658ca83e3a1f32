"""Realistic Magento store content for demos and tests, written through the emulator's own state layer.

``seed_products`` fills the catalogue: a simple product per SKU, and for every fourth SKU a configurable
parent (``CFG-<sku>``) whose children are that SKU and the next. ``seed_orders`` leaves orders as shoppers
would: one to four products, configurable ones as a priced parent item plus its child, a coupon now and
then, flat-rate shipping, tax, some guests, mostly ``processing`` with a few ``pending``, ``complete``
(invoiced and shipped) and ``holded`` (put on hold, so with ``hold_before_state`` and
``hold_before_status``). ``seed_store`` mirrors :func:`ledgerlink.sandbox.seeding.seed_store`.
All open the state file themselves; the same ``rng_seed`` gives the same store.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink.sandbox.magento import actions, catalog, customers
from ledgerlink.sandbox.magento.orders import ORDER, Buyer, Pick, build_order, save_order
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import StateStore, Transaction
from ledgerlink.sandbox.seeding import StoreSeed, seed_matching_store

_ADJECTIVES = ("Classic", "Organic", "Deluxe", "Compact", "Vintage", "Premium", "Everyday", "Travel")
_NOUNS = ("Tee", "Hoodie", "Backpack", "Lamp", "Scarf", "Water Bottle", "Headphones", "Candle", "Apron")
_FIRST = ("Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Zoe", "Ethan", "Chloe", "Mateo", "Ines", "Omar")
_LAST = ("Johnson", "Garcia", "Nguyen", "Smith", "Brown", "Martinez", "Okafor", "Keller", "Rossi", "Patel")
_PLACES = (
    ("US", "CA", "California", 12, "San Diego", "92101"),
    ("US", "NY", "New York", 43, "Buffalo", "14201"),
    ("US", "TX", "Texas", 57, "Austin", "73301"),
    ("US", "WA", "Washington", 62, "Spokane", "99201"),
    ("US", "IL", "Illinois", 23, "Chicago", "60601"),
)
_STREETS = ("Maple Ave", "Harbor St", "Oak Lane", "Cedar Rd", "Lakeview Dr", "Mission Blvd")
_PAYMENTS = (
    ("checkmo", "Check / Money order"),
    ("banktransfer", "Bank Transfer Payment"),
    ("cashondelivery", "Cash On Delivery"),
    ("purchaseorder", "Purchase Order"),
)
_STATES = (("processing", 75), ("new", 8), ("complete", 10), ("holded", 7))
_COUPONS = (("SAVE10", Decimal("10")), ("WELCOME15", Decimal("15")))
GUEST_RATIO = 0.25
COUPON_RATIO = 0.25
CONFIGURABLE_PREFIX = "CFG-"


def seed_products(state_path: Path, skus: list[str], *, rng_seed: int = 7) -> list[dict[str, Any]]:
    """A simple product per SKU (existing ones kept) and configurable parents over pairs of them."""
    rng = random.Random(rng_seed)
    store = StateStore(state_path)
    result: list[dict[str, Any]] = []
    with store.transaction() as tx:
        for sku in skus:
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            price = Decimal(rng.randrange(500, 20000)) / 100
            stock = rng.randrange(20, 200)
            existing = tx.get(catalog.PRODUCT, sku)
            if existing is not None:
                result.append(existing)
                continue
            fields = {
                "name": f"{name} ({sku})",
                "price": float(price),
                "type_id": "simple",
                "visibility": 1,
                "extension_attributes": {"stock_item": {"qty": stock, "is_in_stock": True}},
                "tier_prices": [{"customer_group_id": 2, "qty": 10, "value": float(price * Decimal("0.9"))}],
                "media_gallery_entries": [
                    {
                        "media_type": "image",
                        "label": name,
                        "position": 1,
                        "disabled": False,
                        "types": ["image", "small_image", "thumbnail"],
                        "file": f"/{sku[0].lower()}/{sku.lower()}.jpg",
                    }
                ],
                "custom_attributes": [{"attribute_code": "url_key", "value": sku.lower()}],
            }
            result.append(catalog.save_product(tx, sku, fields))
        for index in range(0, len(skus) - 1, 4):
            _configurable(tx, skus[index : index + 2])
    return result


def _configurable(tx: Transaction, children: list[str]) -> None:
    parent_sku = CONFIGURABLE_PREFIX + children[0]
    if tx.get(catalog.PRODUCT, parent_sku) is not None:
        return
    kids = [tx.get(catalog.PRODUCT, sku) for sku in children]
    links = [kid["id"] for kid in kids if kid is not None]
    options = [
        {
            "id": 1,
            "attribute_id": "93",
            "label": "Color",
            "position": 0,
            "values": [{"value_index": 10 + i} for i in range(len(links))],
        }
    ]
    catalog.save_product(
        tx,
        parent_sku,
        {
            "name": f"Configurable {children[0]}",
            "type_id": "configurable",
            "price": 0,
            "extension_attributes": {
                "configurable_product_links": links,
                "configurable_product_options": options,
            },
        },
    )


def _buyer(tx: Transaction, rng: random.Random) -> Buyer:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    country, code, region, region_id, city, postcode = rng.choice(_PLACES)
    address = {
        "street": [f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}"],
        "city": city,
        "region": region,
        "region_code": code,
        "region_id": region_id,
        "postcode": postcode,
        "country_id": country,
        "telephone": f"555-{rng.randrange(1000, 9999)}",
    }
    email = f"{first}.{last}{rng.randrange(1, 40)}@example.com".lower()
    if rng.random() < GUEST_RATIO:
        return Buyer(email, first, last, address)
    known = next((c for c in tx.all(customers.CUSTOMER) if c["email"] == email), None)
    if known is None:
        body = {
            "customer": {
                "email": email,
                "firstname": first,
                "lastname": last,
                "addresses": [
                    {
                        **address,
                        "firstname": first,
                        "lastname": last,
                        "default_billing": True,
                        "default_shipping": True,
                    }
                ],
            }
        }
        known = customers.create_customer(tx, body)
    return Buyer(email, known["firstname"], known["lastname"], address, customer_id=int(known["id"]))


def _picks(tx: Transaction, rng: random.Random, skus: list[str]) -> list[Pick]:
    picks: list[Pick] = []
    for sku in rng.sample(skus, k=min(len(skus), rng.randint(1, 4))):
        product = tx.get(catalog.PRODUCT, sku)
        if product is None:
            product = catalog.save_product(tx, sku, {"name": f"Product {sku}", "price": 19.99})
        price = Decimal(str(product["price"]))
        qty = rng.choice((1, 1, 1, 2, 3))
        parent = next(
            (
                p
                for p in tx.all(catalog.PRODUCT)
                if product["id"] in p["extension_attributes"].get("configurable_product_links", [])
            ),
            None,
        )
        if parent is not None and rng.random() < 0.6:
            picks.append(
                Pick(
                    sku,
                    product["name"],
                    price,
                    qty,
                    product["id"],
                    parent["sku"],
                    parent["name"],
                    parent["id"],
                    options=_chosen_options(parent, product["id"]),
                )
            )
        else:
            picks.append(Pick(sku, product["name"], price, qty, product["id"]))
    return picks


def _chosen_options(parent: dict[str, Any], child_id: int) -> tuple[tuple[str, int], ...]:
    """The (attribute id, value index) pairs that pick this child of a configurable product."""
    extension = parent["extension_attributes"]
    position = extension["configurable_product_links"].index(child_id)
    return tuple(
        (str(option["attribute_id"]), int(option["values"][position]["value_index"]))
        for option in extension.get("configurable_product_options", [])
        if position < len(option["values"])
    )


def _state(rng: random.Random) -> str:
    return rng.choices([s for s, _ in _STATES], weights=[w for _, w in _STATES])[0]


def seed_orders(
    state_path: Path,
    count: int,
    *,
    skus: list[str],
    rng_seed: int = 7,
    currency: str = "USD",
    store_code: str = "default",
    settings: MagentoSandboxSettings | None = None,
) -> list[int]:
    """Create ``count`` orders over ``skus`` (missing products are created first); answers entity ids."""
    rng = random.Random(rng_seed)
    settings = settings or MagentoSandboxSettings()
    store = StateStore(state_path)
    now = datetime.now(UTC).replace(microsecond=0)
    moments = sorted(now - timedelta(seconds=rng.randrange(600, 3 * 24 * 3600)) for _ in range(count))
    made: list[int] = []
    with store.transaction() as tx:
        for created in moments:
            modified = min(now, created + timedelta(minutes=rng.randrange(0, 240)))
            when = created.strftime("%Y-%m-%d %H:%M:%S")
            coupon = rng.choice(_COUPONS) if rng.random() < COUPON_RATIO else None
            state = _state(rng)
            order = build_order(
                tx,
                settings,
                _picks(tx, rng, skus),
                _buyer(tx, rng),
                currency=currency,
                coupon=coupon,
                state="new" if state == "new" else "processing",
                payment_method=rng.choice(_PAYMENTS),
                when=when,
                store_code=store_code,
            )
            order_id = int(order["entity_id"])
            if state == "complete":
                actions.invoice(tx, order_id, {})
                actions.ship(
                    tx,
                    order_id,
                    {
                        "tracks": [
                            {"track_number": f"1Z{order_id:08d}", "title": "UPS", "carrier_code": "ups"}
                        ]
                    },
                )
            stored = tx.get(ORDER, order_id)
            assert stored is not None
            if state == "holded":
                actions.hold(tx, order_id)
                stored = tx.get(ORDER, order_id)
                assert stored is not None
            stored["updated_at"] = modified.strftime("%Y-%m-%d %H:%M:%S")
            save_order(tx, stored)
            made.append(order_id)
    return made


def seed_store(
    state_path: Path,
    *,
    orders: int,
    products: int,
    unknown_sku_orders: int = 0,
    rng_seed: int = 7,
    currency: str = "USD",
) -> StoreSeed:
    """The sandbox store, matching the NetSuite seed (see :func:`seed_matching_store`)."""
    return seed_matching_store(
        lambda skus: seed_products(state_path, skus, rng_seed=rng_seed),
        lambda count, skus, seed: seed_orders(state_path, count, skus=skus, rng_seed=seed, currency=currency),
        orders=orders,
        products=products,
        unknown_sku_orders=unknown_sku_orders,
        rng_seed=rng_seed,
    )
