"""Concurrency governance, latency and injected faults behave as on a real, busy account."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.faults import Fault, LostResponseError
from ledgerlink.sandbox.netsuite.seed import SeedSummary
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

from .conftest import RECORD, make_client, new_id, order_body, suiteql


async def test_requests_over_the_limit_get_429(state_path: Path, seeded: SeedSummary) -> None:
    app = create_app(state_path, NetSuiteSandboxSettings(concurrency_limit=2, latency_seconds=0.3))
    async with make_client(app) as client:
        responses = await asyncio.gather(*(client.get(f"{RECORD}/customer") for _ in range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 429, 429, 429, 429]
    rejected = next(r for r in responses if r.status_code == 429)
    assert rejected.json()["o:errorDetails"] == [
        {
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
        }
    ]
    assert "retry-after" not in rejected.headers
    gate = app.state.sandbox.gate
    assert (gate.peak, gate.rejected, gate.in_flight) == (2, 4, 0)


async def test_requests_within_the_limit_all_succeed(state_path: Path, seeded: SeedSummary) -> None:
    app = create_app(state_path, NetSuiteSandboxSettings(concurrency_limit=3, latency_seconds=0.05))
    async with make_client(app) as client:
        responses = await asyncio.gather(*(client.get(f"{RECORD}/customer") for _ in range(3)))
    assert [r.status_code for r in responses] == [200, 200, 200]


async def test_status_fault_answers_then_clears(
    app: object, client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    faults = app.state.sandbox.faults  # type: ignore[attr-defined]
    faults.append(Fault(method="POST", path=r"/salesOrder$", status=503, times=2, retry_after=1))
    for _ in range(2):
        failed = await client.post(f"{RECORD}/salesOrder", json=order_body(seeded))
        assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"
        assert failed.json()["title"] == "Service Unavailable"
    assert (await client.get(f"{RECORD}/salesOrder")).json()["totalResults"] == 0  # nothing was written
    assert (await client.post(f"{RECORD}/salesOrder", json=order_body(seeded))).status_code == 204


async def test_lost_response_still_commits_the_write(
    app: object, client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    faults = app.state.sandbox.faults  # type: ignore[attr-defined]
    faults.append(Fault(method="PUT", path=r"/salesOrder/", kind="lost_response", status=0))
    with pytest.raises(LostResponseError):
        await client.put(f"{RECORD}/salesOrder/eid:woo-lost", json=order_body(seeded))
    rows = (await suiteql(client, "SELECT id FROM transaction WHERE externalid = 'woo-lost'")).json()
    assert rows["totalResults"] == 1
    retried = await client.put(f"{RECORD}/salesOrder/eid:woo-lost", json=order_body(seeded))
    assert new_id(retried) == rows["items"][0]["id"]  # the retry upserts, it does not duplicate


async def test_gateway_timeout_after_commit(state_path: Path, seeded: SeedSummary) -> None:
    settings = NetSuiteSandboxSettings(
        faults=[Fault(method="POST", path="salesOrder", kind="lost_response", status=504)]
    )
    async with make_client(create_app(state_path, settings)) as client:
        response = await client.post(f"{RECORD}/salesOrder", json=order_body(seeded, externalId="woo-504"))
        assert response.status_code == 504
        assert (await client.get(f"{RECORD}/salesOrder/eid:woo-504")).status_code == 200
