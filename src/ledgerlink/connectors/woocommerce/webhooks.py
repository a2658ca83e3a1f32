"""Verify and read WooCommerce webhook deliveries.

A delivery is signed with ``X-WC-Webhook-Signature`` = base64(HMAC-SHA256(secret, raw body)). The HMAC is
computed over the bytes exactly as received: parsing and re-serialising the JSON changes spacing, key
order or escaping and breaks the signature. Creating or re-activating a webhook makes the store send a
*ping*, a form-encoded ``webhook_id=N`` with no signature; it must be answered 2xx, or it counts towards
the failures after which WooCommerce disables the webhook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from ledgerlink.connectors.store import WebhookDelivery, WebhookRejected, WebhookUnreadable
from ledgerlink.connectors.woocommerce.translate import parse_gmt

_PING = re.compile(rb"\s*webhook_id=\d+\s*")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, ignoring case whatever mapping the web framework hands over."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def is_ping(raw_body: bytes) -> bool:
    return _PING.fullmatch(raw_body) is not None


def signature(secret: str, raw_body: bytes) -> str:
    """What WooCommerce puts in ``X-WC-Webhook-Signature`` for this body."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode("ascii")


def verify_signature(secret: str, raw_body: bytes, given: str | None) -> None:
    if not given or not given.strip():
        raise WebhookRejected("no X-WC-Webhook-Signature header")
    expected = signature(secret, raw_body)
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise WebhookRejected("X-WC-Webhook-Signature does not match the body and the webhook secret")


def _record_id(value: Any) -> bool:
    """WooCommerce ids are positive integers (JSON numbers; tolerated as digit strings)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and value.isdigit() and int(value) > 0


def parse_delivery(headers: Mapping[str, str], raw_body: bytes, secret: str) -> WebhookDelivery | None:
    """None for the store's ping; the verified delivery otherwise. Raises :class:`WebhookRejected` when
    the signature does not verify, :class:`WebhookUnreadable` when it does but the delivery is malformed."""
    if is_ping(raw_body):
        return None
    verify_signature(secret, raw_body, header(headers, "X-WC-Webhook-Signature"))
    topic = (header(headers, "X-WC-Webhook-Topic") or "").strip()
    if not topic:
        raise WebhookUnreadable("no X-WC-Webhook-Topic header")
    try:
        body: Any = json.loads(raw_body)
    except ValueError:
        raise WebhookUnreadable("the body is not JSON") from None
    if not isinstance(body, dict) or not _record_id(body.get("id")):
        raise WebhookUnreadable("the body has no record id")
    resource = (header(headers, "X-WC-Webhook-Resource") or topic.split(".", 1)[0]).strip()
    modified = body.get("date_modified_gmt")
    try:
        modified_at = parse_gmt(modified) if isinstance(modified, str) and modified else None
    except ValueError:
        raise WebhookUnreadable("date_modified_gmt is not an ISO 8601 time") from None
    return WebhookDelivery(
        topic=topic,
        resource=resource,
        resource_id=str(body["id"]),
        delivery_id=header(headers, "X-WC-Webhook-Delivery-ID"),
        modified_at=modified_at,
    )
