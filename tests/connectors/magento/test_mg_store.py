"""MagentoStore as a StoreConnector: delta pages that skip nothing, single orders, and no webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ledgerlink.connectors.magento.search import Filter, SearchCriteria
from ledgerlink.connectors.magento.store import MagentoStore, window_criteria
from ledgerlink.connectors.store import StoreConnector, WebhookRejected
from ledgerlink.engine.problems import ProblemError
from ledgerlink.sandbox.magento.app import create_app
from ledgerlink.sandbox.magento.orders import ORDER
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import StateStore

from .conftest import BASE, Clock, connection

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


async def test_two_store_views_import_each_order_once(state_path: Path, clock: Clock) -> None:
    """The store code in the URL does not filter orders (a real 2.4.7-p3 store, issue 21): each
    connection filters by its ``store_id``, and the order keeps its store view for routing."""
    with StateStore(state_path).transaction() as tx:
        for order in tx.all(ORDER):
            if order["entity_id"] % 3 == 0:
                tx.put(ORDER, order["entity_id"], {**order, "store_id": 2})
    app = create_app(
        state_path, MagentoSandboxSettings(base_url=BASE, store_codes=["default", "fr"]), clock=clock
    )
    stores = [
        MagentoStore(name, connection(store_code=code, store_id=view), transport=httpx.ASGITransport(app=app))
        for name, code, view in (("mg-default", "default", 1), ("mg-fr", "fr", 2))
    ]
    before = datetime.now(UTC) + timedelta(seconds=1)
    seen = {}
    for store in stores:
        seen[store.name] = {
            o.source_id: o.store async for page in store.order_pages(EPOCH, before) for o in page
        }
    default, french = seen["mg-default"], seen["mg-fr"]
    assert not set(default) & set(french)
    assert sorted(map(int, [*default, *french])) == list(range(1, 31))
    assert set(french.values()) == {"2"} and set(default.values()) == {"1"}
    with pytest.raises(ProblemError) as raised:
        await stores[0].get_order("3")
    assert "store_id 2" in raised.value.problem.why
    assert (await stores[1].get_order("3")).store == "2"
    for store in stores:
        await store.aclose()


def test_the_store_view_filter_is_one_more_and_ed_group() -> None:
    criteria = window_criteria(EPOCH, EPOCH + timedelta(hours=1), store_id=2)
    assert ("searchCriteria[filter_groups][2][filters][0][field]", "store_id") in criteria.params()
    assert ("searchCriteria[filter_groups][2][filters][0][value]", "2") in criteria.params()
    assert len(window_criteria(EPOCH, EPOCH + timedelta(hours=1)).filter_groups) == 2


async def test_orders_with_the_real_stores_fields_read_the_same_after_invoices_refunds_and_cancels(
    store: MagentoStore,
) -> None:
    """The fields the emulator now sends as the real store does (rule ids, quote item ids, configurable
    choices, tax details, the ``*_invoiced``/``*_refunded``/``*_canceled`` families, histories) leave what
    the translator reads alone: the order is the order as placed, adding up to its grand_total."""
    client = store.client
    processing = SearchCriteria(filter_groups=((Filter("state", "processing"),),))
    raw = [
        o
        for o in (await client.search_orders(processing)).items
        if len(o["items"]) > 2 and o.get("coupon_code")
    ]
    assert raw, "the seed should hold a processing coupon order with several items"
    order_id = raw[0]["entity_id"]
    before = await store.get_order(str(order_id))
    first = next(i for i in raw[0]["items"] if not i.get("parent_item_id"))
    await client.invoice(order_id, [{"order_item_id": first["item_id"], "qty": 1}])
    await client.refund(
        order_id, [{"order_item_id": first["item_id"], "qty": 1}], arguments={"shipping_amount": 0}
    )
    assert await client.cancel(order_id) is True
    after = await store.get_order(str(order_id))
    assert after.total == before.total
    assert after.computed_total() == after.total
    assert after.lines == before.lines
    assert after.payment == before.payment
    assert after.status != before.status
