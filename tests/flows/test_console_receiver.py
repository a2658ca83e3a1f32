"""The webhook receiver's edges: oversized bodies, signed but malformed deliveries, bounded metrics."""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from tests.flows.conftest import Sandbox

from ledgerlink.config import ConsoleConfig
from ledgerlink.connectors.woocommerce.webhooks import signature
from ledgerlink.sandbox.credentials import WOO_WEBHOOK_SECRET
from ledgerlink.store.tables import jobs, webhook_events

CAP = ConsoleConfig().max_webhook_bytes
SERIES = re.compile(r"^ledgerlink_webhook_deliveries_total\{(.*)\} (\S+)$", re.M)


def signed_headers(body: bytes, topic: str = "order.updated") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-Signature": signature(WOO_WEBHOOK_SECRET, body),
        "X-WC-Webhook-ID": "1",
        "X-WC-Webhook-Delivery-ID": "d-1",
    }


def stored(sandbox: Sandbox) -> tuple[int, int]:
    with sandbox.runtime.engine.connect() as db:
        events = db.execute(select(func.count()).select_from(webhook_events)).scalar()
        queued = db.execute(select(func.count()).select_from(jobs)).scalar()
    return int(events or 0), int(queued or 0)


async def delivery_series(sandbox: Sandbox) -> dict[str, float]:
    text = (await sandbox.console.get("/metrics")).text
    return {labels: float(value) for labels, value in SERIES.findall(text)}


class Chunks:
    """A request body sent in pieces without a Content-Length, counting how many were asked for."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size, self.sent = count, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.sent += 1
            yield b" " * self.size


def test_the_cap_defaults_to_one_mebibyte() -> None:
    assert CAP == 1024 * 1024


async def test_a_declared_length_over_the_cap_is_413_before_reading(sandbox: Sandbox) -> None:
    body = Chunks(count=20, size=CAP // 10)
    headers = {"Content-Type": "application/json", "Content-Length": str(20 * (CAP // 10))}
    response = await sandbox.console.post("/webhooks/woo", content=body, headers=headers)
    assert response.status_code == 413
    assert "max_webhook_bytes" in response.json()["error"]
    assert body.sent == 0
    assert stored(sandbox) == (0, 0)


async def test_a_streamed_body_is_abandoned_at_the_first_byte_past_the_cap(sandbox: Sandbox) -> None:
    body = Chunks(count=100, size=64 * 1024)  # 6.25 MiB, no Content-Length
    response = await sandbox.console.post(
        "/webhooks/woo", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert body.sent == CAP // (64 * 1024) + 1  # the chunk that crossed the cap, and not one more
    assert stored(sandbox) == (0, 0)
    series = await delivery_series(sandbox)
    assert series['connection="woo",outcome="too_large"'] == 1


async def test_a_signed_body_of_exactly_the_cap_is_accepted(sandbox: Sandbox) -> None:
    compact = json.dumps({"id": 4242, "date_modified_gmt": "2026-11-20T10:00:00"}).encode()
    body = compact[:-1] + b" " * (CAP - len(compact)) + b"}"
    assert len(body) == CAP
    response = await sandbox.console.post("/webhooks/woo", content=body, headers=signed_headers(body))
    assert response.status_code == 200, response.text
    assert stored(sandbox) == (1, 1)


@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"name": "no id"}', b'{"id": true}', b'{"id": [7]}']
)
async def test_a_signed_but_malformed_delivery_is_400_and_stores_nothing(
    sandbox: Sandbox, body: bytes
) -> None:
    response = await sandbox.console.post("/webhooks/woo", content=body, headers=signed_headers(body))
    assert response.status_code == 400
    assert response.json()["error"].startswith("signed but unreadable")
    assert stored(sandbox) == (0, 0)
    series = await delivery_series(sandbox)
    assert series['connection="woo",outcome="unreadable"'] == 1
    assert series['connection="woo",outcome="rejected"'] == 0


async def test_a_signed_delivery_without_a_topic_is_400(sandbox: Sandbox) -> None:
    body = b'{"id": 12}'
    headers = signed_headers(body)
    del headers["X-WC-Webhook-Topic"]
    response = await sandbox.console.post("/webhooks/woo", content=body, headers=headers)
    assert response.status_code == 400


async def test_the_same_malformed_body_unsigned_is_still_401(sandbox: Sandbox) -> None:
    body = b"{not json"
    headers = {**signed_headers(body), "X-WC-Webhook-Signature": signature("another secret", body)}
    response = await sandbox.console.post("/webhooks/woo", content=body, headers=headers)
    assert response.status_code == 401


async def test_posts_to_unknown_connections_add_no_metric_series(sandbox: Sandbox) -> None:
    before = await delivery_series(sandbox)
    assert 'connection="_unknown",outcome="unknown_connection"' in before
    rng = random.Random(11)
    for _ in range(200):
        name = "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))
        response = await sandbox.console.post(f"/webhooks/{name}", content=b"{}")
        assert response.status_code == 404
    netsuite = await sandbox.console.post("/webhooks/netsuite", content=b"{}")  # configured, not a store
    assert netsuite.status_code == 404
    after = await delivery_series(sandbox)
    assert set(after) == set(before)
    assert after['connection="_unknown",outcome="unknown_connection"'] == 201
    assert not any("netsuite" in labels for labels in after)
