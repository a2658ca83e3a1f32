"""A small, realistic NetSuite account for the sandbox: reference data, items and customers.

The reference records (subsidiaries, currencies, locations, shipping/discount/tax/fee items, payment
methods) always get the same internal ids, listed in :data:`REFERENCE_IDS`, so configuration written for
the sandbox can name them. :func:`ensure_reference_data` creates whichever are missing and never changes
existing ones; the emulator calls it whenever it opens a state file. :func:`seed_netsuite` adds inventory
items ``SKU-0001``, ``SKU-0002``, … and customers with e-mail addresses, deterministically for a given
``rng_seed``, skipping those already present, so running it twice does not duplicate anything.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink.sandbox.netsuite import rules, storage
from ledgerlink.sandbox.netsuite.types import RecordType, lookup

REFERENCE_IDS: dict[str, Any] = {
    "subsidiary": "1",
    "child_subsidiary": "2",
    "currencies": {"USD": "1", "EUR": "2", "GBP": "3", "CAD": "4"},
    "location": "1",
    "locations": {"Main Warehouse": "1", "East Coast Warehouse": "2", "EU Warehouse": "3"},
    "ship_item": "1",
    "ship_items": {"Ground": "1", "Express": "2"},
    "discount_item": "3",
    "tax_item": "4",
    "fee_item": "5",
    "payment_methods": {"bacs": "1", "cod": "2", "stripe": "3", "paypal": "4"},
}

_REFERENCE_RECORDS: list[tuple[str, int, dict[str, Any]]] = [
    ("currency", 1, {"name": "US Dollar", "symbol": "USD", "isBaseCurrency": True, "exchangeRate": 1.0}),
    ("currency", 2, {"name": "Euro", "symbol": "EUR", "isBaseCurrency": False, "exchangeRate": 1.08}),
    (
        "currency",
        3,
        {"name": "British Pound", "symbol": "GBP", "isBaseCurrency": False, "exchangeRate": 1.27},
    ),
    (
        "currency",
        4,
        {"name": "Canadian Dollar", "symbol": "CAD", "isBaseCurrency": False, "exchangeRate": 0.73},
    ),
    ("subsidiary", 1, {"name": "Ledgerlink Sandbox Inc.", "currency": {"id": "1"}, "country": "US"}),
    (
        "subsidiary",
        2,
        {
            "name": "Ledgerlink Sandbox Europe B.V.",
            "parent": {"id": "1"},
            "currency": {"id": "2"},
            "country": "NL",
        },
    ),
    ("location", 1, {"name": "Main Warehouse", "subsidiary": {"id": "1"}}),
    ("location", 2, {"name": "East Coast Warehouse", "subsidiary": {"id": "1"}}),
    ("location", 3, {"name": "EU Warehouse", "subsidiary": {"id": "2"}}),
    ("shipItem", 1, {"itemId": "Ground", "displayName": "Ground Shipping"}),
    ("shipItem", 2, {"itemId": "Express", "displayName": "Express Shipping"}),
    ("discountItem", 3, {"itemId": "Store Discount", "displayName": "Store Discount"}),
    ("otherChargeSaleItem", 4, {"itemId": "Store Tax", "displayName": "Store Tax"}),
    ("otherChargeSaleItem", 5, {"itemId": "Store Fees", "displayName": "Store Fees"}),
    ("paymentMethod", 1, {"name": "Bank Transfer"}),
    ("paymentMethod", 2, {"name": "Cash on Delivery"}),
    ("paymentMethod", 3, {"name": "Stripe"}),
    ("paymentMethod", 4, {"name": "PayPal"}),
]

_FIRST = """
    Ava Ben Chloe Daniel Emma Felix Grace Hugo Isla Jack Lena Marco Nora Oscar Priya Quinn Rosa Sam
    Tara Victor Wen Yara Zoe Liam
""".split()
_LAST = """
    Anders Brooks Castillo Dubois Evans Fischer Garcia Hughes Ito Jensen Kowalski Larsen Moreau
    Nakamura Okafor Patel Rossi Schmidt Tanaka Weber
