"""Workers run handlers concurrently, record outcomes, and give work back when stopped."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from ledgerlink.engine.problems import Code, Problem, Severity, permanent
from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue
from ledgerlink.engine.scheduler import Schedule, Scheduler
from ledgerlink.engine.worker import WaitFor, Worker


def spec(key: str, kind: str = "work") -> JobSpec:
    return JobSpec(kind=kind, flow="f", record_key=key, dedupe_key=key, lock_key=key)


async def test_jobs_run_concurrently_and_complete(sqlite_database: Engine) -> None:
    queue = Queue(sqlite_database)
    running = 0
    peak = 0

    async def handler(job: Job) -> Completion:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        return Completion(result={"key": job.record_key})

    for n in range(20):
        queue.enqueue(spec(str(n)))
    stats = await Worker(queue, {"work": handler}, concurrency=5, poll_interval=0.01).run(until_idle=True)
    assert stats.done == 20
    assert 1 < peak <= 5
    assert queue.counts()["done"] == 20


async def test_problems_and_crashes_are_recorded(sqlite_database: Engine) -> None:
    queue = Queue(sqlite_database, max_attempts=1)

    async def refuse(job: Job) -> Completion:
        raise permanent(Code.SKU_NOT_FOUND, "order", "no SKU X", "create X")

    async def crash(job: Job) -> Completion:
        raise KeyError("boom")

    queue.enqueue(spec("a", "refuse"))
    queue.enqueue(spec("b", "crash"))
    await Worker(queue, {"refuse": refuse, "crash": crash}, poll_interval=0.01).run(until_idle=True)
    failed = {j.record_key: j for j in queue.find(states=["failed", "dead"])}
    assert failed["a"].state == "failed" and failed["a"].problem["code"] == "SKU_NOT_FOUND"  # type: ignore[index]
    assert failed["b"].state == "dead" and failed["b"].problem["code"] == "UNEXPECTED"  # type: ignore[index]
    assert "KeyError" in failed["b"].problem["why"]  # type: ignore[index]


async def test_a_job_waits_for_the_job_it_depends_on(sqlite_database: Engine) -> None:
    queue = Queue(sqlite_database)
    order: list[str] = []

    async def needs_customer(job: Job) -> Completion:
        if "customer" not in order:
            waiting = Problem("WAITING", "order", "customer first", "none", Severity.TRANSIENT)
            provider = JobSpec(kind="customer", flow="f", record_key="c1", provides="customer:1")
            raise WaitFor("customer:1", waiting, provider)
        order.append("order")
        return Completion()

    async def customer(job: Job) -> Completion:
        order.append("customer")
        return Completion()

    queue.enqueue(spec("o1", "order"))
    await Worker(queue, {"order": needs_customer, "customer": customer}, poll_interval=0.01).run(
        until_idle=True
    )
    assert order == ["customer", "order"]


async def test_stopping_releases_jobs_still_running_after_the_deadline(sqlite_database: Engine) -> None:
    queue = Queue(sqlite_database)
    started = asyncio.Event()

    async def slow(job: Job) -> Completion:
        started.set()
        await asyncio.sleep(60)
        return Completion()

    queue.enqueue(spec("slow", "slow"))
    stop = asyncio.Event()
    worker = Worker(queue, {"slow": slow}, poll_interval=0.01)
    task = asyncio.create_task(worker.run(stop, drain_seconds=0.1))
    await started.wait()
    stop.set()
    await asyncio.wait_for(task, 5)
    [job] = queue.find()
    assert job.state == "queued" and job.attempts == 0  # given back, attempt not spent


def test_periodic_triggers_fire_once_per_period_across_schedulers(database: Engine) -> None:
    """On PostgreSQL too: the driver reports -1 rows for an insert that did nothing, which once made
    every tick fire (the daily purge ran about 250 times in a run)."""
    now = [1000.0]
    queue = Queue(database, clock=lambda: now[0])
    schedule = Schedule("poll", 60, lambda: JobSpec(kind="poll", flow="f", record_key="poll",
                                                    dedupe_key="poll"))  # fmt: skip
    first, second = (
        Scheduler(queue, [schedule], clock=lambda: now[0]),
        Scheduler(queue, [schedule], clock=lambda: now[0]),
    )
    assert len(first.tick()) == 1
    assert second.tick() == [] and first.tick() == []
    now[0] += 60
    [job] = queue.claim("w", 1)
    queue.complete(job)
    assert len(second.tick()) == 1 and first.tick() == []
