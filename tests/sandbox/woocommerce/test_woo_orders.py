"""Orders, products and customers over the REST API: create, totals, stock, listing and batches."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from ledgerlink.sandbox.woocommerce.app import WooSandbox, create_app
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings

Payload = Callable[..., dict[str, Any]]


async def _product(https: httpx.AsyncClient, product_payload: Payload, **kwargs: Any) -> dict[str, Any]:
    response = await https.post("/products", json=product_payload(**kwargs))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _order(https: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = await https.post("/orders", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_create_order_copies_product_data_and_computes_totals(
    https: httpx.AsyncClient, product_payload: Payload, us_address: dict[str, str]
) -> None:
    mug = await _product(https, product_payload, sku="MUG", price="12.50")
    cap = await _product(https, product_payload, sku="CAP", price="20.00")
    order = await _order(
        https,
        {
            "billing": us_address,
            "shipping": {k: v for k, v in us_address.items() if k != "email"},
            "payment_method": "bacs",
            "line_items": [{"product_id": mug["id"], "quantity": 2}, {"sku": "CAP", "quantity": 1}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "10.00"}],
            "coupon_lines": [{"code": "SAVE5", "discount": "5.00"}],
        },
    )
    lines = order["line_items"]
    assert [(li["sku"], li["name"], li["product_id"]) for li in lines] == [
        ("MUG", "Product MUG", mug["id"]),
        ("CAP", "Product CAP", cap["id"]),
    ]
    assert [li["subtotal"] for li in lines] == ["25.00", "20.00"]
    # 5.00 off split in proportion to 25:20 -> 2.77 / 2.22 in whole cents, remainder to the first line.
    assert [li["total"] for li in lines] == ["22.22", "17.78"]
    assert order["discount_total"] == "5.00"
    assert order["coupon_lines"][0]["discount"] == "5.00"
    assert [li["total_tax"] for li in lines] == ["1.61", "1.29"]
    assert order["shipping_total"] == "10.00"
    assert order["shipping_tax"] == "0.73"
    assert order["cart_tax"] == "2.90"
    assert order["total_tax"] == "3.63"
    assert order["total"] == "53.63"
    assert order["tax_lines"][0]["rate_code"] == "US-SALES TAX-1"
    assert order["tax_lines"][0]["tax_total"] == "2.90"
    assert order["tax_lines"][0]["shipping_tax_total"] == "0.73"
    assert order["status"] == "pending"
    assert order["payment_method_title"] == "Direct bank transfer"
    assert order["date_created"] == order["date_created_gmt"]
    assert order["date_paid"] is None
    assert order["number"] == str(order["id"])


async def test_stock_drops_for_paid_orders_only(https: httpx.AsyncClient, product_payload: Payload) -> None:
    product = await _product(https, product_payload, sku="STOCK", stock=10)
    await _order(https, {"line_items": [{"product_id": product["id"], "quantity": 3}]})
    assert (await https.get(f"/products/{product['id']}")).json()["stock_quantity"] == 10
    paid = await _order(
        https, {"set_paid": True, "line_items": [{"product_id": product["id"], "quantity": 3}]}
    )
    assert paid["status"] == "processing"
    assert paid["date_paid"] is not None
    after = (await https.get(f"/products/{product['id']}")).json()
    assert after["stock_quantity"] == 7
    assert after["total_sales"] == 3
    cancelled = await https.put(f"/orders/{paid['id']}", json={"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    assert (await https.get(f"/products/{product['id']}")).json()["stock_quantity"] == 10


async def test_update_bumps_date_modified_and_changes_status(
    https: httpx.AsyncClient, product_payload: Payload, sandbox: WooSandbox
) -> None:
    product = await _product(https, product_payload)
    order = await _order(https, {"line_items": [{"product_id": product["id"], "quantity": 1}]})
    with sandbox.store.transaction() as tx:  # age the order so the bump is visible
        row = tx.get("order", order["id"])
        assert row is not None
        row.data["date_modified_gmt"] = row.data["date_modified"] = "2020-01-01T00:00:00"
        tx.put(
            "order",
            row.id,
            row.data,
            row.internal,
            status=row.data["status"],
            customer_id=0,
            created=row.data["date_created_gmt"],
            modified="2020-01-01T00:00:00",
        )
    updated = await https.put(f"/orders/{order['id']}", json={"status": "completed", "customer_note": "ok"})
    body = updated.json()
    assert updated.status_code == 200
    assert body["status"] == "completed"
    assert body["customer_note"] == "ok"
    assert body["date_modified_gmt"] > "2020-01-01T00:00:00"
    assert body["date_completed"] is not None


async def test_unknown_order_and_missing_product_reference(https: httpx.AsyncClient) -> None:
    missing = await https.get("/orders/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    bad = await https.post("/orders", json={"line_items": [{"quantity": 2}]})
    assert bad.status_code == 400
    assert bad.json()["code"] == "woocommerce_rest_required_product_reference"


async def test_delete_trashes_then_force_deletes(https: httpx.AsyncClient, product_payload: Payload) -> None:
    product = await _product(https, product_payload)
    order = await _order(https, {"line_items": [{"product_id": product["id"]}]})
    trashed = await https.delete(f"/orders/{order['id']}")
    assert trashed.json()["status"] == "trash"
    assert (await https.get("/orders")).headers["X-WP-Total"] == "0"
    assert (await https.get("/orders", params={"status": "trash"})).headers["X-WP-Total"] == "1"
    gone = await https.delete(f"/orders/{order['id']}", params={"force": "true"})
    assert gone.status_code == 200
    assert (await https.get(f"/orders/{order['id']}")).status_code == 404


async def _many_orders(https: httpx.AsyncClient, product_payload: Payload, count: int) -> list[int]:
    product = await _product(https, product_payload, sku="BULK", stock=1000)
    response = await https.post(
        "/orders/batch",
        json={"create": [{"line_items": [{"product_id": product["id"]}], "status": "processing"}] * count},
    )
    assert response.status_code == 200
    return [item["id"] for item in response.json()["create"]]


async def test_paging_headers_and_links(https: httpx.AsyncClient, product_payload: Payload) -> None:
    ids = await _many_orders(https, product_payload, 7)
    first = await https.get("/orders", params={"per_page": 3})
    assert first.headers["X-WP-Total"] == "7"
    assert first.headers["X-WP-TotalPages"] == "3"
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    assert 'rel="prev"' not in first.headers["Link"]
    middle = await https.get("/orders", params={"per_page": 3, "page": 2})
    assert 'rel="prev"' in middle.headers["Link"] and 'rel="next"' in middle.headers["Link"]
    collected = []
    for page in (1, 2, 3):
        collected += [
            o["id"] for o in (await https.get("/orders", params={"per_page": 3, "page": page})).json()
        ]
    assert sorted(collected) == sorted(ids)
    offset = await https.get("/orders", params={"per_page": 2, "offset": 5, "orderby": "id", "order": "asc"})
    assert [o["id"] for o in offset.json()] == sorted(ids)[5:7]


async def test_past_the_last_page(https: httpx.AsyncClient, product_payload: Payload) -> None:
    await _many_orders(https, product_payload, 3)
    beyond = await https.get("/orders", params={"per_page": 2, "page": 5})
    assert beyond.status_code == 200
    assert beyond.json() == []
    assert beyond.headers["X-WP-Total"] == "0"  # orders report no total past the end (observed)
    assert 'rel="prev"' in beyond.headers["Link"] and "page=0" in beyond.headers["Link"]
    products = await https.get("/products", params={"per_page": 2, "page": 5})
    assert products.json() == []
    assert products.headers["X-WP-Total"] == "1"  # products keep the real total


async def test_per_page_over_100_is_a_400(https: httpx.AsyncClient) -> None:
    response = await https.get("/orders", params={"per_page": 101})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["data"]["params"]["per_page"] == "per_page must be between 1 (inclusive) and 100 (inclusive)"
    assert (await https.get("/orders", params={"per_page": 100})).status_code == 200
    assert (await https.get("/orders", params={"per_page": 0})).status_code == 400
    assert (await https.get("/orders", params={"order": "sideways"})).status_code == 400


async def test_orderby_and_order(
    https: httpx.AsyncClient, product_payload: Payload, sandbox: WooSandbox
) -> None:
    ids = await _many_orders(https, product_payload, 4)
    asc = await https.get("/orders", params={"orderby": "id", "order": "asc"})
    assert [o["id"] for o in asc.json()] == sorted(ids)
    desc = await https.get("/orders", params={"orderby": "id", "order": "desc"})
    assert [o["id"] for o in desc.json()] == sorted(ids, reverse=True)
    include = await https.get(
        "/orders", params={"include": f"{ids[2]},{ids[0]}", "orderby": "include", "order": "asc"}
    )
    assert [o["id"] for o in include.json()] == [ids[2], ids[0]]
    # touch the oldest order: ordered by modification it comes last in ascending order
    await https.put(f"/orders/{ids[0]}", json={"customer_note": "changed"})
    _backdate(sandbox, ids[1:], "2021-01-01T00:00:00")
    by_modified = await https.get("/orders", params={"orderby": "modified", "order": "asc"})
    assert by_modified.json()[-1]["id"] == ids[0]


def _backdate(sandbox: WooSandbox, ids: list[int], stamp: str) -> None:
    with sandbox.store.transaction() as tx:
        for order_id in ids:
            row = tx.get("order", order_id)
            assert row is not None
            row.data["date_modified"] = row.data["date_modified_gmt"] = stamp
            tx.put(
                "order",
                order_id,
                row.data,
                row.internal,
                status=row.data["status"],
                customer_id=0,
                created=row.data["date_created_gmt"],
                modified=stamp,
            )


async def test_modified_after_filter_with_dates_are_gmt(
    https: httpx.AsyncClient, product_payload: Payload, sandbox: WooSandbox
) -> None:
    ids = await _many_orders(https, product_payload, 3)
    _backdate(sandbox, ids[:2], "2021-06-01T12:00:00")
    recent = await https.get(
        "/orders", params={"modified_after": "2021-06-02T00:00:00", "dates_are_gmt": "true"}
    )
    assert [o["id"] for o in recent.json()] == [ids[2]]
    both = await https.get(
        "/orders", params={"modified_after": "2021-06-01T11:59:59", "dates_are_gmt": "true"}
    )
    assert sorted(o["id"] for o in both.json()) == sorted(ids)
    # An offset is honoured: 13:30+02:00 is 11:30 UTC, before the back-dated modification.
    offset = await https.get("/orders", params={"modified_after": "2021-06-01T13:30:00+02:00"})
    assert len(offset.json()) == 3
    before = await https.get(
        "/orders", params={"modified_before": "2021-06-02T00:00:00", "dates_are_gmt": "1"}
    )
    assert sorted(o["id"] for o in before.json()) == sorted(ids[:2])
    assert (await https.get("/orders", params={"modified_after": "yesterday"})).status_code == 400


async def test_status_and_customer_filters(https: httpx.AsyncClient, product_payload: Payload) -> None:
    product = await _product(https, product_payload)
    customer = (await https.post("/customers", json={"email": "c@example.com"})).json()
    mine = await _order(
        https,
        {"customer_id": customer["id"], "line_items": [{"product_id": product["id"]}], "status": "on-hold"},
    )
    await _order(https, {"line_items": [{"product_id": product["id"]}]})
    assert [o["id"] for o in (await https.get("/orders", params={"customer": customer["id"]})).json()] == [
        mine["id"]
    ]
    held = await https.get("/orders", params={"status": "on-hold,completed"})
    assert [o["id"] for o in held.json()] == [mine["id"]]
    assert (await https.get("/orders", params={"status": "shipped"})).status_code == 400


async def test_batch_limit_is_413(https: httpx.AsyncClient) -> None:
    response = await https.post("/orders/batch", json={"create": [{}] * 60, "delete": list(range(1, 42))})
    assert response.status_code == 413
    assert response.json()["code"] == "woocommerce_rest_request_entity_too_large"


async def test_batch_reports_item_errors_inline(https: httpx.AsyncClient, product_payload: Payload) -> None:
    product = await _product(https, product_payload)
    existing = await _order(https, {"line_items": [{"product_id": product["id"]}]})
    response = await https.post(
        "/orders/batch",
        json={
            "create": [{"line_items": [{"product_id": product["id"]}]}, {"line_items": [{"quantity": 1}]}],
            "update": [{"id": existing["id"], "status": "completed"}, {"id": 987654, "status": "completed"}],
            "delete": [987655],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["create"][0]["id"] > 0
    assert body["create"][1]["id"] == 0
    assert body["create"][1]["error"]["code"] == "woocommerce_rest_required_product_reference"
    assert body["update"][0]["status"] == "completed"
    assert body["update"][1]["error"] == {
        "code": "woocommerce_rest_shop_order_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 400},
    }
    assert body["delete"][0]["error"]["data"]["status"] == 404


async def test_product_sku_lookup_and_uniqueness(https: httpx.AsyncClient, product_payload: Payload) -> None:
    await _product(https, product_payload, sku="ABC-1")
    await _product(https, product_payload, sku="ABC-2")
    found = await https.get("/products", params={"sku": "ABC-2"})
    assert [p["sku"] for p in found.json()] == ["ABC-2"]
    assert found.headers["X-WP-Total"] == "1"
    assert (await https.get("/products", params={"sku": "ABC"})).json() == []
    duplicate = await https.post("/products", json=product_payload(sku="ABC-1"))
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "product_invalid_sku"
    updated = await https.put(f"/products/{found.json()[0]['id']}", json={"sale_price": "7.00"})
    assert updated.json()["price"] == "7.00" and updated.json()["on_sale"] is True


async def test_customers_email_unique_and_filter(
    https: httpx.AsyncClient, us_address: dict[str, str]
) -> None:
    created = await https.post(
        "/customers", json={"email": "Jo@Example.com", "first_name": "Jo", "billing": us_address}
    )
    assert created.status_code == 201
    assert created.json()["username"] == "jo"
    again = await https.post("/customers", json={"email": "jo@example.com"})
    assert again.status_code == 400
    assert again.json()["code"] == "registration-error-email-exists"
    listed = await https.get("/customers", params={"email": "jo@example.com"})
    assert [c["id"] for c in listed.json()] == [created.json()["id"]]
    assert listed.headers["X-WP-Total"] == "1"
    assert (await https.get(f"/customers/{created.json()['id']}")).json()["billing"]["city"] == "Austin"
    assert (await https.get("/customers/424242")).status_code == 404


async def test_money_values_are_two_decimal_strings(
    https: httpx.AsyncClient, product_payload: Payload
) -> None:
    product = await _product(https, product_payload, price="3.3")
    order = await _order(
        https,
        {
            "line_items": [{"product_id": product["id"], "quantity": 3}],
            "fee_lines": [{"name": "Gift wrap", "total": "1.5", "tax_status": "none"}],
        },
    )
    for key in (
        "discount_total",
        "discount_tax",
        "shipping_total",
        "shipping_tax",
        "cart_tax",
        "total",
        "total_tax",
    ):
        assert isinstance(order[key], str) and Decimal(order[key]).as_tuple().exponent == -2, key
    assert order["line_items"][0]["subtotal"] == "9.90"
    assert order["fee_lines"][0]["total"] == "1.50"
    assert order["total"] == "11.40"  # no billing country, so no tax


async def test_index_routes(https: httpx.AsyncClient, app: object) -> None:
    index = await https.get("")
    assert index.status_code == 200
    assert "/wc/v3/orders" in index.json()["routes"]
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8702") as client:
        root = await client.get("/wp-json/")
        assert root.status_code == 200 and "wc/v3" in root.json()["namespaces"]
        missing = await client.get("/wp-json/wc/v3/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "rest_no_route"


async def test_latency_setting_delays_every_response(tmp_path: Path) -> None:
    app = create_app(tmp_path / "slow.sqlite", WooSandboxSettings(latency_seconds=0.2))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8702"
    ) as client:
        started = time.monotonic()
        response = await client.get("/wp-json/wc/v3/orders")
        elapsed = time.monotonic() - started
    assert response.status_code == 401
    assert elapsed >= 0.2
