"""The engine recovers by itself: a silent worker's jobs and NetSuite slots come back within its lease,
loops survive their own exceptions, and processes starting at once on a new database all start."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select, update

from ledgerlink.engine.governor import SharedGovernor
from ledgerlink.engine.liveness import Liveness
from ledgerlink.engine.problems import Problem, Severity
from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue
from ledgerlink.engine.scheduler import Schedule, Scheduler
from ledgerlink.engine.worker import Worker
from ledgerlink.store.tables import governor_slots, incidents, jobs, workers

ROOT = Path(__file__).resolve().parents[2]


def spec(key: str) -> JobSpec:
    return JobSpec(kind="work", flow="f", record_key=key, dedupe_key=key, lock_key=key)


async def test_a_silent_workers_jobs_and_slots_come_back_within_its_lease(database: Engine) -> None:
    now = [1000.0]
    queue = Queue(database, clock=lambda: now[0])
    governor = SharedGovernor(database, "netsuite", ceiling=2, clock=lambda: now[0], holder="proc-a")
    queue.register_worker("proc-a", "worker")
    queue.enqueue(spec("1"))
    [job] = queue.claim("proc-a", 1, lease_seconds=15)
    async with governor.slot():  # the process is killed while it holds a slot: it is never released
        with database.begin() as db:
            db.execute(update(governor_slots).where(governor_slots.c.holder.is_not(None)).values(
                lease_until=now[0] + 120))  # fmt: skip
        now[0] += 10
        assert queue.sweep(dead_after=15).requeued == 0  # silent for 10 s: not dead yet
        now[0] += 6
        swept = queue.sweep(dead_after=15)
        assert swept.requeued == 1 and swept.dead_workers == ["proc-a"] and swept.freed_slots == 1
        with database.connect() as db:
            assert db.execute(select(workers)).all() == []
            assert db.execute(select(governor_slots.c.holder).where(
                governor_slots.c.holder.is_not(None))).all() == []  # fmt: skip
    [again] = queue.claim("proc-b", 1)
    assert again.id == job.id and again.attempts == 2


async def test_a_heartbeating_worker_keeps_its_jobs(database: Engine) -> None:
    now = [1000.0]
    queue = Queue(database, clock=lambda: now[0])
    queue.register_worker("alive", "worker")
    queue.enqueue(spec("1"))
    [job] = queue.claim("alive", 1, lease_seconds=15)
    for _ in range(10):  # a long job: 100 s, heartbeating every 10 s
        now[0] += 10
        queue.heartbeat("alive", [job.id], lease_seconds=15)
        assert queue.sweep(dead_after=15).requeued == 0
    queue.complete(job)
    assert queue.get(job.id).state == "done"  # type: ignore[union-attr]


class FlakyQueue(Queue):
    """The database goes away for the first claims."""

    def __init__(self, engine: Engine, failures: int) -> None:
        super().__init__(engine)
        self.failures = failures

    def claim(self, worker: str, limit: int, *, lease_seconds: float = 15.0) -> list[Job]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("server closed the connection unexpectedly")
        return super().claim(worker, limit, lease_seconds=lease_seconds)


async def test_the_worker_loop_survives_its_own_exceptions(sqlite_database: Engine) -> None:
    queue = FlakyQueue(sqlite_database, failures=3)
    liveness = Liveness()

    async def work(job: Job) -> Completion:
        return Completion()

    queue.enqueue(spec("1"))
    worker = Worker(queue, {"work": work}, poll_interval=0.001, liveness=liveness, worker_id="w")
    stats = await asyncio.wait_for(worker.run(until_idle=True), 10)
    assert stats.done == 1
    assert liveness.errors() == {"worker w": 3}
    assert liveness.problems(stale_after=60) == []  # it stopped because it ran out of work, as asked


async def test_a_loop_that_dies_or_stands_still_is_reported() -> None:
    now = [0.0]
    liveness = Liveness(clock=lambda: now[0])
    liveness.started("scheduler")
    liveness.started("worker w")
    now[0] = 30
    liveness.beat("worker w")
    now[0] = 70
    assert liveness.problems(stale_after=60) == ["the scheduler loop has not turned for 70 s"]
    liveness.beat("scheduler")
    liveness.failed("worker w", RuntimeError("boom"))
    liveness.stopped("worker w", expected=False, because="RuntimeError: boom")
    assert liveness.problems(stale_after=60) == ["the worker w loop stopped 0 s ago: RuntimeError: boom"]


async def test_the_scheduler_survives_a_failing_tick(sqlite_database: Engine) -> None:
    calls = []

    def job() -> JobSpec:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("database away")
        return JobSpec(kind="poll", flow="f", record_key="poll", dedupe_key="poll")

    liveness = Liveness()
    scheduler = Scheduler(Queue(sqlite_database), [Schedule("poll", 0.001, job)], liveness=liveness)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop, resolution=0.001))
    while len(calls) < 4:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert liveness.errors()["scheduler"] == 2
    assert liveness.problems(stale_after=60) == []


def test_processes_starting_at_once_on_a_new_database_all_start(database: Engine) -> None:
    """Five processes migrate one new database at the same moment: all five start (they used to crash
    on alembic_version, four of five)."""
    url = database.url.render_as_string(hide_password=False)
    with database.begin() as db:  # a new database: nothing in it yet
        for table in ("problems", "jobs", "links", "cursors", "webhook_events", "schedule_ticks", "workers",
                      "governor_slots", "governor_state", "incidents", "alembic_version"):  # fmt: skip
            db.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    code = "import sys; from ledgerlink.store.db import open_database; open_database(sys.argv[1])"
    starts = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE)
              for _ in range(5)]  # fmt: skip
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in starts]
    assert [rc for rc, _ in results] == [0] * 5, [err[-500:] for _, err in results]


async def test_sigterm_during_an_on_demand_sync_stops_it_instead_of_killing_it() -> None:
    import os
    import signal

    from ledgerlink.operations import stop_on_signals

    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), 5)  # the process lives on to hand its jobs back
    assert stop.is_set()


def test_a_waiter_whose_wake_up_was_missed_is_woken_by_the_sweep(database: Engine) -> None:
    """On PostgreSQL a customer job can complete between an order's park and its commit, so the
    completion's wake-up misses the order (seen once in a chaos run: one order left waiting). The sweep
    wakes a waiter that no live job provides for and no open incident holds, once its grace is over."""
    now = [1000.0]
    queue = Queue(database, clock=lambda: now[0])
    queue.enqueue(spec("order"))
    [order] = queue.claim("w", 1)
    # the wake-up went by while the park was uncommitted: the provider is done, the order still parks
    customer = JobSpec(kind="c", flow="f", record_key="c", dedupe_key="c", provides="customer:c")
    queue.enqueue(customer)
    [provider] = queue.claim("w", 1)
    queue.complete(provider)
    with database.begin() as db:
        db.execute(update(jobs).where(jobs.c.id == order.id).values(state="waiting", waiting_on="customer:c",
                                                                    worker=None))  # fmt: skip
    queue.register_worker("w", "worker")
    assert queue.sweep(dead_after=15).woken == 0  # within its grace
    now[0] += 16
    queue.heartbeat("w", [])
    assert queue.sweep(dead_after=15).woken == 1
    assert queue.get(order.id).state == "queued"  # type: ignore[union-attr]


def test_a_job_waiting_on_an_open_incident_is_left_waiting(database: Engine) -> None:
    now = [1000.0]
    queue = Queue(database, clock=lambda: now[0])
    queue.enqueue(spec("order"))
    [order] = queue.claim("w", 1)
    queue.wait(order, "incident:netsuite", Problem("AUTH_FAILED", "x", "401", "fix", Severity.PERMANENT))
    with database.begin() as db:
        db.execute(incidents.insert().values(connection="netsuite", code="AUTH_FAILED", problem={},
                                             opened_at=now[0], next_probe_at=now[0]))  # fmt: skip
    now[0] += 100
    assert queue.sweep(dead_after=15).woken == 0
    with database.begin() as db:
        db.execute(update(incidents).values(closed_at=now[0]))
    assert queue.sweep(dead_after=15).woken == 1
