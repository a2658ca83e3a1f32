"""The queue's guarantees, on every backend: dedupe, one running job per record, retries, waits."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine

from ledgerlink.engine.links import Links, LinkWrite
from ledgerlink.engine.problems import Code, Problem, Severity
from ledgerlink.engine.queue import Completion, JobSpec, Queue


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(database: Engine, clock: Clock) -> Queue:
    return Queue(database, max_attempts=3, backoff_base=2, backoff_cap=60, clock=clock, rng=random.Random(1))


def spec(key: str, **kw: object) -> JobSpec:
    return JobSpec(
        kind="orders.sync",
        flow="orders:woo->netsuite",
        record_key=key,
        dedupe_key=f"order:{key}",
        lock_key=f"order:{key}",
        **kw,
    )  # type: ignore[arg-type]


def transient_problem(retry_after: float | None = None) -> Problem:
    return Problem("REMOTE_UNAVAILABLE", "x", "503", "wait", Severity.TRANSIENT, retry_after=retry_after)


def test_a_pending_duplicate_is_not_enqueued(queue: Queue) -> None:
    first = queue.enqueue(spec("1"))
    assert first is not None
    assert queue.enqueue(spec("1")) is None
    assert queue.counts()["queued"] == 1


def test_a_change_seen_while_a_job_runs_makes_it_run_once_more(queue: Queue) -> None:
    queue.enqueue(spec("1"))
    [running] = queue.claim("w1", 10)
    assert queue.enqueue(spec("1")) is None  # no second row: the running job is marked instead
    assert queue.enqueue(spec("1")) is None  # ...once, however many deliveries come
    assert queue.claim("w2", 10) == []
    queue.complete(running)
    [second] = queue.claim("w2", 10)  # a change seen while running is not lost
    assert second.record_key == "1"
    assert second.payload["reason"] == "changed while syncing"
    queue.complete(second)
    assert queue.claim("w2", 10) == []


def test_a_job_marked_to_rerun_that_parks_runs_only_when_resumed(queue: Queue) -> None:
    """The real store's created+updated pair: the first job parks for its customer while the second
    delivery arrives. Parking must not collide with anything, and the order runs once more, not twice."""
    queue.enqueue(spec("1"))
    [running] = queue.claim("w1", 10)
    queue.enqueue(spec("1"))
    queue.enqueue(JobSpec(kind="customers.sync", flow="f", record_key="c", dedupe_key="c", provides="c"))
    queue.wait(running, "c", transient_problem())
    [customer] = queue.claim("w1", 10)
    assert customer.record_key == "c"
    queue.complete(customer)
    [resumed] = queue.claim("w1", 10)
    assert resumed.id == running.id
    queue.complete(resumed)
    assert queue.claim("w1", 10) == []
    assert queue.counts()["done"] == 2


def test_a_job_requeued_after_its_worker_died_takes_over_the_rerun(queue: Queue, clock: Clock) -> None:
    queue.enqueue(spec("1"))
    [lost] = queue.claim("dead-worker", 10, lease_seconds=10)
    queue.enqueue(spec("1"))
    clock.now += 11
    assert queue.requeue_stalled() == 1
    [again] = queue.claim("w2", 10)
    assert again.id == lost.id
    queue.complete(lost)  # the dead worker's late answer changes nothing
    assert queue.get(lost.id).state == "running"  # type: ignore[union-attr]
    assert queue.fail(lost, transient_problem()) == "lost"
    queue.complete(again)
    assert queue.get(again.id).state == "done"  # type: ignore[union-attr]


def test_a_record_has_one_row_in_the_error_queue(queue: Queue) -> None:
    permanent = Problem("SKU_NOT_FOUND", "x", "no item", "create it", Severity.PERMANENT)
    queue.enqueue(spec("1"))
    [first] = queue.claim("w", 10)
    queue.fail(first, permanent)
    queue.enqueue(spec("1"))  # a later webhook for the record tries again
    [second] = queue.claim("w", 10)
    queue.fail(second, permanent)
    assert [j.id for j in queue.find(states=["failed", "dead"])] == [second.id]


def test_one_claim_takes_only_the_oldest_job_of_a_lock_key(queue: Queue) -> None:
    queue.enqueue(JobSpec(kind="k", flow="f", record_key="a", lock_key="L"))
    queue.enqueue(JobSpec(kind="k", flow="f", record_key="b", lock_key="L"))
    queue.enqueue(JobSpec(kind="k", flow="f", record_key="c", lock_key="M"))
    claimed = queue.claim("w", 10)
    assert sorted(j.record_key for j in claimed) == ["a", "c"]


def test_priority_orders_claims(queue: Queue) -> None:
    queue.enqueue(JobSpec(kind="k", flow="catalog", record_key="slow", priority=500))
    queue.enqueue(JobSpec(kind="k", flow="orders", record_key="urgent", priority=10))
    [first] = queue.claim("w", 1)
    assert first.record_key == "urgent"


def test_transient_problems_back_off_then_go_dead(queue: Queue, clock: Clock) -> None:
    queue.enqueue(spec("1"))
    delays = []
    for attempt in range(1, 4):
        [job] = queue.claim("w", 1)
        assert job.attempts == attempt
        state = queue.fail(job, transient_problem())
        if attempt < 3:
            assert state == "retrying"
            run_at = queue.get(job.id).run_at  # type: ignore[union-attr]
            delays.append(run_at - clock.now)
            assert queue.claim("w", 1) == []  # not before its time
            clock.now = run_at
    assert state == "dead"
    assert 1 <= delays[0] <= 2 and 2 <= delays[1] <= 4  # equal jitter around 2^n


def test_retry_after_is_a_floor(queue: Queue, clock: Clock) -> None:
    queue.enqueue(spec("1"))
    [job] = queue.claim("w", 1)
    queue.fail(job, transient_problem(retry_after=30))
    assert queue.get(job.id).run_at - clock.now >= 30  # type: ignore[union-attr]


def test_rate_limits_do_not_spend_attempts(queue: Queue, clock: Clock) -> None:
    queue.enqueue(spec("1"))
    for _ in range(10):
        [job] = queue.claim("w", 1)
        queue.fail(job, Problem(Code.RATE_LIMITED, "x", "429", "wait", Severity.TRANSIENT, retry_after=1))
        clock.now += 120
    assert queue.get(job.id).state == "retrying"  # type: ignore[union-attr]
    assert queue.get(job.id).attempts == 0  # type: ignore[union-attr]


def test_permanent_problems_fail_at_once_and_retry_brings_them_back(queue: Queue) -> None:
    queue.enqueue(spec("1"))
    [job] = queue.claim("w", 1)
    problem = Problem(Code.SKU_NOT_FOUND, "order 1", "SKU X unknown", "create item X")
    assert queue.fail(job, problem) == "failed"
    failed = queue.find(states=["failed"], code="SKU_NOT_FOUND")
    assert [j.id for j in failed] == [job.id]
    assert queue.problems_for(job.id)[0]["fix"] == "create item X"
    assert queue.retry([job.id]) == 1
    [again] = queue.claim("w", 1)
    assert again.id == job.id and again.attempts == 1
    queue.complete(again)
    assert queue.problems_for(job.id)[0]["resolved_at"] is not None


def test_waiting_job_resumes_when_its_dependency_is_done(queue: Queue) -> None:
    queue.enqueue(spec("order-1"))
    [order] = queue.claim("w", 1)
    provider = JobSpec(
        kind="customers.sync",
        flow="customers",
        record_key="c1",
        provides="customer:c1",
        dedupe_key="customer:c1",
    )
    queue.enqueue(provider)
    queue.wait(order, "customer:c1", Problem("WAITING", "order", "customer first", "nothing"))
    [customer] = queue.claim("w", 5)
    assert customer.kind == "customers.sync"
    queue.complete(customer)
    [resumed] = queue.claim("w", 5)
    assert resumed.id == order.id and resumed.attempts == 1


def test_waiters_fail_with_their_dependency_and_return_with_it(queue: Queue) -> None:
    queue.enqueue(spec("order-1"))
    [order] = queue.claim("w", 1)
    queue.enqueue(JobSpec(kind="customers.sync", flow="customers", record_key="c1", provides="customer:c1"))
    queue.wait(order, "customer:c1", Problem("WAITING", "order", "customer first", "nothing"))
    [customer] = queue.claim("w", 5)
    queue.fail(customer, Problem(Code.CUSTOMER_INCOMPLETE, "c1", "no email", "add an email"))
    assert queue.get(order.id).state == "failed"  # type: ignore[union-attr]
    assert queue.get(order.id).problem["code"] == "DEPENDENCY_FAILED"  # type: ignore[index,union-attr]
    queue.retry([customer.id])
    [customer] = queue.claim("w", 5)
    queue.complete(customer)
    assert queue.get(order.id).state == "queued"  # type: ignore[union-attr]


def test_stalled_jobs_are_claimed_again(queue: Queue, clock: Clock) -> None:
    queue.enqueue(spec("1"))
    queue.claim("dead-worker", 1, lease_seconds=10)
    clock.now += 11
    assert queue.requeue_stalled() == 1
    [job] = queue.claim("w2", 1)
    assert job.attempts == 2


def test_completion_writes_links_and_cursor_atomically(queue: Queue, database: Engine) -> None:
    queue.enqueue(spec("1"))
    [job] = queue.claim("w", 1)
    link = LinkWrite("order", "woo", "1", "netsuite", "501", "woo:order:1", fingerprint="abc")
    queue.complete(job, Completion(links=[link, link], cursor=("orders", 123.0, "1")))
    links = Links(database)
    assert links.count("order") == 1
    assert links.get("order", "woo", "1", "netsuite").target_id == "501"  # type: ignore[union-attr]


def test_orders_behind_ten_thousand_catalog_jobs_start_in_the_next_claim(
    queue: Queue, database: Engine
) -> None:
    with database.begin() as connection:
        for n in range(10_000):
            queue.enqueue(JobSpec(kind="catalog", flow="catalog", record_key=str(n), lane="catalog",
                                  priority=500), connection=connection)  # fmt: skip
    for n in range(5):
        queue.enqueue(JobSpec(kind="order", flow="orders", record_key=str(n), lane="orders", priority=10))
    claimed = queue.claim("w", 8)
    assert [j.lane for j in claimed[:5]] == ["orders"] * 5


def test_overview_and_retention(queue: Queue, clock: Clock) -> None:
    for key in ("1", "2", "3"):
        queue.enqueue(spec(key))
    clock.now += 30
    overview = queue.overview()
    assert overview.by_lane[("default", "queued")] == 3
    assert overview.oldest_runnable_age == 30
    for job in queue.claim("w", 2):
        queue.complete(job)
    assert queue.overview().throughput[60] == 2 / 60
    clock.now += 91 * 86400
    assert queue.purge(older_than_days=90) == 2
    assert queue.counts()["done"] == 0 and queue.counts()["queued"] == 1
