"""Magento 2 as a :class:`~ledgerlink.connectors.store.StoreConnector`.

Magento Open Source has no webhooks (Adobe Commerce's are synchronous plugins, not deliveries), so a
Magento connection is polled: ``ensure_webhooks`` has nothing to ensure and ``parse_webhook`` refuses
every delivery. ``supports_webhooks`` says so to whoever wires flows.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta

import httpx

from ledgerlink.config import MagentoConnection
from ledgerlink.connectors.gate import Gate
from ledgerlink.connectors.magento.client import PAGE_SIZE, MagentoClient
from ledgerlink.connectors.magento.search import Filter, SearchCriteria, SearchResult, magento_time
from ledgerlink.connectors.magento.translate import translate_order
from ledgerlink.connectors.store import WebhookCheck, WebhookDelivery, WebhookRejected
from ledgerlink.engine.problems import Code, Team, permanent
from ledgerlink.records.order import Order

ONE_SECOND = timedelta(seconds=1)
MAX_WALKS = 3


def window_criteria(after: datetime, before: datetime, store_id: int | None = None) -> SearchCriteria:
    """``updated_at`` in [after, before) widened to whole seconds, sorted by ``entity_id``; only the store
    view ``store_id`` when given.

    The store view is filtered by ``store_id`` because the store code in the URL does not filter orders:
    a real 2.4.7-p3 store answers ``/rest/default``, ``/rest/fr`` and ``/rest/all`` with the same orders
    (issue 21), so two connections for two store views would otherwise each import every order.

    The sort key must be one a change cannot move: sorted by ``updated_at``, an order changed during the
    walk within the same second as ``before`` stays in the window but jumps to the end, onto a page already
    read, and is skipped. ``entity_id`` never changes, so a change can only make an order leave the window.
    """
    query_after = after.replace(microsecond=0)
    query_before = before.replace(microsecond=0)
    if query_before < before:
        query_before += ONE_SECOND
    groups: tuple[tuple[Filter, ...], ...] = (
        (Filter("updated_at", magento_time(query_after), "gteq"),),
        (Filter("updated_at", magento_time(query_before), "lt"),),
    )
    if store_id is not None:
        groups += ((Filter("store_id", str(store_id)),),)
    return SearchCriteria(filter_groups=groups, sort_orders=(("entity_id", "ASC"),))


class MagentoStore:
    """One Magento store view, read through its REST API and polled for changes."""

    supports_webhooks = False

    def __init__(
        self,
        name: str,
        connection: MagentoConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = PAGE_SIZE,
        gate: Gate | None = None,
    ) -> None:
        self.name = name
        self.connection = connection
        self.page_size = page_size
        self.client = MagentoClient(connection, transport=transport, gate=gate)

    def __repr__(self) -> str:
        return f"MagentoStore({self.name!r}, {self.client.rest_url!r})"

    async def aclose(self) -> None:
        await self.client.aclose()

    async def probe(self) -> None:
        """One order from the search: answers only when the store is reachable and takes the credentials."""
        await self.client.search_orders(SearchCriteria().with_page(1, 1))

    async def order_pages(
        self, modified_after: datetime, modified_before: datetime
    ) -> AsyncIterator[list[Order]]:
        """Every order updated in [after, before), page by page; an order may come twice, none is skipped.

        The window is fixed and the sort is by ``entity_id``, which no change moves, so the only thing that
        moves an order while we read is an order *leaving* the window: it is changed now, so its
        ``updated_at`` becomes later than ``before``. That removes one position and shifts every later
        order one place towards page 1; read forwards, an order shifted from page k+1 onto page k after
        page k was read would be skipped. So page 1 is read to learn ``total_count``, then the pages are
        read from the last back to the first: a shifted order lands on a page not read yet and is read
        there (a repeat, never a skip). Orders that left are picked up by the next window. A page past the
        end (the window shrank) answers an empty list, which is read as no orders. No order can *enter* the
        window while ``before`` is not later than the store's clock; when the total grows anyway (a store
        clock behind ours), the walk is done again.
        """
        criteria = window_criteria(modified_after, modified_before, self.connection.store_id)
        size = self.page_size

        async def read(page: int) -> SearchResult:
            return await self.client.search_orders(criteria.with_page(page, size))

        def in_window(result: SearchResult) -> list[Order]:
            orders = (translate_order(item, source=self.name) for item in result.items)
            return [o for o in orders if modified_after <= o.modified_at < modified_before]

        first = await read(1)
        for _walk in range(MAX_WALKS):
            pages = max(1, math.ceil(first.total_count / size))
            if pages == 1:
                if orders := in_window(first):
                    yield orders
                return
            last = first
            for page in range(pages, 0, -1):
                last = await read(page)
                if orders := in_window(last):
                    yield orders
            if last.total_count <= first.total_count:
                return
            first = last

    async def get_order(self, order_id: str) -> Order:
        """The order, refused when it belongs to another store view than the connection's ``store_id``
        (its own connection syncs it; syncing it here too would book it twice)."""
        data = await self.client.get_order(order_id)
        wanted = self.connection.store_id
        if wanted is not None and str(data.get("store_id")) != str(wanted):
            raise permanent(
                Code.RECORD_NOT_FOUND,
                f"Magento order {order_id} is not in this connection's store view",
                f"connection {self.name} reads store_id {wanted}; the order belongs to store_id "
                f"{data.get('store_id')}",
                "sync it through the connection configured for its store view (store_id), or add one",
                team=Team.OPERATIONS,
            )
        return translate_order(data, source=self.name)

    async def ensure_webhooks(self, delivery_url: str, topics: list[str]) -> list[WebhookCheck]:
        """Nothing to subscribe to: Magento Open Source sends no webhooks, the flow's poll finds changes."""
        return []

    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookDelivery | None:
        raise WebhookRejected(
            f"connection {self.name} is a Magento store: Magento sends no webhooks, its orders are polled"
        )
