"""The client against both backends: tokens, reads, queries, cursor walks and versioned updates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ledgerlink.engine.problems import Code, ProblemError

from .conftest import Backend, create_product, import_order


async def _catalog(backend: Backend) -> None:
    client = backend.client()
    for sku in ("SKU-0001", "SKU-0002"):
        await create_product(client, sku)


async def test_token_is_fetched_once_and_reused(backend: Backend) -> None:
    await _catalog(backend)
    client = backend.client()
    await client.query("orders", limit=1)
    await client.query("orders", limit=1)
    assert client.tokens.fetches == 1


async def test_read_and_translate(backend: Backend) -> None:
    await _catalog(backend)
    client = backend.client()
    created = await import_order(client, "N-1", [("SKU-0001", 1000, 2), ("SKU-0002", 250, 1)], tax_cents=428)
    order = await backend.store().get_order(created["id"])
    assert order.number == "N-1"
    assert [line.sku for line in order.lines] == ["SKU-0001", "SKU-0002"]
    assert str(order.total.amount) == "26.78"
    assert order.computed_total() == order.total
    assert order.status == "processing"


async def test_query_with_a_predicate(backend: Backend) -> None:
    await _catalog(backend)
    client = backend.client()
    for number in ("A-1", "A-2", "A-3"):
        await import_order(client, number, [("SKU-0001", 500, 1)])
    page = await client.query("orders", where='orderNumber = "A-2"', limit=10)
    assert [o["orderNumber"] for o in page.results] == ["A-2"]


async def test_walk_pages_every_order_once(backend: Backend) -> None:
    await _catalog(backend)
    client = backend.client()
    created = [(await import_order(client, f"W-{n}", [("SKU-0001", 500, 1)]))["id"] for n in range(7)]
    seen = [order["id"] async for page in client.walk("orders", limit=2) for order in page]
    assert sorted(seen) == sorted(created)


async def test_store_pages_by_modification_window(backend: Backend) -> None:
    await _catalog(backend)
    client = backend.client()
    start = datetime.now(UTC) - timedelta(seconds=5)
    created = {(await import_order(client, f"P-{n}", [("SKU-0002", 300, 2)]))["id"] for n in range(5)}
    store = backend.store(page_size=2)
    end = datetime.now(UTC) + timedelta(seconds=5)
    seen = [order.source_id async for page in store.order_pages(start, end) for order in page]
    assert set(seen) == created


async def test_update_rereads_after_a_concurrent_change(backend: Backend) -> None:
    await _catalog(backend)
    ours, theirs = backend.client(), backend.client()
    order = await import_order(ours, "C-1", [("SKU-0001", 1000, 1)])
    await theirs.update(
        "orders", order["id"], order["version"], [{"action": "changeShipmentState", "shipmentState": "Ready"}]
    )
    updated = await ours.update(
        "orders", order["id"], order["version"], [{"action": "changeOrderState", "orderState": "Complete"}]
    )
    assert updated["orderState"] == "Complete"
    assert updated["shipmentState"] == "Ready"
    assert updated["version"] == order["version"] + 2


async def test_unknown_order_is_record_not_found(backend: Backend) -> None:
    await _catalog(backend)
    with pytest.raises(ProblemError) as raised:
        await backend.client().get_order(str(uuid.uuid4()))
    assert raised.value.problem.code == Code.RECORD_NOT_FOUND


async def test_conflicts_beyond_the_attempts_are_transient(backend: Backend) -> None:
    from ledgerlink.connectors.commercetools.client import CommercetoolsClient

    await _catalog(backend)
    writer = backend.client()
    order = await import_order(writer, "C-2", [("SKU-0002", 700, 1)])
    await writer.update(
        "orders", order["id"], 1, [{"action": "changeShipmentState", "shipmentState": "Ready"}]
    )
    impatient = CommercetoolsClient(
        backend.connection(), transport=backend.transport_factory(), update_attempts=1
    )
    backend.closers.append(impatient)
    with pytest.raises(ProblemError) as raised:
        await impatient.update(
            "orders", order["id"], 1, [{"action": "changeOrderState", "orderState": "Complete"}]
        )
    problem = raised.value.problem
    assert problem.transient
    assert problem.details["status"] == 409
    assert problem.details["current_version"] == 2
