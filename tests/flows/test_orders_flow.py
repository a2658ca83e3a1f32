"""Store orders reach NetSuite as sales orders, exactly once, whatever triggers them and however often."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from tests.flows.conftest import Sandbox

from ledgerlink.connectors.netsuite.translate import external_id
from ledgerlink.operations import reconcile_orders
from ledgerlink.store.tables import jobs, webhook_events


async def store_totals(sandbox: Sandbox, order_ids: list[int]) -> dict[str, Decimal]:
    client = sandbox.runtime.stores["woo"].client  # type: ignore[attr-defined]
    totals = {}
    for order_id in order_ids:
        order = await client.get_order(order_id)
        if order["status"] in ("processing", "completed", "on-hold"):
            totals[external_id("woo", "order", str(order_id))] = Decimal(order["total"])
    return totals


async def test_a_delta_sync_writes_one_sales_order_per_order_with_equal_totals(sandbox: Sandbox) -> None:
    order_ids = sandbox.seed_orders(25)
    stats = await sandbox.sync()
    assert stats.failed == 0
    expected = await store_totals(sandbox, order_ids)
    assert expected, "the seed should produce orders in synced statuses"
    assert await sandbox.sales_orders() == expected
    report = await reconcile_orders(sandbox.runtime)
    assert report.agrees and report.found == len(expected)


async def test_a_second_sync_creates_nothing(sandbox: Sandbox) -> None:
    sandbox.seed_orders(10)
    await sandbox.sync()
    before = await sandbox.sales_orders()
    await sandbox.sync()  # the cursor overlap re-reads the boundary; links skip what is unchanged
    await sandbox.sync(flow="woo", record_id=next(iter(before)).rsplit("-", 1)[1])
    assert await sandbox.sales_orders() == before


async def test_new_customers_are_created_once_and_reused(sandbox: Sandbox) -> None:
    sandbox.seed_orders(20)
    await sandbox.sync()
    customers = sandbox.runtime.links.all("customer")
    assert customers, "orders from new buyers create NetSuite customers"
    internal_ids = [c.target_id for c in customers]
    assert len(internal_ids) == len(set(internal_ids))
    rows = [
        r
        async for r in sandbox.netsuite.suiteql(
            "SELECT externalid, COUNT(*) AS n FROM customer WHERE externalid IS NOT NULL GROUP BY externalid"
        )
    ]
    assert all(int(r["n"]) == 1 for r in rows)


async def test_one_order_by_id(sandbox: Sandbox) -> None:
    order_ids = sandbox.seed_orders(5)
    target = order_ids[2]
    await sandbox.sync(flow="woo", record_id=str(target))
    held = await sandbox.sales_orders()
    assert set(held) <= {external_id("woo", "order", str(target))}


async def test_an_unknown_sku_is_a_problem_with_its_fix_and_retry_brings_it_through(sandbox: Sandbox) -> None:
    [odd] = sandbox.seed_orders(1, skus=["NEW-0001"], rng_seed=3)
    await sandbox.sync()
    [failed] = sandbox.runtime.queue.find(states=["failed"])
    assert failed.problem is not None
    assert failed.problem["code"] == "SKU_NOT_FOUND"
    assert "NEW-0001" in failed.problem["why"] and "NEW-0001" in failed.problem["fix"]
    assert external_id("woo", "order", str(odd)) not in await sandbox.sales_orders()

    await sandbox.netsuite.create("inventoryItem", {"itemId": "NEW-0001", "displayName": "New product"})
    sandbox.runtime.erps["netsuite"]._items.clear()
    assert sandbox.runtime.queue.retry([failed.id]) == 1
    await sandbox.work()
    assert external_id("woo", "order", str(odd)) in await sandbox.sales_orders()
    assert sandbox.runtime.queue.get(failed.id).state == "done"  # type: ignore[union-attr]


async def create_store_order(sandbox: Sandbox, sku_index: int = 1, quantity: int = 2) -> dict[str, Any]:
    client = sandbox.runtime.stores["woo"].client  # type: ignore[attr-defined]
    [product] = await client.find_products_by_sku(f"SKU-{sku_index:04d}")
    body = {
        "status": "processing",
        "set_paid": True,
        "billing": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": f"ada{sku_index}@example.com",
            "address_1": "1 Analytical St",
            "city": "London",
            "postcode": "N1 1AA",
            "country": "GB",
        },
        "line_items": [{"product_id": product["id"], "quantity": quantity}],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}],
    }
    response = await client.request("POST", "orders", json=body)
    return response.json()  # type: ignore[no-any-return]


async def test_webhooks_delivered_twice_and_out_of_order_create_nothing_new(sandbox: Sandbox) -> None:
    [flow] = sandbox.runtime.flows_from("woo")
    await flow.ensure_webhooks(None)  # type: ignore[arg-type]
    created = [await create_store_order(sandbox, n) for n in (1, 2, 3)]
    dispatcher = sandbox.woo_app.state.sandbox.webhooks
    await dispatcher.drain()
    deliveries = [d for d in dispatcher.sent() if d.kind == "delivery"]
    assert {d.resource_id for d in deliveries} >= {o["id"] for o in created}
    assert all(d.succeeded for d in deliveries)
    await sandbox.work()
    first = await sandbox.sales_orders()
    assert set(first) == {external_id("woo", "order", str(o["id"])) for o in created}

    replay = deliveries * 2
    random.Random(5).shuffle(replay)
    for delivery in replay:
        response = await sandbox.console.post(
            "/webhooks/woo", content=delivery.body, headers=delivery.headers
        )
        assert response.status_code == 200
    await sandbox.work()
    assert await sandbox.sales_orders() == first


async def test_a_bad_signature_is_refused_and_nothing_is_stored(sandbox: Sandbox) -> None:
    body = b'{"id": 1, "date_modified_gmt": "2026-11-20T10:00:00"}'
    headers = {
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "updated",
        "X-WC-Webhook-Signature": "bm90IGEgc2lnbmF0dXJl",
        "X-WC-Webhook-Delivery-ID": "9",
        "Content-Type": "application/json",
    }
    response = await sandbox.console.post("/webhooks/woo", content=body, headers=headers)
    assert response.status_code == 401
    with sandbox.runtime.engine.connect() as db:
        assert db.execute(select(func.count()).select_from(webhook_events)).scalar() == 0
        assert db.execute(select(func.count()).select_from(jobs)).scalar() == 0


async def test_the_store_ping_is_answered_2xx(sandbox: Sandbox) -> None:
    response = await sandbox.console.post(
        "/webhooks/woo",
        content=b"webhook_id=7",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert sandbox.runtime.queue.counts()["queued"] == 0


async def test_disabled_webhooks_are_enabled_again(sandbox: Sandbox) -> None:
    [flow] = sandbox.runtime.flows_from("woo")
    await flow.ensure_webhooks(None)  # type: ignore[arg-type]
    client = sandbox.runtime.stores["woo"].client  # type: ignore[attr-defined]
    hooks = await client.list_webhooks()
    await client.update_webhook(hooks[0]["id"], status="disabled")
    result = await flow.ensure_webhooks(None)  # type: ignore[arg-type]
    actions = {w["topic"]: w["action"] for w in result.result["webhooks"]}
    assert "reactivated" in actions.values()
    assert all(h["status"] == "active" for h in await client.list_webhooks())


async def test_orders_missed_by_webhooks_are_caught_by_the_delta_read(sandbox: Sandbox) -> None:
    [flow] = sandbox.runtime.flows_from("woo")
    await flow.ensure_webhooks(None)  # type: ignore[arg-type]
    dispatcher = sandbox.woo_app.state.sandbox.webhooks
    dispatcher.drop_next(10)
    created = await create_store_order(sandbox, 4)
    await dispatcher.drain()
    await sandbox.work()
    assert await sandbox.sales_orders() == {}
    await sandbox.sync()
    assert external_id("woo", "order", str(created["id"])) in await sandbox.sales_orders()
