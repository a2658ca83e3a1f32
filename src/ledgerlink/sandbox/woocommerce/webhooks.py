"""Webhooks: the /webhooks resource and the delivery of topics to their URLs.

Deliveries behave like a real store's: queued after the change and sent later in the background
(`webhook_delay_seconds`; Action Scheduler needs a second or more), one POST per delivery with the
REST resource as JSON, signed with base64(HMAC-SHA256(secret, raw body)), never retried. A 2xx,
301 or 302 answer resets the webhook's failure count; anything else (including a connection
error) adds one, and the failure after `disable_after_failures` consecutive ones switches the
webhook to `disabled` in the state file. A freshly created webhook is pinged at once with the
form-encoded body `webhook_id=N` and no signature; the ping's outcome does not count. An order created
through the REST API is delivered twice, as `order.created` and `order.updated` about 50 ms later
(`order_create_update_gap_seconds`), as a real store does (FACTS.md §7).

The delivery queue is the only state kept in memory. Tests can wait for it (`drain()`), read what
was sent (`deliveries`) and make future deliveries vanish (`drop_next()`) to rehearse a lost one.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from ledgerlink.sandbox.woocommerce.common import ResourceEvent, text
from ledgerlink.sandbox.woocommerce.errors import WooApiError
from ledgerlink.sandbox.woocommerce.formats import utcnow, wire_date, wp_json
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import Condition, StateStore, Transaction

KIND = "webhook"
POST_TYPE = "shop_webhook"
STATUSES = ("active", "paused", "disabled")
RESOURCES = ("coupon", "customer", "order", "product")
EVENTS = ("created", "updated", "deleted", "restored")

# WC_Webhook::get_default_topic_hooks(): the actions each topic listens to.
TOPIC_HOOKS: dict[str, list[str]] = {
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
    "customer.created": ["user_register", "woocommerce_created_customer", "woocommerce_new_customer"],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "order.created": ["woocommerce_new_order"],
    "order.updated": [
        "woocommerce_update_order",
        "woocommerce_order_refunded",
        "woocommerce_delete_order_refund",
    ],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
}


def valid_topic(topic: str) -> bool:
    if topic.startswith("action.") and len(topic) > len("action."):
        return True
    return topic in TOPIC_HOOKS


def _split_topic(topic: str) -> tuple[str, str, list[str]]:
    if topic.startswith("action."):
        return "action", topic[len("action.") :], [topic[len("action.") :]]
    resource, _, event = topic.partition(".")
    return resource, event, list(TOPIC_HOOKS.get(topic, []))


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def invalid_webhook_id(status: int, message: str = "Invalid ID.") -> WooApiError:
    return WooApiError(f"woocommerce_rest_{POST_TYPE}_invalid_id", message, status)


def get(tx: Transaction, webhook_id: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
    row = tx.get(KIND, webhook_id)
    return (row.data, row.internal) if row else None


def save(tx: Transaction, doc: dict[str, Any], internal: dict[str, Any]) -> None:
    tx.put(
        KIND,
        doc["id"],
        doc,
        internal,
        status=doc["status"],
        created=doc["date_created_gmt"],
        modified=doc["date_modified_gmt"],
        sort_name=doc["name"].lower(),
    )


def create(tx: Transaction, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    if payload.get("id"):
        raise WooApiError(f"woocommerce_rest_{POST_TYPE}_exists", f"Cannot create existing {POST_TYPE}.", 400)
    topic = text(payload, "topic").strip().lower()
    if not topic or not valid_topic(topic):
        raise WooApiError(
            f"woocommerce_rest_{POST_TYPE}_invalid_topic", "Webhook topic is required and must be valid.", 400
        )
    url = text(payload, "delivery_url").strip()
    if not url or not _valid_url(url):
        raise WooApiError(
            f"woocommerce_rest_{POST_TYPE}_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            400,
        )
    status = text(payload, "status", "active").lower() or "active"
    if status not in STATUSES:
        raise WooApiError(
            f"woocommerce_rest_{POST_TYPE}_invalid_status", "Webhook status must be valid.", 400
        )
    resource, event, hooks = _split_topic(topic)
    stamp = wire_date(now)
    doc = {
        "id": tx.next_id("webhook"),
        "name": text(payload, "name") or f"Webhook created on {now.strftime('%b %d, %Y @ %I:%M %p')}",
        "status": status,
        "topic": topic,
        "resource": resource,
        "event": event,
        "hooks": hooks,
        "delivery_url": url,
        "secret": text(payload, "secret") or secrets.token_urlsafe(37)[:50],
        "date_created": stamp,
        "date_created_gmt": stamp,
        "date_modified": stamp,
        "date_modified_gmt": stamp,
    }
    save(tx, doc, {"failure_count": 0, "api_version": "wp_api_v3"})
    return doc


def update(tx: Transaction, webhook_id: int, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    found = get(tx, webhook_id)
    if found is None:
        raise invalid_webhook_id(400, "ID is invalid.")
    doc, internal = found
    if payload.get("topic"):
        topic = text(payload, "topic").strip().lower()
        if not valid_topic(topic):
            raise WooApiError(
                f"woocommerce_rest_{POST_TYPE}_invalid_topic", "Webhook topic must be valid.", 400
            )
        doc["topic"] = topic
        doc["resource"], doc["event"], doc["hooks"] = _split_topic(topic)
    if payload.get("delivery_url"):
        url = text(payload, "delivery_url").strip()
        if not _valid_url(url):
            raise WooApiError(
                f"woocommerce_rest_{POST_TYPE}_invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
                400,
            )
        doc["delivery_url"] = url
    if payload.get("secret"):
        doc["secret"] = text(payload, "secret")
    if payload.get("status"):
        status = text(payload, "status").lower()
        if status not in STATUSES:
            raise WooApiError(
                f"woocommerce_rest_{POST_TYPE}_invalid_status", "Webhook status must be valid.", 400
            )
        if status == "active" and doc["status"] != "active":
            internal["failure_count"] = 0
        doc["status"] = status
    if payload.get("name"):
        doc["name"] = text(payload, "name")
    doc["date_modified"] = doc["date_modified_gmt"] = wire_date(now)
    save(tx, doc, internal)
    return doc


def delete(tx: Transaction, webhook_id: int, force: bool) -> dict[str, Any]:
    if not force:
        raise WooApiError("woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501)
    found = get(tx, webhook_id)
    if found is None:
        raise invalid_webhook_id(404)
    tx.delete(KIND, webhook_id)
    return found[0]


def signature(secret: str, body: bytes) -> str:
    """X-WC-Webhook-Signature: base64 of HMAC-SHA256 over the raw body, keyed with the secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


