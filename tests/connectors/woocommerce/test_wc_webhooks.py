"""Webhook deliveries (verification over the raw bytes) and keeping our subscriptions healthy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ledgerlink.connectors.store import WebhookRejected, WebhookUnreadable
from ledgerlink.connectors.woocommerce.store import WooCommerceStore
from ledgerlink.engine.problems import Code, ProblemError

SECRET = "whsec-7Gq2mN5pR8tV1xZ4"
HOOK_URL = "https://ledgerlink.example.com/webhooks/shop"


def php_json(payload: dict[str, Any]) -> bytes:
    """Bytes as wp_json_encode writes them: compact, slashes escaped."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def signed(raw: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def delivery_headers(raw: bytes, topic: str = "order.updated", **extra: str) -> dict[str, str]:
    headers = {
        "content-type": "application/json",
        "x-wc-webhook-source": "https://shop.test/",
        "X-WC-Webhook-Topic": topic,
        "x-wc-webhook-resource": topic.split(".")[0],
        "X-Wc-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-Signature": signed(raw),
        "x-wc-webhook-id": "3",
        "X-WC-Webhook-Delivery-ID": "a1b2c3d4e5",
    }
    headers.update(extra)
    return headers


@pytest.fixture
def store(connection: Any) -> WooCommerceStore:
    return WooCommerceStore("shop", connection("https://shop.test"))


def test_ping_is_none_so_the_console_answers_2xx(store: WooCommerceStore, connection: Any) -> None:
    ping_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert store.parse_webhook(ping_headers, b"webhook_id=17") is None
    no_secret = WooCommerceStore("shop", connection("https://shop.test", webhook_secret=None))
    assert no_secret.parse_webhook(ping_headers, b"webhook_id=17") is None


def test_signed_delivery_is_read(store: WooCommerceStore, registered_order: Any) -> None:
    order = registered_order(727)
    order["customer_note"] = "Ship to 1/2 Main St — ok"
    raw = php_json(order)
    delivery = store.parse_webhook(delivery_headers(raw), raw)
    assert delivery is not None
    assert (delivery.topic, delivery.resource, delivery.resource_id) == ("order.updated", "order", "727")
    assert delivery.delivery_id == "a1b2c3d4e5"
    assert delivery.modified_at == datetime(2026, 11, 3, 9, 30, 12, tzinfo=UTC)


def test_deleted_order_payload_carries_only_the_id(store: WooCommerceStore) -> None:
    raw = b'{"id":727}'
    delivery = store.parse_webhook(delivery_headers(raw, "order.deleted"), raw)
    assert delivery is not None
    assert (delivery.resource_id, delivery.modified_at) == ("727", None)


@pytest.mark.parametrize(
    "signature",
    [None, "", signed(b"another body"), signed(b'{"id":727}', "wrong-secret"), "not base64 at all"],
)
def test_missing_or_wrong_signature_is_rejected(store: WooCommerceStore, signature: str | None) -> None:
    raw = b'{"id":727}'
    headers = delivery_headers(raw)
    if signature is None:
        del headers["X-WC-Webhook-Signature"]
    else:
        headers["X-WC-Webhook-Signature"] = signature
    with pytest.raises(WebhookRejected):
        store.parse_webhook(headers, raw)


def test_re_serialised_json_fails_the_signature(store: WooCommerceStore, registered_order: Any) -> None:
    raw = php_json(registered_order(727))
    headers = delivery_headers(raw)
    reserialised = json.dumps(json.loads(raw)).encode()
    assert json.loads(reserialised) == json.loads(raw)
    with pytest.raises(WebhookRejected, match="does not match"):
        store.parse_webhook(headers, reserialised)


@pytest.mark.parametrize(
    "raw",
    [
        b"<html>oops</html>",
        b"[1, 2]",
        b'{"name": "no id"}',
        b"webhook_id=abc",
        b'{"id": 0}',
        b'{"id": "7a"}',
        b'{"id": 727, "date_modified_gmt": "yesterday"}',
    ],
)
def test_signed_but_unreadable_body_is_unreadable_not_rejected(store: WooCommerceStore, raw: bytes) -> None:
    with pytest.raises(WebhookUnreadable):
        store.parse_webhook(delivery_headers(raw), raw)


def test_signed_delivery_without_a_topic_is_unreadable(store: WooCommerceStore) -> None:
    raw = b'{"id":727}'
    headers = delivery_headers(raw)
    del headers["X-WC-Webhook-Topic"]
    with pytest.raises(WebhookUnreadable, match="Topic"):
        store.parse_webhook(headers, raw)


def test_an_id_sent_as_digits_is_read(store: WooCommerceStore) -> None:
    raw = b'{"id":"727"}'
    delivery = store.parse_webhook(delivery_headers(raw), raw)
    assert delivery is not None and delivery.resource_id == "727"


