"""Webhooks: ping on create, signed background deliveries, failure counting, loss and reactivation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ledgerlink.sandbox.woocommerce import webhooks
from ledgerlink.sandbox.woocommerce.app import WooSandbox, create_app
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings


async def _webhook(
    https: httpx.AsyncClient, topic: str, secret: str = "s3cret", **extra: Any
) -> dict[str, Any]:
    response = await https.post(
        "/webhooks",
        json={
            "name": topic,
            "topic": topic,
            "delivery_url": "http://receiver.test/hook",
            "secret": secret,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _order(https: httpx.AsyncClient) -> dict[str, Any]:
    product = (await https.post("/products", json={"name": "P", "regular_price": "4.00"})).json()
    response = await https.post(
        "/orders", json={"line_items": [{"product_id": product["id"], "quantity": 2}]}
    )
    assert response.status_code == 201
    return dict(response.json())


def _client(app: Starlette, settings: WooSandboxSettings) -> httpx.AsyncClient:
    """A REST client of an emulator built here with settings of its own."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="https://127.0.0.1:8702/wp-json/wc/v3",
        auth=(settings.consumer_key, settings.consumer_secret),
    )


async def test_create_sends_an_unsigned_form_encoded_ping(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    hook = await _webhook(https, "order.created")
    assert hook["status"] == "active"
    assert hook["resource"] == "order" and hook["event"] == "created"
    assert hook["hooks"] == ["woocommerce_new_order"]
    assert "secret" not in hook  # it can be set, never read (FACTS §7)
    [ping] = receiver.requests
    assert ping.body == f"webhook_id={hook['id']}".encode()
    assert ping.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert "x-wc-webhook-signature" not in ping.headers
    assert ping.headers["user-agent"].startswith("WooCommerce/9.9.5 Hookshot (WordPress/")
    assert sandbox.webhooks.deliveries[0].kind == "ping"
    # nor on GET, nor with context=edit; deliveries are still signed with it
    assert "secret" not in (await https.get(f"/webhooks/{hook['id']}")).json()
    assert "secret" not in (await https.get(f"/webhooks/{hook['id']}", params={"context": "edit"})).json()


async def test_order_create_and_update_are_delivered_signed(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    created_hook = await _webhook(https, "order.created")
    updated_hook = await _webhook(https, "order.updated", secret="other-secret")
    receiver.requests.clear()
    order = await _order(https)
    await sandbox.webhooks.drain()
    await https.put(f"/orders/{order['id']}", json={"status": "completed"})
    await sandbox.webhooks.drain()

    # the create is delivered as order.created and order.updated; the PUT as one more order.updated
    topics = [r.headers["x-wc-webhook-topic"] for r in receiver.requests]
    assert topics == ["order.created", "order.updated", "order.updated"]
    created, _, updated = receiver.requests
    expected = base64.b64encode(hmac.new(b"s3cret", created.body, hashlib.sha256).digest()).decode()
    assert created.headers["x-wc-webhook-signature"] == expected
    assert created.headers["x-wc-webhook-id"] == str(created_hook["id"])
    assert created.headers["x-wc-webhook-resource"] == "order"
    assert created.headers["x-wc-webhook-event"] == "created"
    assert created.headers["x-wc-webhook-source"] == "http://127.0.0.1:8702/"
    assert len(created.headers["x-wc-webhook-delivery-id"]) >= 16
    assert created.headers["content-type"] == "application/json"
    payload = json.loads(created.body)
    assert payload["id"] == order["id"]
    assert b"\\/" in created.body  # encoded like wp_json_encode: escaped slashes
    other = base64.b64encode(hmac.new(b"other-secret", updated.body, hashlib.sha256).digest()).decode()
    assert updated.headers["x-wc-webhook-signature"] == other
    assert updated.headers["x-wc-webhook-id"] == str(updated_hook["id"])
    assert json.loads(updated.body)["status"] == "completed"
    # a re-encoded body no longer matches the signature: receivers must verify the raw bytes
    reencoded = json.dumps(json.loads(created.body)).encode()
    assert base64.b64encode(hmac.new(b"s3cret", reencoded, hashlib.sha256).digest()).decode() != expected


async def test_a_created_order_is_delivered_as_created_then_updated(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    """A real 9.9.5 store fires both topics for one REST-created order, same body, ~50 ms apart
    (FACTS.md §7): a receiver sees the second delivery while it may still be handling the first."""
    await _webhook(https, "order.created")
    await _webhook(https, "order.updated")  # the same secret, as one integration registers both
    receiver.requests.clear()
    order = await _order(https)
    await sandbox.webhooks.drain()

    first, second = receiver.requests
    assert first.headers["x-wc-webhook-topic"] == "order.created"
    assert second.headers["x-wc-webhook-topic"] == "order.updated"
    assert (first.headers["x-wc-webhook-event"], second.headers["x-wc-webhook-event"]) == (
        "created",
        "updated",
    )
    assert first.body == second.body
    assert json.loads(first.body)["id"] == order["id"]
    assert first.headers["x-wc-webhook-signature"] == second.headers["x-wc-webhook-signature"]
    assert first.headers["x-wc-webhook-delivery-id"] != second.headers["x-wc-webhook-delivery-id"]
    assert first.headers["x-wc-webhook-id"] != second.headers["x-wc-webhook-id"]
    created, updated = sandbox.webhooks.sent()
    assert (created.topic, updated.topic) == ("order.created", "order.updated")
    assert created.resource_id == updated.resource_id == order["id"]
    assert created.attempted_at <= updated.attempted_at


async def test_the_gap_between_created_and_updated_is_a_setting(
    tmp_path: Path, receiver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert WooSandboxSettings().order_create_update_gap_seconds == 0.05
    settings = WooSandboxSettings(
        home_url="http://127.0.0.1:8702", webhook_delay_seconds=1.0, order_create_update_gap_seconds=0.3
    )
    app = create_app(
        tmp_path / "s.sqlite", settings, webhook_transport=httpx.ASGITransport(app=receiver.app())
    )
    sandbox: WooSandbox = app.state.sandbox
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(webhooks.asyncio, "sleep", no_wait)
    async with _client(app, settings) as client:
        await _webhook(client, "order.created")
        await _webhook(client, "order.updated")
        await _order(client)
        await sandbox.webhooks.drain()
    # the store's queueing delay for both, and the gap on top of it for the order.updated
    assert sorted(waits) == [1.0, 1.3]
    assert [d.topic for d in sandbox.webhooks.sent()] == ["order.created", "order.updated"]


async def test_deleted_topic_carries_only_the_id(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    await _webhook(https, "order.deleted")
    order = await _order(https)
    await https.delete(f"/orders/{order['id']}")
    await sandbox.webhooks.drain()
    assert json.loads(receiver.requests[-1].body) == {"id": order["id"]}


async def test_batch_changes_are_delivered(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    await _webhook(https, "order.created")
    product = (await https.post("/products", json={"name": "P", "regular_price": "1.00"})).json()
    await https.post("/orders/batch", json={"create": [{"line_items": [{"product_id": product["id"]}]}] * 5})
    await sandbox.webhooks.drain()
    assert len(sandbox.webhooks.sent(topic="order.created")) == 5


async def test_paused_webhook_gets_nothing(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    await _webhook(https, "order.created", status="paused")
    receiver.requests.clear()
    await _order(https)
    await sandbox.webhooks.drain()
    assert receiver.requests == []


async def test_deliveries_run_in_the_background_after_the_delay(tmp_path: Path, receiver: Any) -> None:
    settings = WooSandboxSettings(home_url="http://127.0.0.1:8702", webhook_delay_seconds=0.3)
    app = create_app(
        tmp_path / "s.sqlite", settings, webhook_transport=httpx.ASGITransport(app=receiver.app())
    )
    sandbox: WooSandbox = app.state.sandbox
    async with _client(app, settings) as client:
        await _webhook(client, "order.created")
        await _order(client)
        assert sandbox.webhooks.pending == 1
        assert sandbox.webhooks.sent() == []
        await sandbox.webhooks.drain()
    assert len(sandbox.webhooks.sent()) == 1


async def test_consecutive_failures_disable_and_put_reactivates(tmp_path: Path, receiver: Any) -> None:
    settings = WooSandboxSettings(home_url="http://127.0.0.1:8702", disable_after_failures=2)
    app: Starlette = create_app(
        tmp_path / "s.sqlite", settings, webhook_transport=httpx.ASGITransport(app=receiver.app())
    )
    sandbox: WooSandbox = app.state.sandbox
    async with _client(app, settings) as client:
        hook = await _webhook(client, "order.created")
        receiver.status = 500
        for expected_status in ("active", "active", "disabled"):
            await _order(client)
            await sandbox.webhooks.drain()
            assert (await client.get(f"/webhooks/{hook['id']}")).json()["status"] == expected_status
        assert sandbox.webhooks.failure_count(hook["id"]) == 3
        sent_before = len(sandbox.webhooks.sent())
        await _order(client)  # a disabled webhook is not delivered
        await sandbox.webhooks.drain()
        assert len(sandbox.webhooks.sent()) == sent_before

        receiver.status = 200
        reactivated = await client.put(f"/webhooks/{hook['id']}", json={"status": "active"})
        assert reactivated.json()["status"] == "active"
        await _order(client)
        await sandbox.webhooks.drain()
        assert sandbox.webhooks.sent()[-1].status_code == 200
        assert sandbox.webhooks.failure_count(hook["id"]) == 0

    # the disabled state was persisted: a new app on the same file sees the same statuses
    reopened = create_app(tmp_path / "s.sqlite", settings)
    with reopened.state.sandbox.store.transaction() as tx:
        row = tx.get("webhook", hook["id"])
    assert row is not None and row.data["status"] == "active"


async def test_connection_errors_count_as_failures(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    settings = WooSandboxSettings(home_url="http://127.0.0.1:8702", disable_after_failures=0)
    app = create_app(tmp_path / "s.sqlite", settings, webhook_transport=httpx.MockTransport(refuse))
    sandbox: WooSandbox = app.state.sandbox
    async with _client(app, settings) as client:
        hook = await _webhook(client, "order.created")
        assert sandbox.webhooks.deliveries[0].error is not None  # the ping failed, and did not count
        assert sandbox.webhooks.failure_count(hook["id"]) == 0
        await _order(client)
        await sandbox.webhooks.drain()
        assert (await client.get(f"/webhooks/{hook['id']}")).json()["status"] == "disabled"


async def test_dropped_delivery_is_logged_but_never_sent(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    hook = await _webhook(https, "order.created")
    receiver.requests.clear()
    sandbox.webhooks.drop_next(1, topic="order.created")
    lost = await _order(https)
    kept = await _order(https)
    await sandbox.webhooks.drain()
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [kept["id"]]
    dropped = [d for d in sandbox.webhooks.deliveries if d.dropped]
    assert [d.resource_id for d in dropped] == [lost["id"]]
    assert sandbox.webhooks.failure_count(hook["id"]) == 0


async def test_product_and_customer_topics(
    https: httpx.AsyncClient, receiver: Any, sandbox: WooSandbox
) -> None:
    await _webhook(https, "product.updated")
    await _webhook(https, "customer.created")
    product = (
        await https.post(
            "/products",
            json={"name": "Stocked", "regular_price": "2.00", "manage_stock": True, "stock_quantity": 5},
        )
    ).json()
    await https.post("/orders", json={"set_paid": True, "line_items": [{"product_id": product["id"]}]})
    customer = (await https.post("/customers", json={"email": "hook@example.com"})).json()
    await sandbox.webhooks.drain()
    product_payloads = [json.loads(d.body) for d in sandbox.webhooks.sent(topic="product.updated")]
    assert product_payloads[-1]["stock_quantity"] == 4  # the paid order moved the stock
    [customer_delivery] = sandbox.webhooks.sent(topic="customer.created")
    assert json.loads(customer_delivery.body)["id"] == customer["id"]


async def test_webhook_validation_and_crud(https: httpx.AsyncClient) -> None:
    bad_topic = await https.post(
        "/webhooks", json={"topic": "order.shipped", "delivery_url": "http://x.test/"}
    )
    assert bad_topic.status_code == 400
    assert bad_topic.json()["code"] == "woocommerce_rest_shop_webhook_invalid_topic"
    bad_url = await https.post("/webhooks", json={"topic": "order.created", "delivery_url": "ftp://x"})
    assert bad_url.json()["code"] == "woocommerce_rest_shop_webhook_invalid_delivery_url"
    hook = await _webhook(https, "order.created")
    listed = await https.get("/webhooks")
    assert listed.headers["X-WP-Total"] == "1"
    paused = await https.put(f"/webhooks/{hook['id']}", json={"status": "paused"})
    assert paused.json()["status"] == "paused"
    assert (await https.delete(f"/webhooks/{hook['id']}")).status_code == 501
    assert (await https.delete(f"/webhooks/{hook['id']}", params={"force": "true"})).status_code == 200
    assert (await https.get(f"/webhooks/{hook['id']}")).status_code == 404