@dataclass
class Delivery:
    """One attempt to reach a delivery URL, as the store's delivery log would record it."""

    delivery_id: str
    webhook_id: int
    kind: Literal["ping", "delivery"]
    topic: str | None
    url: str
    headers: dict[str, str]
    body: bytes
    resource_id: int | None = None
    status_code: int | None = None
    error: str | None = None
    dropped: bool = False
    duration: float = 0.0
    attempted_at: datetime = field(default_factory=utcnow)

    @property
    def succeeded(self) -> bool:
        """WooCommerce's test: a 2xx, 301 or 302 answer (anything in 200..302)."""
        return self.status_code is not None and 200 <= self.status_code < 303


@dataclass
class _DropRule:
    remaining: int
    topic: str | None
    webhook_id: int | None


Renderer = Callable[[ResourceEvent], Any]


class WebhookDispatcher:
    """Queues, sends and logs webhook deliveries for one running application."""

    def __init__(
        self,
        store: StateStore,
        settings: WooSandboxSettings,
        render: Renderer,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.render = render
        self.transport = transport
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._drops: list[_DropRule] = []
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self.transport, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- test controls -------------------------------------------------------------------------

    def drop_next(self, count: int = 1, *, topic: str | None = None, webhook_id: int | None = None) -> None:
        """Lose the next `count` deliveries (optionally only of one topic/webhook): logged, never sent."""
        self._drops.append(_DropRule(count, topic, webhook_id))

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every queued delivery has been attempted (including ones queued meanwhile)."""
        deadline = time.monotonic() + timeout
        while self._tasks:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._tasks)} webhook deliveries still pending")
            await asyncio.wait(set(self._tasks), timeout=remaining)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def sent(self, *, topic: str | None = None, webhook_id: int | None = None) -> list[Delivery]:
        """Deliveries (not pings) that were actually sent, oldest first."""
        return [
            d
            for d in self.deliveries
            if d.kind == "delivery"
            and not d.dropped
            and (topic is None or d.topic == topic)
            and (webhook_id is None or d.webhook_id == webhook_id)
        ]

    # -- queueing ------------------------------------------------------------------------------

    def notify(self, events: Iterable[ResourceEvent]) -> None:
        """Queue a delivery for every active webhook whose topic matches one of the events."""
        events = list(events)
        if not events:
            return
        with self.store.transaction() as tx:
            hooks = [row.data for row in tx.select(KIND, [Condition("status", "=", "active")])]
        loop = asyncio.get_running_loop()
        for event in events:
            for hook in hooks:
                if hook["topic"] == event.topic:
                    task = loop.create_task(self._deliver_later(hook["id"], event))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    def _take_drop(self, webhook_id: int, topic: str) -> bool:
        for rule in self._drops:
            if (
                (rule.topic in (None, topic))
                and (rule.webhook_id in (None, webhook_id))
                and rule.remaining > 0
            ):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._drops.remove(rule)
                return True
        return False

    async def _deliver_later(self, webhook_id: int, event: ResourceEvent) -> None:
        delay = self.settings.webhook_delay_seconds + event.lag_seconds
        if delay:
            await asyncio.sleep(delay)
        with self.store.transaction() as tx:
            found = get(tx, webhook_id)
        if found is None:
            return
        hook = found[0]
        payload = {"id": event.resource_id} if event.event == "deleted" else self.render(event)
        body = wp_json(payload)
        record = Delivery(
            delivery_id=uuid.uuid4().hex,
            webhook_id=webhook_id,
            kind="delivery",
            topic=hook["topic"],
            url=hook["delivery_url"],
            headers={
                "Content-Type": "application/json",
                "User-Agent": self.settings.user_agent,
                "X-WC-Webhook-Source": self.settings.home + "/",
                "X-WC-Webhook-Topic": hook["topic"],
                "X-WC-Webhook-Resource": hook["resource"],
                "X-WC-Webhook-Event": hook["event"],
                "X-WC-Webhook-Signature": signature(hook["secret"], body),
                "X-WC-Webhook-ID": str(webhook_id),
                "X-WC-Webhook-Delivery-ID": "",
            },
            body=body,
            resource_id=event.resource_id,
        )
        record.headers["X-WC-Webhook-Delivery-ID"] = record.delivery_id
        if self._take_drop(webhook_id, hook["topic"]):
            record.dropped = True
            self.deliveries.append(record)
            return
        await self._send(record, self.settings.webhook_timeout_seconds)
        self.deliveries.append(record)
        self._count_outcome(webhook_id, record.succeeded)

    async def ping(self, hook: dict[str, Any]) -> Delivery:
        """WC_Webhook::deliver_ping: `webhook_id=N`, form-encoded, unsigned; its result is not counted."""
        record = Delivery(
            delivery_id=uuid.uuid4().hex,
            webhook_id=hook["id"],
            kind="ping",
            topic=None,
            url=hook["delivery_url"],
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "User-Agent": self.settings.user_agent,
            },
            body=f"webhook_id={hook['id']}".encode(),
        )
        await self._send(record, self.settings.ping_timeout_seconds)
        self.deliveries.append(record)
        return record

    async def _send(self, record: Delivery, timeout: float) -> None:
        started = time.monotonic()
        try:
            response = await self._http().post(
                record.url, content=record.body, headers=record.headers, timeout=timeout
            )
            record.status_code = response.status_code
        except httpx.HTTPError as exc:
            record.error = f"{type(exc).__name__}: {exc}"
        record.duration = round(time.monotonic() - started, 5)

    def _count_outcome(self, webhook_id: int, succeeded: bool) -> None:
        with self.store.transaction() as tx:
            found = get(tx, webhook_id)
            if found is None:
                return
            doc, internal = found
            if succeeded:
                internal["failure_count"] = 0
            else:
                failures = int(internal.get("failure_count", 0)) + 1
                internal["failure_count"] = failures
                if failures > self.settings.disable_after_failures:
                    doc["status"] = "disabled"
            save(tx, doc, internal)

    def failure_count(self, webhook_id: int) -> int:
        with self.store.transaction() as tx:
            found = get(tx, webhook_id)
        return int(found[1].get("failure_count", 0)) if found else 0
