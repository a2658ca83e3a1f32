"""order_pages: every order in the window, even when orders change between page reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledgerlink.connectors.store import StoreConnector
from ledgerlink.connectors.woocommerce.client import WooCommerceClient
from ledgerlink.connectors.woocommerce.store import WooCommerceStore

BEFORE = datetime(2026, 11, 3, 12, 0, 0, tzinfo=UTC)
AFTER = BEFORE - timedelta(hours=1)
LATER = BEFORE + timedelta(minutes=5)  # "now": an order saved now leaves the window
ORDER_COUNT = 250  # three pages of 100


def stocked(fake_store_class: Any, registered_order: Any) -> Any:
    fake = fake_store_class()
    for index in range(ORDER_COUNT):
        fake.add_order(registered_order(1000 + index, AFTER + timedelta(seconds=10 + index)))
    return fake


def touch_after_read(fake: Any, read_number: int, position: int) -> int:
    """After the ``read_number``-th page answer, save the order now at ``position`` (0-based)."""
    order_id = sorted(fake.orders)[position]
    reads = 0

    def hook(page: int) -> None:
        nonlocal reads
        reads += 1
        if reads == read_number:
            fake.touch(order_id, LATER)

    fake.on_page_served = hook
    return order_id


async def read_all(store: StoreConnector) -> list[int]:
    seen: list[int] = []
    async for page in store.order_pages(AFTER, BEFORE):
        seen.extend(int(order.source_id) for order in page)
    await store.aclose()
    return seen


async def test_reads_page_one_then_walks_back_from_the_last(
    connection: Any, fake_store_class: Any, registered_order: Any
) -> None:
    fake = stocked(fake_store_class, registered_order)
    seen = await read_all(WooCommerceStore("shop", connection("https://shop.test"), transport=fake.transport))
    assert [r.url.params["page"] for r in fake.requests] == ["1", "3", "2", "1"]
    assert sorted(seen) == sorted(fake.orders)  # each once when nothing changes
    assert {r.url.params["dates_are_gmt"] for r in fake.requests} == {"true"}


@pytest.mark.parametrize("read_number", [1, 2, 3])
@pytest.mark.parametrize("position", [0, 42, 99, 100, 150, 199, 200, 249])
async def test_an_order_leaving_the_window_mid_walk_never_hides_another(
    connection: Any, fake_store_class: Any, registered_order: Any, read_number: int, position: int
) -> None:
    fake = stocked(fake_store_class, registered_order)
    touched = touch_after_read(fake, read_number, position)
    seen = await read_all(WooCommerceStore("shop", connection("https://shop.test"), transport=fake.transport))
    assert set(fake.orders) - {touched} <= set(seen)


async def test_the_same_change_makes_a_forward_walk_skip_an_order(
    connection: Any, fake_store_class: Any, registered_order: Any
) -> None:
    """Control: the scenario above is a real hazard, so the tests above can fail."""
    fake = stocked(fake_store_class, registered_order)
    touched = touch_after_read(fake, 1, 0)
    client = WooCommerceClient(connection("https://shop.test"), transport=fake.transport)
    seen: set[int] = set()
    page = 1
    while True:
        result = await client.list_orders(modified_after=AFTER, modified_before=BEFORE, page=page)
        seen |= {order["id"] for order in result.items}
        if page >= result.total_pages:
            break
        page += 1
    await client.aclose()
    skipped = set(fake.orders) - {touched} - seen
    assert skipped == {sorted(fake.orders)[100]}


async def test_window_is_after_inclusive_before_exclusive(
    connection: Any, fake_store_class: Any, registered_order: Any
) -> None:
    """WooCommerce excludes both bounds to the second; the store widens the query and trims the result."""
    fake = fake_store_class()
    after = AFTER + timedelta(microseconds=400_000)
    cases = {
        1: AFTER,  # before after (by 0.4 s)
        2: AFTER + timedelta(seconds=1),  # inside
        3: BEFORE - timedelta(seconds=1),  # inside
        4: BEFORE,  # at before: outside
        5: AFTER - timedelta(seconds=1),  # outside
    }
    for order_id, modified in cases.items():
        fake.add_order(registered_order(order_id, modified))
    store = WooCommerceStore("shop", connection("https://shop.test"), transport=fake.transport)
    seen = []
    async for page in store.order_pages(after, BEFORE):
        seen.extend(page)
    await store.aclose()
    assert sorted(int(order.source_id) for order in seen) == [2, 3]
    assert all(order.source == "shop" for order in seen)
    assert [r.url.params["page"] for r in fake.requests] == ["1"]


async def test_an_order_modified_exactly_at_the_start_is_included(
    connection: Any, fake_store_class: Any, registered_order: Any
) -> None:
    fake = fake_store_class()
    fake.add_order(registered_order(1, AFTER))
    store = WooCommerceStore("shop", connection("https://shop.test"), transport=fake.transport)
    pages = [page async for page in store.order_pages(AFTER, BEFORE)]
    await store.aclose()
    assert [[order.source_id for order in page] for page in pages] == [["1"]]
    assert fake.requests[0].url.params["modified_after"] == "2026-11-03T10:59:59"
    assert fake.requests[0].url.params["modified_before"] == "2026-11-03T12:00:00"
