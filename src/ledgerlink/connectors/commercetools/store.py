"""commercetools as a :class:`~ledgerlink.connectors.store.StoreConnector`.

commercetools has no signed webhooks: it pushes events through Subscriptions into message queues
(SQS, Pub/Sub, Event Grid, ...), which this connection does not read. The connection is polled, so
:meth:`CommercetoolsStore.ensure_webhooks` registers nothing and deliveries are refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime

import httpx

from ledgerlink.config import CommercetoolsConnection
from ledgerlink.connectors.commercetools.client import CommercetoolsClient
from ledgerlink.connectors.commercetools.query import MAX_LIMIT, modified_between
from ledgerlink.connectors.commercetools.translate import translate_order
from ledgerlink.connectors.gate import Gate
from ledgerlink.connectors.store import WebhookCheck, WebhookDelivery, WebhookRejected
from ledgerlink.records.order import Order


class CommercetoolsStore:
    """One commercetools project (or one store of it, with ``store_key``), read by polling."""

    supports_webhooks = False

    def __init__(
        self,
        name: str,
        connection: CommercetoolsConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = MAX_LIMIT,
        gate: Gate | None = None,
    ) -> None:
        self.name = name
        self.connection = connection
        self.client = CommercetoolsClient(connection, transport=transport, gate=gate)
        self.page_size = page_size
        self._expand: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        scope = f", store={self.connection.store_key!r}" if self.connection.store_key else ""
        return f"CommercetoolsStore({self.name!r}, project={self.connection.project_key!r}{scope})"

    async def aclose(self) -> None:
        await self.client.aclose()

    async def probe(self) -> None:
        """One order from the project (a token first): answers only when both hosts are reachable and
        the API client's credentials are accepted."""
        await self.client.query("orders", limit=1)

    async def order_pages(
        self, modified_after: datetime, modified_before: datetime
    ) -> AsyncIterator[list[Order]]:
        """Every order modified in [after, before), page by page, walked with a keyset cursor on
        (lastModifiedAt, id): an order modified during the walk leaves the window or is met again
        further on, so orders may repeat but none is skipped, and no deep offset is ever sent."""
        where = modified_between(modified_after, modified_before)
        expand = await self.expansions()
        async for page in self.client.walk("orders", where=where, limit=self.page_size, expand=expand):
            orders = (translate_order(item, source=self.name) for item in page)
            if found := [o for o in orders if modified_after <= o.modified_at < modified_before]:
                yield found

    async def get_order(self, order_id: str) -> Order:
        order = await self.client.get_order(order_id, expand=await self.expansions())
        return translate_order(order, source=self.name)

    async def expansions(self) -> tuple[str, ...]:
        """The references worth inlining in orders that the API client may read: payments (method,
        PSP reference) and discount codes (the code a shopper typed)."""
        if self._expand is None:
            wanted = []
            if await self.client.may_view("payments"):
                wanted.append("paymentInfo.payments[*]")
            if await self.client.may_view("discount_codes"):
                wanted.append("discountCodes[*].discountCode")
            self._expand = tuple(wanted)
        return self._expand

    async def ensure_webhooks(self, delivery_url: str, topics: list[str]) -> list[WebhookCheck]:
        """Nothing to register: commercetools delivers events to queues, and this connection polls."""
        return []

    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookDelivery | None:
        raise WebhookRejected(
            f"connection {self.name} is a commercetools project: it is polled, and commercetools sends "
            "no signed webhooks (its Subscriptions deliver to message queues)"
        )
