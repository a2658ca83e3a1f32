"""Cursor paging: no order is skipped when orders change during the walk; stores limit what is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ledgerlink.connectors.commercetools.query import Cursor, ct_time, modified_between
from ledgerlink.sandbox.commercetools.app import CommercetoolsSandbox
from ledgerlink.sandbox.commercetools.seed import seed_orders
from ledgerlink.sandbox.seeding import known_skus

from .conftest import Backend

WINDOW_START = datetime(2000, 1, 1, tzinfo=UTC)


def _state(backend: Backend) -> Path:
    assert backend.app is not None
    sandbox: CommercetoolsSandbox = backend.app.state.sandbox
    return sandbox.store.path


async def test_orders_modified_during_the_walk_are_not_skipped(sandbox: Backend) -> None:
    ids = seed_orders(_state(sandbox), 12, skus=known_skus(4))
    store = sandbox.store(page_size=3)
    writer = sandbox.client()
    seen: list[str] = []
    end = datetime.now(UTC) + timedelta(hours=1)
    async for page in store.order_pages(WINDOW_START, end):
        seen += [order.source_id for order in page]
        if len(seen) == 3:
            # Move orders already read, and one not read yet, to the end of the sort order: with offset
            # paging every later order would shift back and one would be skipped.
            for order_id in [seen[0], seen[1], ids[-4]]:
                await writer.update(
                    "orders", order_id, None, [{"action": "changeShipmentState", "shipmentState": "Delayed"}]
                )
    assert set(seen) == set(ids)
    assert len(seen) == len(ids) + 2  # the two orders read before they changed come again


async def test_window_bounds_are_exact(sandbox: Backend) -> None:
    ids = seed_orders(_state(sandbox), 8, skus=known_skus(3))
    client = sandbox.client()
    orders = sorted(
        [
            (o["lastModifiedAt"], o["id"])
            for page in [await client.query("orders", limit=500)]
            for o in page.results
        ]
    )
    middle = datetime.fromisoformat(orders[4][0].replace("Z", "+00:00"))
    store = sandbox.store(page_size=2)
    before = [o.source_id async for page in store.order_pages(WINDOW_START, middle) for o in page]
    after = [o.source_id async for page in store.order_pages(middle, datetime.now(UTC)) for o in page]
    assert sorted(before + after) == sorted(ids)
    assert orders[4][1] in after and orders[4][1] not in before


async def test_store_key_reads_only_that_store(sandbox: Backend) -> None:
    mine = seed_orders(_state(sandbox), 3, skus=known_skus(2), store_key="sandbox-store")
    seed_orders(_state(sandbox), 3, skus=known_skus(2), store_key=None, rng_seed=11)
    store = sandbox.store(store_key="sandbox-store")
    seen = [o.source_id async for page in store.order_pages(WINDOW_START, datetime.now(UTC)) for o in page]
    assert sorted(seen) == sorted(mine)


def test_cursor_predicate_and_times() -> None:
    cursor = Cursor("2024-01-02T03:04:05.678Z", 'a"b')
    assert cursor.predicate() == (
        'lastModifiedAt > "2024-01-02T03:04:05.678Z" or '
        '(lastModifiedAt = "2024-01-02T03:04:05.678Z" and id > "a\\"b")'
    )
    moment = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert ct_time(moment) == "2024-01-02T03:04:05.678Z"
    assert modified_between(moment, moment + timedelta(microseconds=1)) == (
        'lastModifiedAt >= "2024-01-02T03:04:05.678Z" and lastModifiedAt < "2024-01-02T03:04:05.679Z"'
    )


async def test_a_server_ignoring_the_cursor_does_not_loop(sandbox: Backend) -> None:
    import httpx
    import pytest

    from ledgerlink.connectors.commercetools.client import CommercetoolsClient
    from ledgerlink.engine.problems import Code, ProblemError

    seed_orders(_state(sandbox), 4, skus=known_skus(2))

    class DropWhere(httpx.AsyncBaseTransport):
        """Forwards requests without their ``where`` parameters, as a broken proxy might."""

        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            params = [(k, v) for k, v in request.url.params.multi_items() if k != "where"]
            request.url = request.url.copy_with(params=params)
            return await self.inner.handle_async_request(request)

    client = CommercetoolsClient(sandbox.connection(), transport=DropWhere(sandbox.transport_factory()))
    sandbox.closers.append(client)
    with pytest.raises(ProblemError) as raised:
        async for _ in client.walk("orders", limit=2):
            pass
    assert raised.value.problem.code == Code.BAD_RESPONSE
