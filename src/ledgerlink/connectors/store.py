"""What a flow needs from a storefront connection, whatever the platform behind it.

The orders flow talks to this protocol only; WooCommerce, Magento and commercetools implement it, and
:mod:`ledgerlink.connectors.factory` picks the implementation from the connection's ``type``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ledgerlink.records.order import Order


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified webhook delivery, reduced to what the engine needs to enqueue work."""

    topic: str  # e.g. "order.updated"
    resource: str  # e.g. "order"
    resource_id: str  # the store's id of the record
    delivery_id: str | None
    modified_at: datetime | None = None


@dataclass(frozen=True)
class WebhookCheck:
    """The state of one of our subscriptions on the store after ``ensure_webhooks``."""

    topic: str
    webhook_id: str
    status: str  # as the store reports it after we acted: "active" when healthy
    action: str  # "created", "reactivated", "updated", "ok"
    details: dict[str, str] = field(default_factory=dict)


class WebhookRejected(Exception):
    """The delivery cannot be shown to come from the store (no or a wrong signature, no secret to check
    it with, a store that sends none): answer 401 and store nothing."""


class WebhookUnreadable(Exception):
    """The delivery is genuine (its signature verifies) but cannot be read: not JSON, no record id, a
    missing topic. Answer 400, not 401, so whoever looks sees the store sent something malformed rather
    than that the secrets disagree; store nothing (the delta read still finds the order)."""


class StoreConnector(Protocol):
    name: str  # the connection name from the config
    # False for stores that push nothing Ledgerlink can verify (Magento Open Source has no webhooks;
    # commercetools pushes to message queues): their orders arrive by the scheduled delta read alone.
    supports_webhooks: bool

    def order_pages(self, modified_after: datetime, modified_before: datetime) -> AsyncIterator[list[Order]]:
        """Every order modified in [after, before), in pages, without skipping any when orders change
        while the pages are read (repeats are allowed; the engine dedupes)."""
        ...

    async def get_order(self, order_id: str) -> Order: ...

    async def ensure_webhooks(self, delivery_url: str, topics: list[str]) -> list[WebhookCheck]: ...

    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookDelivery | None:
        """Verify and parse a delivery. None for the store's unsigned ping; raises WebhookRejected when
        the delivery is not verified, WebhookUnreadable when it is verified but malformed."""
        ...

    async def probe(self) -> None:
        """The cheapest read that needs the store up and the credentials accepted (a one-item list);
        raises the problem otherwise. The engine probes a connection with an open incident this way."""
        ...

    async def aclose(self) -> None: ...
