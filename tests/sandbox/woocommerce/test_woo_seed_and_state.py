"""Seeding and persistence: consistent seeded orders, restart survival, seeding a running server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from woocommerce import API

from ledgerlink.sandbox.credentials import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET
from ledgerlink.sandbox.woocommerce.app import create_app
from ledgerlink.sandbox.woocommerce.formats import from_wire, utcnow
from ledgerlink.sandbox.woocommerce.seed import seed_orders, seed_products
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings

SKUS = ["SEED-A", "SEED-B", "SEED-C", "SEED-D", "SEED-E"]
AUTH = (WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET)


async def _all_orders(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await client.get("/orders", params={"per_page": 100, "page": page, "status": "any"})
        assert response.status_code == 200
        orders += response.json()
        if page >= int(response.headers["X-WP-TotalPages"]):
            return orders
        page += 1


async def test_seeded_orders_are_realistic_and_consistent(
    tmp_path: Path, check_order_consistency: Callable[[dict[str, Any]], None]
) -> None:
    state = tmp_path / "seed.sqlite"
    products = seed_products(state, SKUS)
    assert [p["sku"] for p in products] == SKUS
    assert all(p["manage_stock"] and p["stock_quantity"] > 0 and p["regular_price"] for p in products)
    ids = seed_orders(state, 60, skus=SKUS, new_customer_ratio=0.3)
    assert len(ids) == 60 == len(set(ids))

    app = create_app(state, WooSandboxSettings())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1:8702/wp-json/wc/v3", auth=AUTH
    ) as client:
        orders = await _all_orders(client)
        customers = (await client.get("/customers", params={"per_page": 100})).json()
    assert sorted(o["id"] for o in orders) == sorted(ids)
    for order in orders:
        check_order_consistency(order)
        assert 1 <= len(order["line_items"]) <= 4
        assert {li["sku"] for li in order["line_items"]} <= set(SKUS)
        assert order["shipping_lines"][0]["method_id"] == "flat_rate"
        assert order["shipping_lines"][0]["method_title"] == "Flat rate"
        assert order["payment_method"] in {"bacs", "cod", "stripe", "paypal"}
        assert order["billing"]["email"] and order["billing"]["address_1"]
        assert order["date_created"] == order["date_created_gmt"]
        created, modified = from_wire(order["date_created_gmt"]), from_wire(order["date_modified_gmt"])
        assert utcnow() - timedelta(days=4) < created <= modified <= utcnow()
    statuses = Counter(o["status"] for o in orders)
    assert statuses.most_common(1)[0][0] == "processing"
    assert any(o["customer_id"] == 0 for o in orders), "expected guest orders"
    per_customer = Counter(o["customer_id"] for o in orders if o["customer_id"])
    assert any(count > 1 for count in per_customer.values()), "expected returning customers"
    assert any(o["coupon_lines"] for o in orders)
    assert any(o["tax_lines"] for o in orders)
    assert {c["id"] for c in customers} >= set(per_customer)


def test_seeding_is_deterministic(tmp_path: Path) -> None:
    first = seed_products(tmp_path / "a.sqlite", SKUS, rng_seed=3)
    second = seed_products(tmp_path / "b.sqlite", SKUS, rng_seed=3)
    assert [(p["name"], p["regular_price"]) for p in first] == [
        (p["name"], p["regular_price"]) for p in second
    ]


async def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "restart.sqlite"
    settings = WooSandboxSettings(home_url="http://127.0.0.1:8702")
    first = create_app(state, settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=first), base_url="https://127.0.0.1:8702/wp-json/wc/v3", auth=AUTH
    ) as client:
        product = (
            await client.post("/products", json={"name": "Kept", "sku": "KEEP", "regular_price": "3.00"})
        ).json()
        order = (await client.post("/orders", json={"line_items": [{"product_id": product["id"]}]})).json()
        hook = (
            await client.post(
                "/webhooks", json={"topic": "order.created", "delivery_url": "http://nowhere.invalid/"}
            )
        ).json()
    second = create_app(state, settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="https://127.0.0.1:8702/wp-json/wc/v3", auth=AUTH
    ) as client:
        assert (await client.get(f"/orders/{order['id']}")).json()["total"] == order["total"]
        assert (await client.get("/products", params={"sku": "KEEP"})).json()[0]["id"] == product["id"]
        assert (await client.get(f"/webhooks/{hook['id']}")).json()["topic"] == "order.created"
        newer = (await client.post("/orders", json={"line_items": [{"product_id": product["id"]}]})).json()
    assert newer["id"] > order["id"]


def test_seeding_while_the_server_runs(http_server: Any) -> None:
    api = API(
        url=http_server.url,
        consumer_key=WOO_CONSUMER_KEY,
        consumer_secret=WOO_CONSUMER_SECRET,
        version="wc/v3",
        timeout=10,
    )
    assert api.get("orders").headers["X-WP-Total"] == "0"
    ids = seed_orders(http_server.sandbox.store.path, 5, skus=["LIVE-1", "LIVE-2"])
    listed = api.get("orders", params={"per_page": 20})
    assert sorted(o["id"] for o in listed.json()) == sorted(ids)
