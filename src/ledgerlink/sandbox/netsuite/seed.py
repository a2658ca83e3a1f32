"""A small, realistic NetSuite account for the sandbox: reference data, items and customers.

The account: a US parent subsidiary (USD) with a European child (EUR); USD, EUR, GBP and CAD; three
warehouses; price levels Base Price, Online Price (-5%) and Wholesale (-20%, quantity breaks at 10 and
50); Net 30 and Due on receipt terms; a few GL accounts; a WELCOME10 promotion code. Seeded items carry
a pricing matrix in USD, EUR and GBP and stock at every warehouse; :func:`seed_catalog` adds matrix
items, a kit, an assembly, tax and gift certificate items and two more customers.

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
from ledgerlink.sandbox.netsuite.values import cents

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
    "price_levels": {"Base Price": "1", "Online Price": "2", "Wholesale": "3"},
    "terms": {"Net 30": "1", "Due on receipt": "2"},
    "accounts": {"Checking": "1", "Undeposited Funds": "2", "Accounts Receivable": "3", "Sales": "4"},
    "promotion_codes": {"WELCOME10": "1"},
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
    ("priceLevel", 1, {"name": "Base Price"}),
    ("priceLevel", 2, {"name": "Online Price", "discountPct": -5.0, "isOnline": True}),
    ("priceLevel", 3, {"name": "Wholesale", "discountPct": -20.0}),
    ("term", 1, {"name": "Net 30", "daysUntilNetDue": 30}),
    ("term", 2, {"name": "Due on receipt", "daysUntilNetDue": 0}),
    ("account", 1, {"acctName": "Checking", "acctNumber": "1000", "acctType": {"id": "Bank"}}),
    (
        "account",
        2,
        {"acctName": "Undeposited Funds", "acctNumber": "1010", "acctType": {"id": "OthCurrAsset"}},
    ),
    ("account", 3, {"acctName": "Accounts Receivable", "acctNumber": "1100", "acctType": {"id": "AcctRec"}}),
    ("account", 4, {"acctName": "Sales", "acctNumber": "4000", "acctType": {"id": "Income"}}),
    (
        "promotionCode",
        1,
        {"code": "WELCOME10", "name": "Welcome 10%", "discount": {"id": "3"}, "rate": "10%"},
    ),
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


# Prices in the other currencies: the USD base price converted at these rates and rounded to cents.
_CURRENCY_FACTORS = {"2": Decimal("0.93"), "3": Decimal("0.79")}
# Price level id -> multiplier of the base price; Wholesale has quantity breaks at 10 and 50.
_LEVELS = {"1": Decimal(1), "2": Decimal("0.95")}
_WHOLESALE_BREAKS = {0: Decimal("0.80"), 10: Decimal("0.75"), 50: Decimal("0.70")}


def _cents(value: Decimal) -> float:
    return float(cents(value))


def price_matrix(base: Decimal) -> list[dict[str, Any]]:
    """The pricing matrix of a seeded item: Base/Online in USD, EUR, GBP; Wholesale in USD with breaks.

    The first line is the USD base price, which is what clients reading ``price.items[0]`` expect.
    """
    lines: list[dict[str, Any]] = []
    for currency, factor in [("1", Decimal(1)), *_CURRENCY_FACTORS.items()]:
        for level, multiplier in _LEVELS.items():
            lines.append(
                {
                    "priceLevel": {"id": level},
                    "currencyPage": {"id": currency},
                    "price": _cents(base * factor * multiplier),
                }
            )
    for quantity, multiplier in _WHOLESALE_BREAKS.items():
        line: dict[str, Any] = {
            "priceLevel": {"id": "3"},
            "currencyPage": {"id": "1"},
            "price": _cents(base * multiplier),
        }
        if quantity:
            line["quantity"] = {"value": quantity}
        lines.append(line)
    return lines


def stock_levels(rng: random.Random) -> list[dict[str, Any]]:
    """On-hand stock at the three warehouses (the EU one often empty)."""
    return [
        {
            "location": {"id": location},
            "quantityOnHand": float(
                rng.randrange(20, 200) if location != "3" else rng.choice([0, 0, 15, 40])
            ),
            "quantityOnOrder": float(rng.choice([0, 0, 25])),
            "reorderPoint": 10.0,
            "preferredStockLevel": 100.0,
        }
        for location in REFERENCE_IDS["locations"].values()
    ]


def seed_netsuite(
    state_path: Path, *, items: int, customers: int, rng_seed: int = 7, catalog: bool = False
) -> SeedSummary:
    """Reference data plus ``items`` inventory items and ``customers`` customers (missing ones only).

    Each item gets a pricing matrix (:func:`price_matrix`) and stock at the three warehouses
    (:func:`stock_levels`). ``catalog=True`` also runs :func:`seed_catalog` (matrix items, a kit, an
    assembly, tax and gift certificate items, a wholesale company and a UK customer).
    """
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
                "price": {"items": price_matrix(price)},
                "locations": {"items": stock_levels(random.Random(rng_seed * 100_003 + number))},
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
            street = rng.randrange(1, 999)  # drawn before the skip, so a re-run draws the same sequence
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
                                "addr1": f"{street} Main Street",
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
    if catalog:
        seed_catalog(state_path, rng_seed=rng_seed)
    return SeedSummary(created_items, created_customers, item_ids, customer_ids)


@dataclass(frozen=True)
class CatalogSummary:
    """Internal ids (strings) of the richer catalogue :func:`seed_catalog` adds."""

    matrix_parents: dict[str, str]  # parent itemId -> id
    matrix_children: dict[str, str]  # child itemId -> id
    kits: dict[str, str]
    assemblies: dict[str, str]
    tax_items: dict[str, str]
    gift_certificates: dict[str, str]
    customers: dict[str, str]  # entityId -> id (a company on Wholesale terms, a UK person)


_MATRIX = {"Classic Tee": ("S", "M", "L"), "Trail Jacket": ("M", "L", "XL")}


def seed_catalog(state_path: Path, *, rng_seed: int = 7) -> CatalogSummary:
    """A realistic catalogue on top of :func:`seed_netsuite`'s items (which it needs: run that first).

    Adds, once (records found by ``itemId``/``entityId`` are reused): matrix parents with size children,
    a kit and an assembly built from ``SKU-0001``/``SKU-0002``, a sales tax item (8.25%), a gift
    certificate item, a company customer on Wholesale prices and Net 30 terms, and a UK customer in GBP
    in the European subsidiary. Kept apart from :func:`seed_netsuite` so that its item counts stay as
    they were.
    """
    rng = random.Random(rng_seed * 7919)
    store = storage.Store(Path(state_path))
    ids: dict[str, dict[str, str]] = {
        key: {}
        for key in ("matrix_parents", "matrix_children", "kits", "assemblies", "tax", "gift", "customers")
    }
    with store.write() as conn:
        _ensure(conn)
        ctx = rules.WriteContext(conn, _now())

        def item(type_name: str, body: dict[str, Any]) -> str:
            row = conn.execute("SELECT id FROM item WHERE itemid = ?", (body["itemId"],)).fetchone()
            if row is not None:
                return str(row["id"])
            rtype = _type(type_name)
            record_id = storage.next_value(conn, "id:item")
            storage.save(conn, rtype, record_id, rules.prepare(ctx, rtype, body, None))
            return str(record_id)

        def first_item(sku: str) -> str:
            row = conn.execute("SELECT id FROM item WHERE itemid = ?", (sku,)).fetchone()
            if row is None:
                raise RuntimeError(f"{sku} is missing: run seed_netsuite before seed_catalog")
            return str(row["id"])

        for name, sizes in _MATRIX.items():
            price = Decimal(rng.randrange(1999, 8999)) / 100
            code = name.upper().replace(" ", "-")
            parent = item(
                "inventoryItem",
                {
                    "itemId": code,
                    "displayName": name,
                    "matrixType": {"id": "PARENT"},
                    "matrixItemNameTemplate": "{itemid}-{custitem_size}",
                    "price": {"items": price_matrix(price)},
                },
            )
            ids["matrix_parents"][code] = parent
            for size in sizes:
                child_code = f"{code}-{size}"
                ids["matrix_children"][child_code] = item(
                    "inventoryItem",
                    {
                        "itemId": child_code,
                        "displayName": f"{name} ({size})",
                        "matrixType": {"id": "CHILD"},
                        "parent": {"id": parent},
                        "custitem_size": size,
                        "price": {"items": price_matrix(price)},
                        "locations": {"items": stock_levels(rng)},
                    },
                )
        members = [
            {"item": {"id": first_item("SKU-0001")}, "quantity": 2},
            {"item": {"id": first_item("SKU-0002")}, "quantity": 1},
        ]
        ids["kits"]["GIFT-BOX"] = item(
            "kitItem",
            {
                "itemId": "GIFT-BOX",
                "displayName": "Gift Box",
                "member": {"items": members},
                "price": {"items": price_matrix(Decimal("49.00"))},
            },
        )
        ids["assemblies"]["DESK-SET"] = item(
            "assemblyItem",
            {
                "itemId": "DESK-SET",
                "displayName": "Desk Set",
                "member": {"items": members},
                "price": {"items": price_matrix(Decimal("79.00"))},
                "locations": {"items": stock_levels(rng)},
            },
        )
        ids["tax"]["CA-STATE"] = item("salesTaxItem", {"itemId": "CA-STATE", "rate": "8.25%"})
        ids["gift"]["GIFT-CARD"] = item(
            "giftCertificateItem", {"itemId": "GIFT-CARD", "displayName": "Gift Card"}
        )
        customer_type = _type("customer")
        for body in (
            {
                "entityId": "ACME-WHOLESALE",
                "isPerson": False,
                "companyName": "Acme Retail Ltd",
                "email": "buying@acme.example",
                "priceLevel": {"id": REFERENCE_IDS["price_levels"]["Wholesale"]},
                "terms": {"id": REFERENCE_IDS["terms"]["Net 30"]},
                "taxable": False,
            },
            {
                "entityId": "UK-CUSTOMER",
                "isPerson": True,
                "firstName": "Olivia",
                "lastName": "Hughes",
                "email": "olivia.hughes@example.co.uk",
                "subsidiary": {"id": REFERENCE_IDS["child_subsidiary"]},
                "currency": {"id": REFERENCE_IDS["currencies"]["GBP"]},
                "taxable": True,
            },
        ):
            row = conn.execute("SELECT id FROM customer WHERE entityid = ?", (body["entityId"],)).fetchone()
            if row is None:
                record_id = storage.next_value(conn, "id:customer")
                storage.save(conn, customer_type, record_id, rules.prepare(ctx, customer_type, body, None))
                ids["customers"][str(body["entityId"])] = str(record_id)
            else:
                ids["customers"][str(body["entityId"])] = str(row["id"])
    return CatalogSummary(
        ids["matrix_parents"],
        ids["matrix_children"],
        ids["kits"],
        ids["assemblies"],
        ids["tax"],
        ids["gift"],
        ids["customers"],
    )
