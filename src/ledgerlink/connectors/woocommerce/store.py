"""WooCommerce as a :class:`~ledgerlink.connectors.store.StoreConnector`."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from ledgerlink.config import WooCommerceConnection
from ledgerlink.connectors.gate import Gate
from ledgerlink.connectors.store import WebhookCheck, WebhookDelivery, WebhookRejected
from ledgerlink.connectors.woocommerce.client import OrdersPage, WooCommerceClient
from ledgerlink.connectors.woocommerce.translate import translate_order
from ledgerlink.connectors.woocommerce.webhooks import is_ping, parse_delivery
from ledgerlink.engine.problems import Code, Team, permanent
from ledgerlink.records.order import Order

ONE_SECOND = timedelta(seconds=1)
MAX_WALKS = 3


def webhook_name(topic: str) -> str:
    return f"Ledgerlink {topic}"


class WooCommerceStore:
    """One WooCommerce store, read through its REST API and kept subscribed to its webhooks."""

    supports_webhooks = True

    def __init__(
        self,
        name: str,
        connection: WooCommerceConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        gate: Gate | None = None,
    ) -> None:
        self.name = name
        self.connection = connection
        self.client = WooCommerceClient(connection, transport=transport, gate=gate)

    def __repr__(self) -> str:
        return f"WooCommerceStore({self.name!r}, {self.connection.base_url!r})"

    async def aclose(self) -> None:
        await self.client.aclose()

    async def probe(self) -> None:
        """One order from the list: answers only when the store is reachable and takes the key."""
        await self.client.list_orders(modified_after=None, modified_before=None, page=1, per_page=1)

    async def order_pages(
        self, modified_after: datetime, modified_before: datetime
    ) -> AsyncIterator[list[Order]]:
        """Every order modified in [after, before), page by page; an order may come twice, none is skipped.

        The window is fixed and the pages are sorted by id, so the only thing that can move an order is
        an order *leaving* the window while we read (it is modified now, after ``before``). That removes
        one position and shifts every later order one place towards page 1. Read forwards, an order
        shifted from page k+1 onto page k after page k was read would be skipped. So page 1 is read to
        learn how many pages there are, then the pages are read from the last one back to page 1: an
        order shifted onto a page we have not read yet is simply read again there, a repeat instead of
        a skip. Orders that left the window are picked up by the next window. The first read of page 1
        is not yielded: nothing can leave page 1 except by leaving the window, so the last read covers it.
        This relies on no order *entering* the window during the walk, which holds while ``before`` is
        not later than the store's clock (the engine passes its sync start, never a future time).

        WooCommerce excludes orders modified exactly at either bound and works in whole seconds, so the
        query is widened by a second at each end and the orders are filtered to [after, before) here.
        """
        query_after = modified_after.replace(microsecond=0) - ONE_SECOND
        query_before = modified_before.replace(microsecond=0)
        if query_before < modified_before:
            query_before += ONE_SECOND

        async def read(page: int) -> OrdersPage:
            return await self.client.list_orders(
                modified_after=query_after, modified_before=query_before, page=page, orderby="id", order="asc"
            )

        def in_window(page: OrdersPage) -> list[Order]:
            orders = (translate_order(item, source=self.name) for item in page.items)
            return [o for o in orders if modified_after <= o.modified_at < modified_before]

        first = await read(1)
        for _walk in range(MAX_WALKS):
            if first.total_pages <= 1:
                if orders := in_window(first):
                    yield orders
                return
            last = first
            for page in range(first.total_pages, 0, -1):
                last = await read(page)
                if orders := in_window(last):
                    yield orders
            # An order can only enter the fixed window when the store's clock lags ours; it then pushes
            # others onto pages already read. The total grows when that happens: walk again.
            if last.total <= first.total:
                return
            first = last

    async def get_order(self, order_id: str) -> Order:
        return translate_order(await self.client.get_order(order_id), source=self.name)

    async def ensure_webhooks(self, delivery_url: str, topics: list[str]) -> list[WebhookCheck]:
        """Make sure each topic has one active webhook with our URL and secret, fixing what is not.

        Ours are the webhooks on the topic that point at ``delivery_url`` or carry our name. WooCommerce
        never shows a webhook's secret, so unless the store reveals it the secret is sent again with a
        PUT. With ``allow_writes: false`` nothing is changed and each check says what is needed.
        """
        secret = self._webhook_secret()
        if secret is None:
            raise permanent(
                Code.CONFIG_INVALID,
                f"connection {self.name} has no webhook_secret",
                "deliveries cannot be verified without a secret, so webhooks are not registered",
                f"set connections.{self.name}.webhook_secret to a long random text (or ${{AN_ENV_NAME}})",
                team=Team.INTEGRATION,
            )
        existing = await self.client.list_webhooks()
        return [await self._ensure_one(topic, delivery_url, secret, existing) for topic in topics]

    async def _ensure_one(
        self, topic: str, delivery_url: str, secret: str, existing: list[dict[str, Any]]
    ) -> WebhookCheck:
        ours = [
            hook
            for hook in existing
            if hook.get("topic") == topic
            and (hook.get("delivery_url") == delivery_url or hook.get("name") == webhook_name(topic))
        ]
        if not ours:
            if not self.connection.allow_writes:
                needed = {"needed": "create", "reason": "allow_writes"}
                return WebhookCheck(topic, "", "missing", "skipped", needed)
            created = await self.client.create_webhook(webhook_name(topic), topic, delivery_url, secret)
            return WebhookCheck(topic, str(created.get("id", "")), str(created.get("status", "")), "created")
        ours.sort(key=lambda hook: (hook.get("status") != "active", hook.get("delivery_url") != delivery_url))
        hook, status = ours[0], str(ours[0].get("status", ""))
        details = {"duplicates": ",".join(str(h.get("id")) for h in ours[1:])} if len(ours) > 1 else {}
        changes: dict[str, str] = {}
        if status != "active":
            changes["status"] = "active"
        if hook.get("delivery_url") != delivery_url:
            changes["delivery_url"] = delivery_url
        shown = hook.get("secret")
        if not isinstance(shown, str):
            changes["secret"] = secret
            details["signing_key"] = "re-sent (the store does not show it)"
        elif not hmac.compare_digest(shown.encode(), secret.encode()):
            changes["secret"] = secret
            details["signing_key"] = "changed"
        if "status" in changes:
            action = "reactivated"
        elif "delivery_url" in changes or details.get("signing_key") == "changed":
            action = "updated"
        else:
            action = "ok"
        if not self.connection.allow_writes:
            if action != "ok":
                details.update(needed=action, reason="allow_writes")
            reported = "ok" if action == "ok" else "skipped"
            return WebhookCheck(topic, str(hook.get("id")), status, reported, details)
        if changes:
            updated = await self.client.update_webhook(hook["id"], **changes)
            status = str(updated.get("status", ""))
        return WebhookCheck(topic, str(hook.get("id")), status, action, details)

    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookDelivery | None:
        """Verify and read a delivery: None for the store's unsigned ping (answer it 2xx)."""
        secret = self._webhook_secret()
        if secret is None:
            if is_ping(raw_body):
                return None
            raise WebhookRejected(f"connection {self.name} has no webhook_secret to verify deliveries with")
        return parse_delivery(headers, raw_body, secret)

    def _webhook_secret(self) -> str | None:
        value = self.connection.webhook_secret
        return value.get_secret_value() if value is not None and value.get_secret_value() else None