""".split()
_ADJECTIVES = ["Classic", "Organic", "Compact", "Deluxe", "Everyday", "Travel", "Premium", "Eco", "Urban"]
_NOUNS = [
    "Mug",
    "Backpack",
    "Notebook",
    "Water Bottle",
    "Hoodie",
    "Desk Lamp",
    "Candle",
    "Tote Bag",
    "Scarf",
    "Headphones",
    "Plant Pot",
    "Tea Set",
]
_CITIES = [
    ("Austin", "TX", "78701"),
    ("Denver", "CO", "80202"),
    ("Portland", "OR", "97204"),
    ("Boston", "MA", "02108"),
    ("Chicago", "IL", "60601"),
]


@dataclass(frozen=True)
class SeedSummary:
    """What a seed run did. Ids are NetSuite internal ids, as strings."""

    items_created: int
    customers_created: int
    item_ids: dict[str, str] = field(default_factory=dict)  # SKU -> internal id, for every seeded SKU
    customer_ids: dict[str, str] = field(default_factory=dict)  # e-mail -> internal id
    reference_ids: dict[str, Any] = field(default_factory=lambda: dict(REFERENCE_IDS))

    def __str__(self) -> str:
        return (
            f"{self.items_created} items created ({len(self.item_ids)} SKUs in the account), "
            f"{self.customers_created} customers created ({len(self.customer_ids)} seeded customers)"
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _type(name: str) -> RecordType:
    rtype = lookup(name)
    assert rtype is not None
    return rtype


def _ensure(conn: Any) -> None:
    ctx = rules.WriteContext(conn, _now())
    for type_name, record_id, body in _REFERENCE_RECORDS:
        rtype = _type(type_name)
        found = storage.load(conn, rtype.family, record_id)
        if found is not None:
            if found.type.name != rtype.name:
                raise RuntimeError(
                    f"{rtype.family} id {record_id} is a {found.type.name}, but the sandbox reserves it for "
                    f"the {type_name} {body.get('name') or body.get('itemId')}; start from a fresh state file"
                )
            continue
        storage.save(conn, rtype, record_id, rules.prepare(ctx, rtype, body, None))
        storage.raise_sequence(conn, f"id:{rtype.family}", record_id)


def ensure_reference_data(state_path: Path) -> dict[str, Any]:
    """Create the reference records that are missing (idempotent); returns :data:`REFERENCE_IDS`."""
    store = storage.Store(Path(state_path))
    with store.write() as conn:
        _ensure(conn)
    return dict(REFERENCE_IDS)


def seed_netsuite(state_path: Path, *, items: int, customers: int, rng_seed: int = 7) -> SeedSummary:
    """Reference data plus ``items`` inventory items and ``customers`` customers (missing ones only)."""
    rng = random.Random(rng_seed)
    store = storage.Store(Path(state_path))
    item_type, customer_type = _type("inventoryItem"), _type("customer")
    item_ids: dict[str, str] = {}
    customer_ids: dict[str, str] = {}
    created_items = created_customers = 0
    with store.write() as conn:
        _ensure(conn)
        ctx = rules.WriteContext(conn, _now())
        for number in range(1, items + 1):
            sku = f"SKU-{number:04d}"
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            price = Decimal(rng.randrange(499, 12999)) / 100
            row = conn.execute("SELECT id FROM item WHERE itemid = ?", (sku,)).fetchone()
            if row is not None:
                item_ids[sku] = str(row["id"])
                continue
            body = {
                "itemId": sku,
                "displayName": name,
                "description": f"{name} ({sku})",
                "upcCode": f"0{rng_seed:03d}{number:08d}",
                "price": {
                    "items": [{"priceLevel": {"id": "1"}, "currencyPage": {"id": "1"}, "price": float(price)}]
                },
                "isInactive": False,
            }
            record_id = storage.next_value(conn, "id:item")
            storage.save(conn, item_type, record_id, rules.prepare(ctx, item_type, body, None))
            item_ids[sku] = str(record_id)
            created_items += 1
        for number in range(1, customers + 1):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first}.{last}.{number:04d}@example.com".lower()
            city, state, zip_code = rng.choice(_CITIES)
            row = conn.execute("SELECT id FROM customer WHERE email = ?", (email,)).fetchone()
            if row is not None:
                customer_ids[email] = str(row["id"])
                continue
            body = {
                "isPerson": True,
                "firstName": first,
                "lastName": last,
                "email": email,
                "subsidiary": {"id": REFERENCE_IDS["subsidiary"]},
                "currency": {"id": REFERENCE_IDS["currencies"]["USD"]},
                "addressBook": {
                    "items": [
                        {
                            "defaultBilling": True,
                            "defaultShipping": True,
                            "label": "Home",
                            "addressBookAddress": {
                                "addressee": f"{first} {last}",
                                "addr1": f"{rng.randrange(1, 999)} Main Street",
                                "city": city,
                                "state": state,
                                "zip": zip_code,
                                "country": {"id": "US"},
                            },
                        }
                    ]
                },
            }
            record_id = storage.next_value(conn, "id:customer")
            storage.save(conn, customer_type, record_id, rules.prepare(ctx, customer_type, body, None))
            customer_ids[email] = str(record_id)
            created_customers += 1
    return SeedSummary(created_items, created_customers, item_ids, customer_ids)
