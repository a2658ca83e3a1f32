"""Realistic project content for demos and tests, written through the same state layer the API uses.

``seed_products`` fills the catalogue (published products with a price, stock in the sandbox warehouse
channel) and makes sure the sandbox store exists; ``seed_orders`` leaves orders behind the way a
storefront would: one to four line items, now and then a discount code that lowers line prices
(``discountedPricePerQuantity``), a gift-wrap custom line item, standard or express shipping, VAT
included in prices (EUR, 19 %) or sales tax on top (other currencies, 7.25 %), some guests known only
by ``customerEmail``, mostly Open or Confirmed and a few Complete or Cancelled. Each function opens the
state file itself, so it can run while a server process is serving the same file. Random choices come
from ``rng_seed``, so the same call produces the same project.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink.sandbox.commercetools.credentials import CT_STORE_KEY
from ledgerlink.sandbox.commercetools.pricing import (
    Tax,
    Totals,
    custom_line_item,
    line_item,
    money,
    shipping_info,
)
from ledgerlink.sandbox.commercetools.state import StateStore, Transaction, format_time, new_id
from ledgerlink.sandbox.seeding import StoreSeed, seed_matching_store

WAREHOUSE_KEY = "sandbox-warehouse"
_ADJECTIVES = ("Classic", "Organic", "Deluxe", "Compact", "Vintage", "Premium", "Everyday", "Travel")
_NOUNS = ("Mug", "Notebook", "Backpack", "Lamp", "Scarf", "Water Bottle", "Headphones", "Candle", "Apron")
_FIRST = ("Anna", "Lukas", "Mia", "Jonas", "Emma", "Noah", "Lea", "Elias", "Sofia", "Mateo", "Ines", "Omar")
_LAST = ("Müller", "Schmidt", "Nguyen", "Fischer", "Weber", "Garcia", "Okafor", "Keller", "Rossi", "Patel")
_PLACES = (
    ("DE", "Berlin", "10115"),
    ("DE", "München", "80331"),
    ("DE", "Hamburg", "20095"),
    ("AT", "Wien", "1010"),
    ("NL", "Amsterdam", "1012"),
    ("FR", "Lyon", "69001"),
)
_STREETS = ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Marktplatz", "Schillerstraße")
_SHIPPING = (("Standard", 495), ("Express", 995))
_CODES = ("WELCOME10", "SPRING15", "VIP20")


def _product_key(sku: str) -> str:
    return sku.lower()


def _ensure_channel_and_store(tx: Transaction, stamp: str) -> dict[str, Any]:
    channel = tx.by_key("channels", WAREHOUSE_KEY)
    if channel is None:
        channel = {
            "id": new_id(),
            "key": WAREHOUSE_KEY,
            "roles": ["InventorySupply"],
            "name": {"en": "Warehouse"},
        }
        channel = tx.put("channels", {**channel, "version": 1, "createdAt": stamp, "lastModifiedAt": stamp})
    if tx.by_key("stores", CT_STORE_KEY) is None:
        reference = {"typeId": "channel", "id": channel["id"]}
        store = {
            "id": new_id(),
            "key": CT_STORE_KEY,
            "name": {"en": "Sandbox store"},
            "languages": ["en", "de"],
            "countries": [{"code": "DE"}, {"code": "AT"}],
            "distributionChannels": [],
            "supplyChannels": [reference],
            "productSelections": [],
        }
        tx.put("stores", {**store, "version": 1, "createdAt": stamp, "lastModifiedAt": stamp})
    return channel


def _product(tx: Transaction, sku: str, rng: random.Random, currency: str, stamp: str) -> dict[str, Any]:
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    cents = rng.randrange(499, 12999, 100) + rng.choice((0, 50, 90))
    variant = {
        "id": 1,
        "sku": sku,
        "prices": [{"id": new_id(), "value": money(cents, currency)}],
        "images": [],
        "attributes": [],
        "assets": [],
    }
    data = {
        "name": {"en": name, "de": name},
        "slug": {"en": _product_key(sku)},
        "categories": [],
        "categoryOrderHints": {},
        "masterVariant": variant,
        "variants": [],
        "searchKeywords": {},
        "attributes": [],
    }
    product = {
        "id": new_id(),
        "key": _product_key(sku),
        "version": 1,
        "createdAt": stamp,
        "lastModifiedAt": stamp,
        "productType": {"typeId": "product-type", "id": "sandbox-product-type"},
        "masterData": {"current": data, "staged": data, "published": True, "hasStagedChanges": False},
    }
    return tx.put("products", product)


def seed_products(
    state_path: Path, skus: list[str], *, rng_seed: int = 7, currency: str = "EUR"
) -> list[dict[str, Any]]:
    """Published products for ``skus`` (existing ones are kept), each with 25-200 units in stock."""
    rng = random.Random(rng_seed)
    created: list[dict[str, Any]] = []
    with StateStore(Path(state_path)).transaction() as tx:
        stamp = tx.stamp()
        channel = _ensure_channel_and_store(tx, stamp)
        for sku in skus:
            if tx.by_key("products", _product_key(sku)) is not None:
                continue
            created.append(_product(tx, sku, rng, currency, stamp))
            quantity = rng.randrange(25, 200)
            entry = {
                "id": new_id(),
                "sku": sku,
                "supplyChannel": {"typeId": "channel", "id": channel["id"]},
                "quantityOnStock": quantity,
                "availableQuantity": quantity,
                "version": 1,
                "createdAt": stamp,
                "lastModifiedAt": stamp,
            }
            tx.put("inventory", entry)
    return created


def _address(rng: random.Random, first: str, last: str, email: str) -> dict[str, Any]:
    country, city, postcode = rng.choice(_PLACES)
    return {
        "firstName": first,
        "lastName": last,
        "streetName": rng.choice(_STREETS),
        "streetNumber": str(rng.randrange(1, 120)),
        "postalCode": postcode,
        "city": city,
        "country": country,
        "email": email,
        "phone": f"+49 30 {rng.randrange(1000000, 9999999)}",
    }


def _customer(tx: Transaction, rng: random.Random, stamp: str) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    number = tx.next_value("customer", 1000)
    email = f"{first.lower()}.{number}@example.com"
    address = {**_address(rng, first, last, email), "id": new_id()[:8]}
    customer = {
        "id": new_id(),
        "customerNumber": str(number),
        "email": email,
        "firstName": first,
        "lastName": last,
        "addresses": [address],
        "defaultShippingAddressId": address["id"],
        "defaultBillingAddressId": address["id"],
        "shippingAddressIds": [address["id"]],
        "billingAddressIds": [address["id"]],
        "isEmailVerified": True,
        "customerGroupAssignments": [],
        "stores": [{"typeId": "store", "key": CT_STORE_KEY}],
        "authenticationMode": "Password",
        "version": 1,
        "createdAt": stamp,
        "lastModifiedAt": stamp,
    }
    return tx.put("customers", customer)


def _payment(tx: Transaction, rng: random.Random, total: dict[str, Any], created: str) -> dict[str, Any]:
    method = rng.choice(("creditcard", "paypal", "invoice"))
    payment = {
        "id": new_id(),
        "version": 1,
        "createdAt": created,
        "lastModifiedAt": created,
        "amountPlanned": total,
        "paymentMethodInfo": {
            "paymentInterface": "sandbox-psp",
            "method": method,
            "name": {"en": method.title()},
        },
        "paymentStatus": {"interfaceCode": "paid"},
        "transactions": [
            {
                "id": new_id(),
                "timestamp": created,
                "type": "Charge",
                "amount": total,
                "state": "Success",
                "interactionId": f"psp-{rng.randrange(10**8, 10**9)}",
            }
        ],
        "interfaceInteractions": [],
        "interfaceId": f"psp-{rng.randrange(10**8, 10**9)}",
    }
    return tx.put("payments", payment)


def _order_state(rng: random.Random) -> str:
    roll = rng.random()
    return (
        "Open" if roll < 0.55 else "Confirmed" if roll < 0.85 else "Complete" if roll < 0.95 else "Cancelled"
    )


def seed_orders(
    state_path: Path,
    count: int,
    *,
    skus: list[str],
    rng_seed: int = 7,
    currency: str = "EUR",
    store_key: str | None = CT_STORE_KEY,
) -> list[str]:
    """Create ``count`` orders over ``skus`` (missing products are created first); returns their ids."""
    if not skus:
        raise ValueError("orders need at least one SKU")
    seed_products(state_path, skus, rng_seed=rng_seed, currency=currency)
    rng = random.Random(rng_seed * 7919 + count)
    now = datetime.now(UTC).replace(microsecond=0)
    moments = sorted(now - timedelta(seconds=rng.randrange(600, 3 * 24 * 3600)) for _ in range(count))
    included = currency == "EUR"
    tax = (
        Tax(Decimal("0.19"), "MwSt", "DE", True)
        if included
        else Tax(Decimal("0.0725"), "Sales Tax", "US", False)
    )
    ids: list[str] = []
    with StateStore(Path(state_path)).transaction() as tx:
        products = {sku: tx.by_key("products", _product_key(sku)) for sku in skus}
        regulars: list[dict[str, Any]] = []
        for created in moments:
            created_at = format_time(created)
            modified_at = format_time(min(now, created + timedelta(minutes=rng.randrange(0, 240))))
            if regulars and rng.random() < 0.3:
                customer: dict[str, Any] | None = rng.choice(regulars)
            elif rng.random() < 0.25:
                customer = None  # a guest: known by e-mail only
            else:
                customer = _customer(tx, rng, created_at)
                regulars.append(customer)
            if customer is not None:
                first, last, email = customer["firstName"], customer["lastName"], customer["email"]
            else:
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                email = f"guest.{rng.randrange(10**5, 10**6)}@example.org"
            address = _address(rng, first, last, email)
            totals = Totals(currency)
            code = rng.choice(_CODES) if rng.random() < 0.25 else None
            code_id, cart_discount = _discount_code(tx, code) if code else (None, None)
            percent = int(code[-2:]) if code else 0
            lines = []
            for sku in rng.sample(skus, k=min(len(skus), rng.randrange(1, 5))):
                product = products[sku]
                assert product is not None
                unit = product["masterData"]["current"]["masterVariant"]["prices"][0]["value"]["centAmount"]
                discount = unit * percent // 100
                lines.append(
                    line_item(
                        totals,
                        product=product,
                        quantity=rng.randrange(1, 4),
                        unit_cents=unit,
                        tax=tax,
                        discount_cents=discount,
                        cart_discount_id=cart_discount,
                    )
                )
            custom = []
            if rng.random() < 0.1:
                custom.append(
                    custom_line_item(totals, name="Gift wrapping", slug="gift-wrap", cents=350, tax=tax)
                )
            method, cents = rng.choice(_SHIPPING)
            shipping = shipping_info(
                totals, name=method, cents=cents, tax=tax, method_id=f"ship-{method.lower()}"
            )
            state = _order_state(rng)
            number = tx.next_value("order", 10000)
            order: dict[str, Any] = {
                "id": new_id(),
                "version": 1,
                "createdAt": created_at,
                "lastModifiedAt": modified_at,
                "orderNumber": f"CT-{number}",
                "customerEmail": email,
                "lineItems": lines,
                "customLineItems": custom,
                "totalPrice": money(totals.price, currency),
                "taxedPrice": totals.taxed_price(),
                "taxMode": "Platform",
                "taxRoundingMode": "HalfEven",
                "taxCalculationMode": "LineItemLevel",
                "inventoryMode": "None",
                "priceRoundingMode": "HalfEven",
                "billingAddress": address,
                "shippingAddress": address,
                "shippingMode": "Single",
                "shippingInfo": shipping,
                "shipping": [],
                "discountCodes": [],
                "refusedGifts": [],
                "orderState": state,
                "paymentState": "Paid" if state != "Open" or rng.random() < 0.7 else "Pending",
                "shipmentState": "Shipped" if state == "Complete" else "Pending",
                "syncInfo": [],
                "origin": "Customer",
                "country": address["country"],
                "lastMessageSequenceNumber": 1,
            }
            if customer is not None:
                order["customerId"] = customer["id"]
            else:
                order["anonymousId"] = new_id()
            if code:
                order["discountCodes"] = [
                    {
                        "discountCode": {
                            "typeId": "discount-code",
                            "id": code_id,
                        },
                        "state": "MatchesCart",
                    }
                ]
            if store_key:
                order["store"] = {"typeId": "store", "key": store_key}
            if state == "Complete":
                order["completedAt"] = modified_at
            if order["paymentState"] == "Paid":
                payment = _payment(tx, rng, order["taxedPrice"]["totalGross"], created_at)
                order["paymentInfo"] = {"payments": [{"typeId": "payment", "id": payment["id"]}]}
            tx.put("orders", order)
            ids.append(order["id"])
    return ids


def _discount_code(tx: Transaction, code: str) -> tuple[str, str]:
    """(discount code id, id of the cart discount it triggers); the code is created on first use."""
    found = tx.by_key("discount-codes", code.lower())
    if found is None:
        stamp = tx.stamp()
        found = {
            "id": new_id(),
            "key": code.lower(),
            "code": code,
            "cartDiscounts": [{"typeId": "cart-discount", "id": new_id()}],
            "isActive": True,
            "groups": [],
            "references": [],
            "stores": [],
            "version": 1,
            "createdAt": stamp,
            "lastModifiedAt": stamp,
        }
        tx.put("discount-codes", found)
    return str(found["id"]), str(found["cartDiscounts"][0]["id"])


def seed_store(
    state_path: Path,
    *,
    orders: int,
    products: int,
    unknown_sku_orders: int = 0,
    rng_seed: int = 7,
    currency: str = "EUR",
) -> StoreSeed:
    """The sandbox store, matching the NetSuite seed (see :func:`seed_matching_store`)."""
    return seed_matching_store(
        lambda skus: seed_products(state_path, skus, rng_seed=rng_seed, currency=currency),
        lambda count, skus, seed: seed_orders(state_path, count, skus=skus, rng_seed=seed, currency=currency),
        orders=orders,
        products=products,
        unknown_sku_orders=unknown_sku_orders,
        rng_seed=rng_seed,
    )
