"""The PyPI `woocommerce` client, unchanged, against the emulator served by uvicorn on loopback."""

from __future__ import annotations

from typing import Any

from woocommerce import API

from ledgerlink.sandbox.credentials import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET


def _exercise(api: API) -> None:
    created = api.post(
        "products",
        {
            "name": "Client Mug",
            "sku": "CLI-1",
            "regular_price": "9.99",
            "manage_stock": True,
            "stock_quantity": 12,
        },
    )
    assert created.status_code == 201, created.text
    product: dict[str, Any] = created.json()
    for _ in range(3):
        order = api.post(
            "orders",
            {
                "set_paid": True,
                "line_items": [{"product_id": product["id"], "quantity": 2}],
                "billing": {"first_name": "Cli", "country": "US", "state": "TX", "email": "cli@example.com"},
            },
        )
        assert order.status_code == 201, order.text
        assert order.json()["total"] == "21.43"  # 19.98 + 7.25 % tax (1.44855 -> 1.45)
    first = api.get("orders", params={"per_page": 2, "orderby": "id", "order": "asc"})
    assert first.status_code == 200, first.text
    assert first.headers["X-WP-Total"] == "3"
    assert first.headers["X-WP-TotalPages"] == "2"
    assert first.links["next"]["url"].endswith("page=2")
    second = api.get("orders", params={"per_page": 2, "page": 2, "orderby": "id", "order": "asc"})
    assert len(second.json()) == 1
    assert second.json()[0]["id"] > first.json()[-1]["id"]
    assert api.get(f"products/{product['id']}").json()["stock_quantity"] == 6
    too_many = api.get("orders", params={"per_page": 101})
    assert too_many.status_code == 400
    by_sku = api.get("products", params={"sku": "CLI-1"})
    assert [p["id"] for p in by_sku.json()] == [product["id"]]


def test_official_client_over_plain_http_uses_oauth(http_server: Any) -> None:
    api = API(
        url=http_server.url,
        consumer_key=WOO_CONSUMER_KEY,
        consumer_secret=WOO_CONSUMER_SECRET,
        version="wc/v3",
        timeout=10,
    )
    _exercise(api)
    wrong = API(
        url=http_server.url,
        consumer_key=WOO_CONSUMER_KEY,
        consumer_secret="cs_wrong",
        version="wc/v3",
        timeout=10,
    )
    assert wrong.get("orders").status_code == 401


def test_official_client_over_https_uses_basic_auth(https_server: Any) -> None:
    api = API(
        url=https_server.url,
        consumer_key=WOO_CONSUMER_KEY,
        consumer_secret=WOO_CONSUMER_SECRET,
        version="wc/v3",
        timeout=10,
        verify_ssl=str(https_server.ca_path),
    )
    _exercise(api)
    query_auth = API(
        url=https_server.url,
        consumer_key=WOO_CONSUMER_KEY,
        consumer_secret=WOO_CONSUMER_SECRET,
        version="wc/v3",
        timeout=10,
        verify_ssl=str(https_server.ca_path),
        query_string_auth=True,
    )
    assert query_auth.get("orders").status_code == 200
