"""Realistic store content for demos and tests, written through the same state layer the API uses.

`seed_products` fills the catalogue; `seed_orders` creates orders the way shoppers would leave them
behind: one to four lines, a coupon now and then, flat-rate shipping, US sales tax, mostly
`processing`, some guests (customer_id 0) and registered customers who come back for more. Both
open the state file themselves, so they can run while a server process is serving the same file.
Random choices come from `rng_seed`, so the same call produces the same store.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink.sandbox.woocommerce import catalog, customers, orders
from ledgerlink.sandbox.woocommerce.formats import utcnow
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import Condition, StateStore, Transaction

_ADJECTIVES = ("Classic", "Organic", "Deluxe", "Compact", "Vintage", "Premium", "Everyday", "Travel")
_NOUNS = ("Mug", "Notebook", "Backpack", "Lamp", "Scarf", "Water Bottle", "Headphones", "Candle", "Apron")
_FIRST = ("Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Zoe", "Ethan", "Chloe", "Mateo", "Ines", "Omar")
_LAST = ("Johnson", "Garcia", "Nguyen", "Smith", "Brown", "Martinez", "Okafor", "Keller", "Rossi", "Patel")
_PLACES = (
    ("US", "CA", "San Diego", "92101"),
    ("US", "NY", "Buffalo", "14201"),
    ("US", "TX", "Austin", "73301"),
    ("US", "WA", "Spokane", "99201"),
    ("US", "IL", "Chicago", "60601"),
    ("CA", "ON", "Toronto", "M5V 2T6"),
    ("GB", "", "Leeds", "LS1 4AP"),
)
_STREETS = ("Maple Ave", "Harbor St", "Oak Lane", "Cedar Rd", "Lakeview Dr", "Mission Blvd")
_PAYMENTS = {
    "bacs": "Direct bank transfer",
    "cod": "Cash on delivery",
    "stripe": "Credit Card (Stripe)",
    "paypal": "PayPal",
}
_STATUSES = (("processing", 70), ("completed", 15), ("on-hold", 10), ("pending", 5))
GUEST_RATIO = 0.2


def seed_products(state_path: Path, skus: list[str], *, rng_seed: int = 7) -> list[dict[str, Any]]:
    """Create a simple, stock-managed product per SKU (existing SKUs are returned unchanged)."""
    rng = random.Random(rng_seed)
    settings = WooSandboxSettings()
    store = StateStore(state_path)
    result: list[dict[str, Any]] = []
    with store.transaction() as tx:
        for sku in skus:
            existing = catalog.find_by_sku(tx, sku)
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            price = Decimal(rng.randrange(500, 20000)) / 100
            stock = rng.randrange(20, 200)
            if existing is not None:
                result.append(existing)
                continue
            payload = {
                "name": f"{name} ({sku})",
                "type": "simple",
                "status": "publish",
                "sku": sku,
                "regular_price": str(price),
                "manage_stock": True,
                "stock_quantity": stock,
            }
            doc, _ = catalog.create(tx, payload, settings, utcnow())
            result.append(doc)
    return result


def _person(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    country, state, city, postcode = rng.choice(_PLACES)
    return {
        "first_name": first,
        "last_name": last,
        "company": rng.choice(("", "", "", f"{last} & Co")),
        "address_1": f"{rng.randrange(1, 999)} {rng.choice(_STREETS)}",
        "address_2": rng.choice(("", "", f"Apt {rng.randrange(1, 40)}")),
        "city": city,
        "state": state,
        "postcode": postcode,
        "country": country,
        "phone": f"+1-555-{rng.randrange(1000, 9999)}",
    }


def _new_customer(tx: Transaction, rng: random.Random) -> dict[str, Any]:
    person = _person(rng)
    while True:
        email = (
            f"{person['first_name']}.{person['last_name']}.{rng.randrange(10000, 99999)}@example.com".lower()
        )
        if customers.find_by_email(tx, email) is None:
            break
    billing = {**person, "email": email}
    shipping = {key: value for key, value in person.items()}
    doc, _ = customers.create(
        tx,
        {
            "email": email,
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "billing": billing,
            "shipping": shipping,
        },
        utcnow(),
    )
    return doc


def seed_orders(
    state_path: Path,
    count: int,
    *,
    skus: list[str],
    new_customer_ratio: float = 0.3,
    rng_seed: int = 7,
    currency: str = "USD",
) -> list[int]:
    """Create `count` orders over the given SKUs (missing products are created first); returns their IDs."""
    if not skus:
        raise ValueError("seed_orders needs at least one SKU")
    seed_products(state_path, skus, rng_seed=rng_seed)
    rng = random.Random(rng_seed * 7919 + count)
    settings = WooSandboxSettings(currency=currency)
    store = StateStore(state_path)
    now = utcnow()
    moments = sorted(now - timedelta(seconds=rng.randrange(600, 3 * 24 * 3600)) for _ in range(count))
    created_ids: list[int] = []
    statuses = [status for status, _ in _STATUSES]
    weights = [weight for _, weight in _STATUSES]
    with store.transaction() as tx:
        products = [p for p in (catalog.find_by_sku(tx, sku) for sku in skus) if p is not None]
        pool = [row.data for row in tx.select(customers.KIND, [Condition("status", "=", "customer")])]
        for created in moments:
            customer: dict[str, Any] | None = None
            if rng.random() >= GUEST_RATIO:
                if not pool or rng.random() < new_customer_ratio:
                    customer = _new_customer(tx, rng)
                    pool.append(customer)
                else:
                    customer = rng.choice(pool)
            if customer is not None:
                billing = dict(customer["billing"])
                shipping = dict(customer["shipping"])
            else:
                person = _person(rng)
                email = f"{person['first_name']}.{person['last_name']}@example.net".lower()
                billing = {**person, "email": email}
                shipping = dict(person)
            lines = rng.sample(products, k=min(len(products), rng.randint(1, 4)))
            payload: dict[str, Any] = {
                "status": rng.choices(statuses, weights)[0],
                "currency": currency,
                "customer_id": customer["id"] if customer else 0,
                "billing": billing,
                "shipping": shipping,
                "line_items": [{"product_id": p["id"], "quantity": rng.randint(1, 3)} for p in lines],
                "shipping_lines": [
                    {
                        "method_id": "flat_rate",
                        "method_title": "Flat rate",
                        "instance_id": "1",
                        "total": rng.choice(("5.00", "7.50", "10.00")),
                    }
                ],
            }
            method = rng.choice(list(_PAYMENTS))
            payload["payment_method"] = method
            payload["payment_method_title"] = _PAYMENTS[method]
            if method in ("stripe", "paypal"):
                payload["transaction_id"] = (
                    f"{'ch' if method == 'stripe' else 'PAY'}_{rng.randrange(10**9, 10**10)}"
                )
            if rng.random() < 0.25:
                subtotal = sum(
                    (
                        catalog.active_price(p) * q["quantity"]
                        for p, q in zip(lines, payload["line_items"], strict=True)
                    ),
                    Decimal("0"),
                )
                discount = (subtotal * Decimal(rng.choice((5, 10, 15))) / 100).quantize(Decimal("0.01"))
                payload["coupon_lines"] = [
                    {"code": rng.choice(("welcome10", "spring", "loyal")), "discount": str(discount)}
                ]
            modified = min(now, created + timedelta(minutes=rng.randrange(0, 240)))
            doc, _ = orders.create(tx, payload, settings, created, created=created, modified=modified)
            created_ids.append(doc["id"])
    return created_ids
