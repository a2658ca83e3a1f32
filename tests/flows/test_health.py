"""/healthz tells a working engine from one that stalled, and a service whose loop ended exits."""

from __future__ import annotations

import asyncio
import time

import pytest
from tests.flows.conftest import Sandbox

from ledgerlink.engine.queue import JobSpec
from ledgerlink.engine.scheduler import Scheduler
from ledgerlink.service import ServiceFailed, run_service


async def test_a_working_engine_is_healthy(sandbox: Sandbox) -> None:
    sandbox.seed_orders(3)
    await sandbox.sync()
    answer = await sandbox.console.get("/healthz")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["ok"] is True and answer.json()["reasons"] == []


async def test_a_loop_that_stopped_makes_the_process_unhealthy(sandbox: Sandbox) -> None:
    sandbox.runtime.liveness.started("scheduler")
    sandbox.runtime.liveness.stopped("scheduler", expected=False, because="OperationalError: gone")
    answer = await sandbox.console.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["reasons"] == ["the scheduler loop stopped 0 s ago: OperationalError: gone"]


async def test_a_backlog_nobody_works_on_is_unhealthy(sandbox: Sandbox) -> None:
    due_since = time.time() - 2 * sandbox.runtime.config.engine.stall_seconds
    sandbox.runtime.queue.enqueue(JobSpec(kind="k", flow="f", record_key="r", run_at=due_since))
    answer = await sandbox.console.get("/healthz")
    assert answer.status_code == 503
    reasons = answer.json()["reasons"]
    assert reasons[0] == "jobs are due but no worker has heartbeated ever"
    assert reasons[1].startswith("the backlog has not moved: the oldest due job has waited ")


async def test_a_service_whose_loop_ends_stops_and_says_why(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Scheduler, stop: asyncio.Event, *, resolution: float = 1.0) -> None:
        raise MemoryError("no room")

    monkeypatch.setattr(Scheduler, "run", broken)
    with pytest.raises(ServiceFailed, match="scheduler ended: MemoryError: no room"):
        await asyncio.wait_for(run_service(sandbox.runtime.config, role="scheduler"), 10)
