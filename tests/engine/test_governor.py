"""The shared governor: one budget across processes, adapting to rejections, surviving dead holders."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager

import pytest
from sqlalchemy import Engine, update

from ledgerlink.engine.governor import SharedGovernor
from ledgerlink.store.tables import governor_slots


async def test_governors_sharing_a_database_share_one_budget(database: Engine) -> None:
    first = SharedGovernor(database, "netsuite", ceiling=3, poll_seconds=0.001)
    second = SharedGovernor(database, "netsuite", ceiling=3, poll_seconds=0.001)
    in_flight = 0
    peak = 0

    async def request(governor: SharedGovernor) -> None:
        nonlocal in_flight, peak
        async with governor.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.005)
            in_flight -= 1

    await asyncio.gather(*(request(g) for g in [first, second] * 15))
    assert peak == 3
    assert first.state().in_flight == 0


def test_rejections_halve_the_limit_once_per_interval_and_successes_grow_it(database: Engine) -> None:
    now = [1000.0]
    governor = SharedGovernor(database, "netsuite", ceiling=8, clock=lambda: now[0])
    governor.report("rate_limited")
    governor.report("rate_limited")  # the same burst: counted, not halved again
    assert governor.state().limit == 4 and governor.state().rate_limited == 2
    now[0] += 2
    governor.report("rate_limited")
    assert governor.state().limit == 2
    for _ in range(40):
        governor.report("ok")
    assert governor.state().limit == 8  # additive increase, capped by the ceiling


async def test_retry_after_blocks_new_requests(database: Engine) -> None:
    now = [1000.0]
    governor = SharedGovernor(database, "netsuite", ceiling=2, clock=lambda: now[0], poll_seconds=0.001)
    governor.report("rate_limited", retry_after=30)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05), governor.slot():
            pass
    now[0] += 31
    async with governor.slot():
        assert governor.state().in_flight == 1


async def test_slots_of_a_dead_process_come_back_when_their_lease_expires(database: Engine) -> None:
    now = [1000.0]
    governor = SharedGovernor(database, "netsuite", ceiling=1, clock=lambda: now[0], lease_seconds=10,
                              poll_seconds=0.001)  # fmt: skip
    with database.begin() as db:  # a process that died holding the only slot
        db.execute(update(governor_slots).values(holder="dead", lease_until=now[0] + 10))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05), governor.slot():
            pass
    now[0] += 11
    async with governor.slot():
        pass


async def test_bulk_lanes_leave_room_for_urgent_ones(database: Engine) -> None:
    from ledgerlink.engine.lanes import current_lane

    governor = SharedGovernor(database, "netsuite", ceiling=5, poll_seconds=0.001)
    held: list[AbstractAsyncContextManager[None]] = []
    current_lane.set("catalog")
    for _ in range(4):  # a catalog backfill takes what it may: the limit less the reserve
        slot = governor.slot()
        await slot.__aenter__()
        held.append(slot)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05), governor.slot():
            pass
    current_lane.set("orders")
    async with asyncio.timeout(1), governor.slot():  # an order still gets through at once
        assert governor.state().in_flight == 5
    for slot in held:
        await slot.__aexit__(None, None, None)


async def test_a_queued_request_takes_the_slot_over_without_a_database_round_trip(database: Engine) -> None:
    governor = SharedGovernor(database, "netsuite", ceiling=2, poll_seconds=0.001)
    taken_from_database = 0
    acquire = governor._try_acquire

    def counting(holder: str) -> int | None:
        nonlocal taken_from_database
        slot = acquire(holder)
        taken_from_database += slot is not None
        return slot

    governor._try_acquire = counting  # type: ignore[method-assign]
    in_flight = peak = 0

    async def request() -> None:
        nonlocal in_flight, peak
        async with governor.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.002)
            in_flight -= 1

    await asyncio.gather(*(request() for _ in range(40)))
    assert peak == 2
    assert taken_from_database <= 4  # 40 requests, the two slots passed from hand to hand
    assert governor.state().in_flight == 0


async def test_no_hand_over_beyond_a_limit_lowered_by_a_rejection(database: Engine) -> None:
    governor = SharedGovernor(database, "netsuite", ceiling=2, poll_seconds=0.001)
    first, second = governor.slot(), governor.slot()
    await first.__aenter__()  # slot 0
    await second.__aenter__()  # slot 1
    governor.report("rate_limited")  # the limit falls to 1: slot 1 must go back, not be passed on

    async def queued() -> int:
        async with governor.slot():
            return governor.state().in_flight

    waiting = asyncio.ensure_future(queued())
    await asyncio.sleep(0.02)
    await second.__aexit__(None, None, None)
    await asyncio.sleep(0.05)
    assert not waiting.done()  # slot 1 is above the limit: neither handed over nor taken again
    await first.__aexit__(None, None, None)
    assert await asyncio.wait_for(waiting, 1) == 1
