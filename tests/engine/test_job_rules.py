"""The rules for a record's jobs hold under any interleaving of what can happen to them.

A stateful property test drives a handful of records through enqueue, claim, park (waiting on a
customer that another job provides), complete, fail (transient, permanent, rate-limited), release,
lease expiry with the sweep, operator retry and the clock moving, on SQLite and PostgreSQL. After every
step: at most one live job per record and one running job per lock key. No step may raise. At the end
the engine drains by itself (workers that claim and complete), and every record ends done or in the
error queue, with nothing live left behind.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, delete, select

from ledgerlink.engine.job_rules import ERROR_STATES, LIVE_STATES, TRANSITIONS, allowed
from ledgerlink.engine.problems import Code, Problem, Severity
from ledgerlink.engine.queue import Job, JobSpec, Queue
from ledgerlink.store.tables import jobs, problems, workers

ORDERS = ("a", "b", "c")
CUSTOMER = "customer:buyer"
LEASE = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def order_spec(record: str) -> JobSpec:
    return JobSpec(kind="orders.sync", flow="orders", record_key=record, dedupe_key=f"order:{record}",
                   lock_key=f"order:{record}", max_attempts=3)  # fmt: skip


def customer_spec() -> JobSpec:
    return JobSpec(kind="customers.sync", flow="orders", record_key=CUSTOMER, dedupe_key=CUSTOMER,
                   lock_key=CUSTOMER, provides=CUSTOMER, rerun_if_running=False, max_attempts=3)  # fmt: skip


PROBLEMS = {
    "transient": Problem("REMOTE_UNAVAILABLE", "x", "503", "wait", Severity.TRANSIENT),
    "permanent": Problem("SKU_NOT_FOUND", "x", "no item", "create it", Severity.PERMANENT),
    "rate": Problem(Code.RATE_LIMITED, "x", "429", "wait", Severity.TRANSIENT, retry_after=1.0),
}
WAITING = Problem("WAITING_FOR_CUSTOMER", "x", "new customer", "nothing", Severity.TRANSIENT)


def live_rows(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(jobs).where(jobs.c.state.in_(LIVE_STATES))).mappings())


def lifecycle_machine(engine: Engine) -> type[RuleBasedStateMachine]:
    class JobLifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            with engine.begin() as connection:
                for table in (problems, jobs, workers):
                    connection.execute(delete(table))
            self.clock = Clock()
            self.queue = Queue(engine, max_attempts=3, backoff_base=1, backoff_cap=5, clock=self.clock,
                               rng=random.Random(7))  # fmt: skip
            self.held: dict[int, Job] = {}  # claimed jobs as their worker knows them (maybe stale)
            self.records: set[str] = set()

        def _take(self, data: st.DataObject) -> Job:
            job_id = data.draw(st.sampled_from(sorted(self.held)))
            return self.held.pop(job_id)

        @rule(record=st.sampled_from(ORDERS))
        def enqueue_order(self, record: str) -> None:
            self.queue.enqueue(order_spec(record))
            self.records.add(f"order:{record}")

        @rule()
        def enqueue_customer(self) -> None:
            self.queue.enqueue(customer_spec())
            self.records.add(CUSTOMER)

        @rule(worker=st.sampled_from(("w1", "w2")), limit=st.integers(1, 3))
        def claim(self, worker: str, limit: int) -> None:
            for job in self.queue.claim(worker, limit, lease_seconds=LEASE):
                self.held[job.id] = job

        @precondition(lambda self: self.held)
        @rule(data=st.data())
        def complete(self, data: st.DataObject) -> None:
            self.queue.complete(self._take(data))

        @precondition(lambda self: any(j.kind == "orders.sync" for j in self.held.values()))
        @rule(data=st.data())
        def park_for_customer(self, data: st.DataObject) -> None:
            orders = sorted(i for i, j in self.held.items() if j.kind == "orders.sync")
            job = self.held.pop(data.draw(st.sampled_from(orders)))
            self.queue.enqueue(customer_spec())  # as the worker does for WaitFor
            self.records.add(CUSTOMER)
            self.queue.wait(job, CUSTOMER, WAITING)

        @precondition(lambda self: self.held)
        @rule(data=st.data(), kind=st.sampled_from(sorted(PROBLEMS)))
        def fail(self, data: st.DataObject, kind: str) -> None:
            self.queue.fail(self._take(data), PROBLEMS[kind])

        @precondition(lambda self: self.held)
        @rule(data=st.data())
        def release(self, data: st.DataObject) -> None:
            self.queue.release(self._take(data))

        @rule()
        def workers_go_silent(self) -> None:
            """Every lease runs out; the sweep requeues. Held handles go stale (their worker 'died' and
            may still answer late: those answers must change nothing and raise nothing)."""
            self.clock.now += LEASE + 1
            self.queue.sweep(dead_after=LEASE)

        @rule(seconds=st.sampled_from((0.5, 2.0, 6.0)))
        def time_passes(self, seconds: float) -> None:
            self.clock.now += seconds

        @rule()
        def operator_retries_everything(self) -> None:
            self.queue.retry(j.id for j in self.queue.find(states=ERROR_STATES, limit=1000))

        @invariant()
        def one_live_job_per_record_and_one_running_per_lock(self) -> None:
            rows = live_rows(engine)
            live = Counter(row["dedupe_key"] for row in rows)
            running = Counter(row["lock_key"] for row in rows if row["state"] == "running")
            assert all(n == 1 for n in live.values()), live
            assert all(n == 1 for n in running.values()), running

        def teardown(self) -> None:
            """The engine drains by itself: workers claim and complete until nothing is live."""
            for _round in range(100):
                self.clock.now += 1000
                self.queue.sweep(dead_after=LEASE)
                claimed = self.queue.claim("drainer", 100, lease_seconds=LEASE)
                for job in claimed:
                    self.queue.complete(job)
                if not live_rows(engine):
                    break
            assert live_rows(engine) == []
            with engine.connect() as connection:
                for record in self.records:
                    last = connection.execute(
                        select(jobs.c.state).where(jobs.c.dedupe_key == record).order_by(jobs.c.id.desc())
                    ).first()
                    assert last is not None and last.state in ("done", *ERROR_STATES), (record, last)

    return JobLifecycle


@pytest.mark.parametrize("steps", [40])
def test_no_interleaving_breaks_the_rules(database: Engine, steps: int) -> None:
    examples = 60 if database.dialect.name == "sqlite" else 30
    run_state_machine_as_test(
        lifecycle_machine(database),
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_the_transition_table_names_every_move() -> None:
    assert allowed("park", "running", "waiting")
    assert not allowed("park", "queued", "waiting")
    assert allowed("requeue_stalled", "running", "retrying")
    every_target = {target for _sources, targets in TRANSITIONS.values() for target in targets}
    assert every_target == {"queued", "running", "waiting", "retrying", "failed", "dead", "done"}


def test_deliveries_racing_a_running_job_never_collide(database: Engine) -> None:
    """Threads deliver the same record again and again while a worker claims, parks, resumes and
    completes it: nothing raises, and at no point are there two live jobs for the record."""
    queue = Queue(database, max_attempts=50)
    errors: list[BaseException] = []
    done = threading.Event()

    def deliver() -> None:
        try:
            while not done.is_set():
                queue.enqueue(order_spec("hot"))
        except BaseException as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    senders = [threading.Thread(target=deliver) for _ in range(3)]
    for sender in senders:
        sender.start()
    try:
        for turn in range(150):
            for job in queue.claim("worker", 5):
                if job.kind == "orders.sync" and turn % 3 == 0:
                    queue.enqueue(customer_spec())
                    queue.wait(job, CUSTOMER, WAITING)
                else:
                    queue.complete(job)
            live = Counter(row["dedupe_key"] for row in live_rows(database))
            assert all(n == 1 for n in live.values()), live
    finally:
        done.set()
        for sender in senders:
            sender.join()
    assert errors == []
