"""The client never has more requests in flight than it is allowed, and never holds a slot while waiting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from ledgerlink.connectors.netsuite.client import NetSuiteClient, RateLimitRetry
from ledgerlink.connectors.netsuite.governor import Outcome


async def test_in_flight_requests_never_exceed_max_in_flight(
    make_client: Callable[..., NetSuiteClient], fake: Any
) -> None:
    fake.latency = 0.01
    fake.otherwise = lambda request: fake.json({"id": request.url.path.rsplit("/", 1)[-1]})
    async with make_client(max_in_flight=4) as client:
        records = await asyncio.gather(*(client.get("customer", str(n)) for n in range(40)))
    assert [r["id"] for r in records] == [str(n) for n in range(40)]
    assert fake.peak_in_flight == 4


async def test_the_default_limit_is_the_connections_concurrency(
    make_client: Callable[..., NetSuiteClient], fake: Any, connection: Any
) -> None:
    fake.latency = 0.01
    fake.otherwise = lambda request: fake.json({"id": "1"})
    async with make_client(connection.model_copy(update={"concurrency": 2})) as client:
        await asyncio.gather(*(client.get("customer", "1") for _ in range(12)))
    assert fake.peak_in_flight == 2


async def test_a_rate_limited_request_waits_without_holding_its_slot(
    make_client: Callable[..., NetSuiteClient], fake: Any
) -> None:
    fake.answer(httpx.Response(429), fake.json({"id": "b"}), fake.json({"id": "a"}))
    async with make_client(
        max_in_flight=1, sleep=asyncio.sleep, retry=RateLimitRetry(base_seconds=0.05, cap_seconds=1)
    ) as client:
        first = asyncio.create_task(client.get("customer", "a"))
        await asyncio.sleep(0.01)  # "a" has been turned away and is waiting
        second = asyncio.create_task(client.get("customer", "b"))
        assert (await second)["id"] == "b"
        assert not first.done()
        assert (await first)["id"] == "a"
    assert [r.url.path.rsplit("/", 1)[-1] for r in fake.requests] == ["a", "b", "a"]


class CountingGovernor:
    """A stand-in for a shared governor: only the protocol's two methods."""

    def __init__(self) -> None:
        self.slots = 0
        self.reports: list[tuple[Outcome, float | None]] = []

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        self.slots += 1
        yield

    def slot(self) -> Any:
        return self._slot()

    def report(self, outcome: Outcome, retry_after: float | None = None) -> None:
        self.reports.append((outcome, retry_after))


async def test_a_replacement_governor_sees_every_attempt(
    make_client: Callable[..., NetSuiteClient], fake: Any
) -> None:
    governor = CountingGovernor()
    fake.answer(httpx.Response(429, headers={"Retry-After": "0.5"}), fake.json({"id": "1"}))
    async with make_client(governor=governor) as client:
        await client.get("customer", "1")
    assert governor.slots == 2
    assert governor.reports == [(Outcome.RATE_LIMITED, 0.5), (Outcome.OK, None)]