def test_delivery_without_a_configured_secret_is_rejected(connection: Any) -> None:
    store = WooCommerceStore("shop", connection("https://shop.test", webhook_secret=None))
    raw = b'{"id":727}'
    with pytest.raises(WebhookRejected, match="webhook_secret"):
        store.parse_webhook(delivery_headers(raw), raw)


# ---------------------------------------------------------------------------------------------------------
# ensure_webhooks


async def test_creates_reactivates_repoints_and_leaves_others_alone(connection: Any, fake_store: Any) -> None:
    fine = fake_store.add_webhook(
        name="Ledgerlink order.created", topic="order.created", delivery_url=HOOK_URL, secret=SECRET
    )
    disabled = fake_store.add_webhook(
        name="Ledgerlink order.updated", topic="order.updated", delivery_url=HOOK_URL, status="disabled"
    )
    moved = fake_store.add_webhook(
        name="Ledgerlink order.deleted", topic="order.deleted", delivery_url="https://old.example.com/h"
    )
    foreign = fake_store.add_webhook(
        name="ERP sync", topic="order.updated", delivery_url="https://erp.example.com/h", status="paused"
    )
    store = WooCommerceStore("shop", connection("https://shop.test"), transport=fake_store.transport)
    topics = ["order.created", "order.updated", "order.deleted", "order.restored"]
    checks = await store.ensure_webhooks(HOOK_URL, topics)
    await store.aclose()

    assert [(c.topic, c.action, c.status) for c in checks] == [
        ("order.created", "ok", "active"),
        ("order.updated", "reactivated", "active"),
        ("order.deleted", "updated", "active"),
        ("order.restored", "created", "active"),
    ]
    assert checks[0].webhook_id == str(fine["id"]) and checks[1].webhook_id == str(disabled["id"])
    created = fake_store.webhooks[int(checks[3].webhook_id)]
    assert (created["name"], created["topic"], created["delivery_url"]) == (
        "Ledgerlink order.restored",
        "order.restored",
        HOOK_URL,
    )
    for hook_id in (fine["id"], disabled["id"], moved["id"], created["id"]):
        hook = fake_store.webhooks[hook_id]
        assert (hook["status"], hook["delivery_url"], hook["secret"]) == ("active", HOOK_URL, SECRET)
    assert foreign["status"] == "paused" and foreign["delivery_url"] == "https://erp.example.com/h"
    assert f"/webhooks/{foreign['id']}" not in [
        r.url.path.removeprefix("/wp-json/wc/v3") for r in fake_store.requests
    ]


async def test_a_store_that_shows_the_right_secret_gets_no_writes(
    connection: Any, fake_store_class: Any
) -> None:
    fake = fake_store_class(reveal_webhook_secret=True)
    fake.add_webhook(
        name="Ledgerlink order.updated", topic="order.updated", delivery_url=HOOK_URL, secret=SECRET
    )
    store = WooCommerceStore("shop", connection("https://shop.test"), transport=fake.transport)
    checks = await store.ensure_webhooks(HOOK_URL, ["order.updated"])
    await store.aclose()
    assert [(c.action, c.status) for c in checks] == [("ok", "active")]
    assert fake.writes() == []


async def test_a_changed_secret_is_put_back(connection: Any, fake_store_class: Any) -> None:
    fake = fake_store_class(reveal_webhook_secret=True)
    hook = fake.add_webhook(
        name="Ledgerlink order.updated", topic="order.updated", delivery_url=HOOK_URL, secret="old"
    )
    store = WooCommerceStore("shop", connection("https://shop.test"), transport=fake.transport)
    checks = await store.ensure_webhooks(HOOK_URL, ["order.updated"])
    await store.aclose()
    assert [(c.action, c.details.get("signing_key")) for c in checks] == [("updated", "changed")]
    assert hook["secret"] == SECRET
    assert [json.loads(r.content) for r in fake.writes()] == [{"secret": SECRET}]


async def test_without_a_webhook_secret_nothing_is_registered(connection: Any, fake_store: Any) -> None:
    store = WooCommerceStore(
        "shop", connection("https://shop.test", webhook_secret=None), transport=fake_store.transport
    )
    with pytest.raises(ProblemError) as caught:
        await store.ensure_webhooks(HOOK_URL, ["order.updated"])
    await store.aclose()
    assert caught.value.problem.code == Code.CONFIG_INVALID
    assert "webhook_secret" in caught.value.problem.fix
    assert fake_store.requests == []


async def test_with_writes_off_it_reports_what_is_needed_and_changes_nothing(
    connection: Any, fake_store: Any
) -> None:
    fake_store.add_webhook(
        name="Ledgerlink order.updated", topic="order.updated", delivery_url=HOOK_URL, status="disabled"
    )
    store = WooCommerceStore(
        "shop", connection("https://shop.test", allow_writes=False), transport=fake_store.transport
    )
    checks = await store.ensure_webhooks(HOOK_URL, ["order.updated", "order.created"])
    await store.aclose()
    assert [(c.action, c.details.get("needed")) for c in checks] == [
        ("skipped", "reactivated"),
        ("skipped", "create"),
    ]
    assert fake_store.writes() == []
