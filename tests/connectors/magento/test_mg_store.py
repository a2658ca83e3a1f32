"""MagentoStore as a StoreConnector: delta pages that skip nothing, single orders, and no webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledgerlink.connectors.magento.search import SearchCriteria
from ledgerlink.connectors.magento.store import MagentoStore, window_criteria
from ledgerlink.connectors.store import StoreConnector, WebhookRejected
from ledgerlink.sandbox.magento.orders import ORDER
from ledgerlink.sandbox.magento.state import StateStore

pytestmark = pytest.mark.usefixtures("seeded")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def later(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def modify(state_path: Path, order_ids: list[int]) -> None:
    """Change orders as the store would: their updated_at moves past the window's end."""
    with StateStore(state_path).transaction() as tx:
        for order_id in order_ids:
            order = tx.get(ORDER, order_id)
            assert order is not None
            order["updated_at"] = later(30)
            tx.put(ORDER, order_id, order)


async def test_store_satisfies_the_protocol(store: MagentoStore) -> None:
    connector: StoreConnector = store
    assert connector.name == "magento"
    assert store.supports_webhooks is False
    assert await store.ensure_webhooks("http://console.test/webhooks/magento", ["order.created"]) == []
    with pytest.raises(WebhookRejected, match="polled"):
        store.parse_webhook({}, b"{}")


async def test_order_pages_returns_every_order_in_the_window(store: MagentoStore) -> None:
    before = datetime.now(UTC) + timedelta(seconds=1)
    seen = [o.source_id async for page in store.order_pages(EPOCH, before) for o in page]
    assert sorted(map(int, seen)) == list(range(1, 31))


async def test_order_pages_skips_nothing_when_orders_change_during_the_walk(
    store: MagentoStore, state_path: Path
) -> None:
    before = datetime.now(UTC) + timedelta(seconds=1)
    seen: list[int] = []
    pages = 0
    async for page in store.order_pages(EPOCH, before):
        seen += [int(o.source_id) for o in page]
        pages += 1
        if pages == 2:
            modify(state_path, [1, 2, 3, 9, 10])  # low ids leave: later orders shift towards page 1
    changed = {1, 2, 3, 9, 10}
    assert set(range(1, 31)) - changed <= set(seen)


async def test_a_forward_walk_would_have_skipped_orders(store: MagentoStore, state_path: Path) -> None:
    """Shows the backwards walk is needed: the same change during a forward read loses orders."""
    criteria = window_criteria(EPOCH, datetime.now(UTC) + timedelta(seconds=1))
    seen: list[int] = []
    for page in range(1, 9):
        result = await store.client.search_orders(criteria.with_page(page, 4))
        seen += [int(o["entity_id"]) for o in result.items]
        if page == 1:
            modify(state_path, [1, 2, 3])
        if result.is_last_page(page, 4):
            break
    assert not set(range(4, 31)) <= set(seen)


async def test_order_pages_keeps_to_the_window(store: MagentoStore) -> None:
    everything = await store.client.search_orders(SearchCriteria(sort_orders=(("updated_at", "ASC"),)))
    times = sorted({o["updated_at"] for o in everything.items})
    middle = datetime.fromisoformat(times[len(times) // 2]).replace(tzinfo=UTC)
    seen = [o async for page in store.order_pages(middle, datetime.now(UTC)) for o in page]
    assert seen and all(middle <= o.modified_at for o in seen)
    expected = [o for o in everything.items if o["updated_at"] >= times[len(times) // 2]]
    assert len({o.source_id for o in seen}) == len(expected)


async def test_get_order_translates(store: MagentoStore) -> None:
    order = await store.get_order("5")
    assert order.source == "magento"
    assert order.source_id == "5"
    assert order.computed_total() == order.total
