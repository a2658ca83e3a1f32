"""The durable job queue.

States: queued -> running -> done, or running -> retrying (transient problem, backoff) -> running, or
running -> waiting (on a dependency or a connection incident; resumes by itself when it is provided), or
running -> failed (permanent problem: an operator must act) / dead (transient problem that outlived
its attempts). ``failed`` and ``dead`` jobs are the error queue; retry puts them back to queued.
The rules for a record's jobs in every state, and what an enqueue does to each, are in
:mod:`ledgerlink.engine.job_rules`.

Two guarantees live in the schema, not in code paths that could race:
- a partial unique index on ``dedupe_key`` among live jobs (queued, retrying, waiting, running), so a
  replayed webhook cannot add a second job for a record that has one, and no state change of the one
  job can collide with another;
- a partial unique index on ``lock_key`` among running jobs, plus a claim that only takes the oldest
  pending job of each lock key, so two jobs for one record never run at once.

Every outcome (complete, fail, park, release) applies only while the job is still running under the
worker that claimed it: a worker that lost its lease (it stopped heartbeating and the sweep requeued
the job) cannot overwrite what the job's next run does.
"""

from __future__ import annotations

import os
import random
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Engine,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ledgerlink.engine.backoff import retry_delay
from ledgerlink.engine.cursors import advance_cursor
from ledgerlink.engine.job_rules import (
    ALL_STATES,
    ERROR_STATES,
    LIVE_STATES,
    PENDING_STATES,
    RUNNABLE_STATES,
)
from ledgerlink.engine.lanes import priority_of
from ledgerlink.engine.links import LinkWrite, upsert_link
from ledgerlink.engine.problems import Code, Problem, Severity, Team
from ledgerlink.store.tables import (
    governor_slots,
    incidents,
    jobs,
    problems,
    schedule_ticks,
    webhook_events,
    workers,
)

__all__ = ["ALL_STATES", "ERROR_STATES", "RUNNABLE_STATES", "Completion", "Job", "JobSpec", "Queue"]

log = structlog.get_logger("ledgerlink.queue")

ENQUEUE_ROUNDS = 3  # insert, or mark the running job to re-run; a job finishing in between asks again


@dataclass(frozen=True)
class JobSpec:
    """What to enqueue."""

    kind: str
    flow: str
    record_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    lock_key: str | None = None
    provides: str | None = None
    lane: str = "default"
    priority: int | None = None  # defaults to the lane's priority
    run_at: float | None = None
    max_attempts: int | None = None
    # When the record's job is running, ask it to run once more after it finishes (job_rules): right for
    # a change announced by a webhook, needless for a dependency the running job is providing anyway.
    rerun_if_running: bool = True


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    flow: str
    record_key: str
    payload: dict[str, Any]
    state: str
    lock_key: str
    provides: str | None
    attempts: int
    max_attempts: int
    lane: str
    priority: int
    run_at: float
    created_at: float
    updated_at: float
    problem: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    waiting_on: str | None = None
    worker: str | None = None
    finished_at: float | None = None
    dedupe_key: str | None = None
    rerun: int = 0

    @property
    def trace_key(self) -> str:
        return f"{self.flow}|{self.record_key}"


@dataclass(frozen=True)
class QueueOverview:
    by_lane: dict[tuple[str, str], int]  # (lane, state) -> jobs
    oldest_runnable_age: float | None  # seconds the oldest due job has waited since it was enqueued
    throughput: dict[int, float]  # window in seconds -> jobs done per second
    live_workers: int


@dataclass
class Completion:
    """What a handler hands back: written in the same transaction that marks the job done."""

    result: dict[str, Any] = field(default_factory=dict)
    links: list[LinkWrite] = field(default_factory=list)
    cursor: tuple[str, float, str | None] | None = None  # (flow, source modified-at, record id)
    enqueue: list[JobSpec] = field(default_factory=list)


def _state_constants(states: tuple[str, ...]) -> list[ColumnElement[str]]:
    return [literal(state, String, literal_execute=True) for state in states]


def _job(row: Any) -> Job:
    return Job(**{name: row[name] for name in Job.__dataclass_fields__})


def worker_identity(role: str = "all") -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{role}:{random.randrange(16**6):06x}"


class Queue:
    def __init__(
        self,
        engine: Engine,
        *,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.clock = clock
        self.rng = rng or random.Random()

    # -- enqueueing ---------------------------------------------------------------------------------

    def enqueue(self, spec: JobSpec, *, connection: Connection | None = None) -> int | None:
        """Insert a job; None when the record has a live job already (which then does the work, marked
        to re-run once if it is running: see :mod:`ledgerlink.engine.job_rules`)."""
        if connection is not None:
            return self._enqueue(connection, spec)
        with self.engine.begin() as conn:
            return self._enqueue(conn, spec)

    def _enqueue(self, connection: Connection, spec: JobSpec) -> int | None:
        if spec.dedupe_key is None:
            return self._insert(connection, spec)
        for _round in range(ENQUEUE_ROUNDS):
            job_id = self._insert(connection, spec)
            if job_id is not None:
                return job_id
            if not spec.rerun_if_running:
                return None
            marked = connection.execute(
                update(jobs)
                .where(jobs.c.dedupe_key == spec.dedupe_key, jobs.c.state == "running")
                .values(rerun=1)
                .returning(jobs.c.id)
            ).first()
            if marked is not None:
                return None
            pending = connection.execute(
                select(jobs.c.id)
                .where(jobs.c.dedupe_key == spec.dedupe_key, jobs.c.state.in_(PENDING_STATES))
                .limit(1)
            ).first()
            if pending is not None:
                return None
            # The live job finished between the insert and the mark: the record has none now; insert.
        return None

    def _insert(self, connection: Connection, spec: JobSpec) -> int | None:
        now = self.clock()
        values = {
            "kind": spec.kind,
            "flow": spec.flow,
            "record_key": spec.record_key,
            "payload": spec.payload,
            "state": "queued",
            "lane": spec.lane,
            "priority": spec.priority if spec.priority is not None else priority_of(spec.lane),
            "dedupe_key": spec.dedupe_key,
            "lock_key": spec.lock_key or f"{spec.kind}:{spec.record_key}",
            "provides": spec.provides,
            "attempts": 0,
            "max_attempts": spec.max_attempts or self.max_attempts,
            "run_at": spec.run_at if spec.run_at is not None else now,
            "created_at": now,
            "updated_at": now,
        }
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        statement = insert(jobs).values(**values).on_conflict_do_nothing().returning(jobs.c.id)
        return connection.execute(statement).scalar()

    # -- claiming -----------------------------------------------------------------------------------

    def claim(self, worker: str, limit: int, *, lease_seconds: float = 15.0) -> list[Job]:
        """Take up to ``limit`` runnable jobs, at most one per lock key, oldest pending first per key.

        The lease is short: the worker's heartbeat renews it, and a worker that stops heartbeating loses
        its jobs to the sweep within ``lease_seconds``."""
        if limit <= 0:
            return []
        now = self.clock()
        other = jobs.alias("other")
        # States are written into the SQL as constants, not parameters: only then can the planner use
        # the partial indexes (runnable jobs in claim order, running jobs by lock key), and a claim reads
        # a few index entries instead of the whole backlog.
        runnable, running = _state_constants(RUNNABLE_STATES), _state_constants(("running",))
        candidate = (
            select(jobs.c.id)
            .where(
                jobs.c.state.in_(runnable),
                jobs.c.run_at <= now,
                ~exists().where(other.c.lock_key == jobs.c.lock_key, other.c.state.in_(running)),
                ~exists().where(
                    other.c.lock_key == jobs.c.lock_key,
                    other.c.state.in_(runnable),
                    other.c.id < jobs.c.id,
                ),
            )
            .order_by(jobs.c.priority, jobs.c.run_at, jobs.c.id)
            .limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            # Concurrent claimers skip rows another claimer is taking instead of queueing behind it.
            candidate = candidate.with_for_update(skip_locked=True, of=jobs)
        statement = (
            update(jobs)
            # The state is checked again on the row itself: on PostgreSQL a claimer that waited for a row
            # lock re-reads the row, and must not take a job another claimer has just started.
            .where(jobs.c.id.in_(candidate.scalar_subquery()), jobs.c.state.in_(runnable))
            .values(
                state="running",
                worker=worker,
                lease_until=now + lease_seconds,
                attempts=jobs.c.attempts + 1,
                rerun=0,
                updated_at=now,
            )
            .returning(*jobs.c)
        )
        try:
            with self.engine.begin() as connection:
                rows = connection.execute(statement).mappings().all()
        except IntegrityError:
            return []  # another claimer took a job of the same lock key first; try next cycle
        return sorted((_job(row) for row in rows), key=lambda j: (j.priority, j.run_at, j.id))

    def heartbeat(self, worker: str, job_ids: Iterable[int], *, lease_seconds: float = 15.0) -> None:
        """Renew the leases of the worker's jobs and say the worker is alive."""
        ids = list(job_ids)
        now = self.clock()
        with self.engine.begin() as connection:
            if ids:
                connection.execute(
                    update(jobs)
                    .where(jobs.c.id.in_(ids), jobs.c.worker == worker, jobs.c.state == "running")
                    .values(lease_until=now + lease_seconds)
                )
            connection.execute(update(workers).where(workers.c.id == worker).values(heartbeat_at=now))

    def register_worker(self, worker: str, role: str) -> None:
        now = self.clock()
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        with self.engine.begin() as connection:
            connection.execute(
                insert(workers)
                .values(
                    id=worker,
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    role=role,
                    started_at=now,
                    heartbeat_at=now,
                )
                .on_conflict_do_nothing()
            )

    def unregister_worker(self, worker: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(workers).where(workers.c.id == worker))
            _free_slots_of(connection, [worker])

    def requeue_stalled(self) -> int:
        """Jobs whose worker stopped renewing their lease go back to the queue; their attempt counts."""
        now = self.clock()
        with self.engine.begin() as connection:
            requeued = connection.execute(
                update(jobs)
                .where(jobs.c.state == "running", jobs.c.lease_until < now)
                .values(state="retrying", worker=None, lease_until=None, rerun=0, run_at=now, updated_at=now)
                .returning(jobs.c.id)
            ).all()
        return len(requeued)

    def sweep(self, *, dead_after: float) -> SweepResult:
        """What a dead process left behind, found by its silence: jobs whose lease ran out go back to the
        queue, workers that have not heartbeated for ``dead_after`` seconds are removed, and the NetSuite
        concurrency slots they held are freed (without waiting for the slots' own leases)."""
        requeued = self.requeue_stalled()
        cutoff = self.clock() - dead_after
        with self.engine.begin() as connection:
            dead = list(
                connection.execute(
                    delete(workers).where(workers.c.heartbeat_at < cutoff).returning(workers.c.id)
                ).scalars()
            )
            freed = _free_slots_of(connection, dead)
            woken = self._wake_orphaned_waiters(connection, grace=dead_after)
        return SweepResult(requeued=requeued, dead_workers=dead, freed_slots=freed, woken=woken)

    def _wake_orphaned_waiters(self, connection: Connection, *, grace: float) -> int:
        """Requeue waiting jobs that nothing will wake: no live job provides what they wait on, and no
        open incident is named by it. On PostgreSQL a provider can complete between a waiter's park and
        its commit, so its wake-up misses the waiter; and a provider's row may have been purged or lost.
        The waiter runs again and finds its dependency, or asks for it once more."""
        now = self.clock()
        provider = jobs.alias("provider")
        open_incident = exists().where(
            literal("incident:") + incidents.c.connection == jobs.c.waiting_on,
            incidents.c.closed_at.is_(None),
        )
        live = _state_constants(LIVE_STATES)
        woken = connection.execute(
            update(jobs)
            .where(
                jobs.c.state == "waiting",
                jobs.c.updated_at < now - grace,
                ~exists().where(provider.c.provides == jobs.c.waiting_on, provider.c.state.in_(live)),
                ~open_incident,
            )
            .values(state="queued", waiting_on=None, run_at=now, updated_at=now)
            .returning(jobs.c.id)
        ).all()
        if woken:
            log.warning("woke waiting jobs nothing would wake", jobs=[row.id for row in woken])
        return len(woken)

    def release(self, job: Job) -> None:
        """Give a claimed job back untouched (shutdown before it finished): its attempt is not spent."""
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(*_still_held(job))
                .values(
                    state="queued",
                    worker=None,
                    lease_until=None,
                    attempts=jobs.c.attempts - 1,
                    run_at=now,
                    updated_at=now,
                )
            )

    # -- outcomes -----------------------------------------------------------------------------------

    def complete(self, job: Job, completion: Completion | None = None) -> None:
        self.complete_many([(job, completion or Completion())])

    def complete_many(self, finished: list[tuple[Job, Completion]]) -> None:
        """Mark jobs done, with their links, cursors and follow-up jobs, in one transaction.

        Workers hand over completions in batches: one commit for many jobs is what makes thousands of
        jobs a second possible. A crash before the commit leaves the jobs running until their lease
        expires; they then run again, which the upserts by external id make harmless. Links are written
        even for a job whose lease was lost meanwhile: they record what the target now holds.
        """
        if not finished:
            return
        now = self.clock()
        with self.engine.begin() as connection:
            for _job, completion in finished:
                for link in completion.links:
                    upsert_link(connection, link, now=now)
                if completion.cursor:
                    advance_cursor(connection, *completion.cursor)
                for spec in completion.enqueue:
                    self._enqueue(connection, spec)
            completed: dict[int, int] = {}
            by_worker: dict[str | None, list[int]] = {}
            for job, _completion in finished:
                by_worker.setdefault(job.worker, []).append(job.id)
            for worker, ids in by_worker.items():
                rows = connection.execute(
                    update(jobs)
                    .where(jobs.c.id.in_(ids), jobs.c.state == "running", _held_by(worker))
                    .values(
                        state="done",
                        problem=None,
                        waiting_on=None,
                        worker=None,
                        lease_until=None,
                        updated_at=now,
                        finished_at=now,
                    )
                    .returning(jobs.c.id, jobs.c.rerun)
                ).all()
                completed.update({row.id: row.rerun for row in rows})
            done = [(job, completion) for job, completion in finished if job.id in completed]
            if not done:
                return
            connection.execute(
                update(jobs)
                .where(jobs.c.id == bindparam("done_id"))
                .values(result=bindparam("done_result", type_=JSON)),
                [{"done_id": job.id, "done_result": completion.result} for job, completion in done],
            )
            for job, _completion in done:
                if completed[job.id]:
                    self._insert(connection, _rerun_spec(job))
                if job.provides:
                    self._resume_waiters(connection, job.provides, now)
            # A later success settles earlier failures of the same record: their problems are resolved
            # and their jobs leave the error queue.
            trace_keys = sorted({job.trace_key for job, _ in done})
            lock_keys = sorted({job.lock_key for job, _ in done})
            connection.execute(
                update(problems)
                .where(problems.c.trace_key.in_(trace_keys), problems.c.resolved_at.is_(None))
                .values(resolved_at=now)
            )
            connection.execute(
                update(jobs)
                .where(jobs.c.lock_key.in_(lock_keys), jobs.c.state.in_(ERROR_STATES))
                .values(state="done", result={"resolved": "a later run of the same record succeeded"},
                        updated_at=now, finished_at=now)
            )  # fmt: skip

    def resume_waiting(self, key: str, *, connection: Connection | None = None) -> int:
        """Put the jobs waiting on ``key`` (a dependency or a connection incident) back in the queue; in
        ``connection``'s transaction when given (a closing incident resumes its jobs in its own)."""
        if connection is not None:
            return self._resume_waiters(connection, key, self.clock())
        with self.engine.begin() as own:
            return self._resume_waiters(own, key, self.clock())

    def _resume_waiters(self, connection: Connection, key: str, now: float) -> int:
        resumed = connection.execute(
            update(jobs)
            .where(jobs.c.state == "waiting", jobs.c.waiting_on == key)
            .values(state="queued", waiting_on=None, attempts=0, run_at=now, updated_at=now)
            .returning(jobs.c.id)
        ).all()
        # Failed waiters keep ``waiting_on`` (see _fail_waiters): they come back with their dependency,
        # unless their record has a live job by now, which then does the work.
        failed = connection.execute(
            select(jobs.c.id).where(jobs.c.state == "failed", jobs.c.waiting_on == key)
        ).scalars()
        back = self._move_each(
            connection,
            list(failed),
            dict(state="queued", waiting_on=None, attempts=0, run_at=now, updated_at=now, finished_at=None),
            now,
        )
        return len(resumed) + back

    def _move_each(self, connection: Connection, ids: list[int], values: dict[str, Any], now: float) -> int:
        """Move error-queue jobs back to the live states one by one; a job whose record has a live job
        already is settled instead (that job does the work), so the move can never collide."""
        moved = 0
        for job_id in ids:
            try:
                with connection.begin_nested():
                    result = connection.execute(
                        update(jobs)
                        .where(jobs.c.id == job_id, jobs.c.state.in_(ERROR_STATES))
                        .values(**values)
                        .returning(jobs.c.id)
                    ).first()
                    moved += result is not None
            except IntegrityError:
                connection.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id)
                    .values(state="done", result={"superseded": True}, updated_at=now, finished_at=now)
                )
                moved += 1
        return moved

    def fail(self, job: Job, problem: Problem) -> str:
        """Record a problem and decide the job's next state; returns that state, or ``lost`` when the
        job's lease was lost meanwhile (its next run decides)."""
        now = self.clock()
        if problem.code == Code.RATE_LIMITED:
            # Throttling says nothing about the job: snooze it without spending an attempt.
            state, attempts_delta = "retrying", -1
            run_at = now + retry_delay(
                1, base=self.backoff_base, cap=self.backoff_cap, retry_after=problem.retry_after, rng=self.rng
            )
        elif problem.severity is Severity.TRANSIENT and job.attempts < job.max_attempts:
            state, attempts_delta = "retrying", 0
            run_at = now + retry_delay(
                job.attempts,
                base=self.backoff_base,
                cap=self.backoff_cap,
                retry_after=problem.retry_after,
                rng=self.rng,
            )
        elif problem.severity is Severity.TRANSIENT:
            state, attempts_delta, run_at = "dead", 0, now
        else:
            state, attempts_delta, run_at = "failed", 0, now
        with self.engine.begin() as connection:
            moved = connection.execute(
                update(jobs)
                .where(*_still_held(job))
                .values(
                    state=state,
                    problem=problem.as_dict(),
                    attempts=jobs.c.attempts + attempts_delta,
                    run_at=run_at,
                    worker=None,
                    lease_until=None,
                    updated_at=now,
                    finished_at=now if state in ERROR_STATES else None,
                )
                .returning(jobs.c.rerun)  # the mark as it stands once the row is ours
            ).first()
            if moved is None:
                return "lost"
            if moved.rerun:
                connection.execute(update(jobs).where(jobs.c.id == job.id).values(rerun=0))
            if problem.code != Code.RATE_LIMITED:
                self._record_problem(connection, job, problem, now)
            if state in ERROR_STATES:
                self._supersede_older_errors(connection, job, now)
                if moved.rerun:
                    # A change arrived while this run failed: it may be the fix, so look once more. Jobs
                    # waiting on this one keep waiting for that run.
                    self._insert(connection, _rerun_spec(job))
                elif job.provides:
                    self._fail_waiters(connection, job, problem, now)
        return state

    def wait(self, job: Job, on: str, problem: Problem) -> None:
        """Park a job until the job that ``provides`` ``on`` completes (or the incident named ``on``
        closes). The attempt is not spent; it runs again on resuming, so a re-run mark is cleared."""
        now = self.clock()
        with self.engine.begin() as connection:
            parked = connection.execute(
                update(jobs)
                .where(*_still_held(job))
                .values(
                    state="waiting",
                    waiting_on=on,
                    problem=problem.as_dict(),
                    attempts=jobs.c.attempts - 1,
                    worker=None,
                    lease_until=None,
                    rerun=0,
                    updated_at=now,
                )
                .returning(jobs.c.id)
            ).first()
            if parked is None:
                return
            # The dependency may have completed between the handler's check and now.
            provider_done = connection.execute(
                select(jobs.c.id).where(jobs.c.provides == on, jobs.c.state == "done").limit(1)
            ).first()
            provider_live = connection.execute(
                select(jobs.c.id).where(jobs.c.provides == on, jobs.c.state.in_(LIVE_STATES)).limit(1)
            ).first()
            if provider_done and not provider_live:
                self._resume_waiters(connection, on, now)

    def _fail_waiters(self, connection: Connection, provider: Job, problem: Problem, now: float) -> None:
        waiting = (
            connection.execute(
                select(jobs).where(jobs.c.state == "waiting", jobs.c.waiting_on == provider.provides)
            )
            .mappings()
            .all()
        )
        for row in waiting:
            waiter = _job(row)
            blocked = Problem(
                code="DEPENDENCY_FAILED",
                what=f"{waiter.flow} {waiter.record_key} needs {provider.provides}",
                why=f"syncing {provider.provides} failed: {problem.code}: {problem.why}",
                fix=f"fix job {provider.id} first (ledgerlink errors show {provider.id}); "
                f"retrying it brings this record through as well",
                severity=Severity.PERMANENT,
                team=problem.team,
                details={"dependency_job": provider.id},
            )
            # The waiter keeps ``waiting_on``: when the provider is retried and succeeds, it comes back.
            connection.execute(
                update(jobs)
                .where(jobs.c.id == waiter.id, jobs.c.state == "waiting")
                .values(state="failed", problem=blocked.as_dict(), updated_at=now, finished_at=now)
            )
            self._record_problem(connection, waiter, blocked, now)
            self._supersede_older_errors(connection, waiter, now)

    def _supersede_older_errors(self, connection: Connection, job: Job, now: float) -> None:
        """The error queue holds one row per record: the newest failure stands for the older ones."""
        if job.dedupe_key is None:
            return
        connection.execute(
            update(jobs)
            .where(jobs.c.dedupe_key == job.dedupe_key, jobs.c.state.in_(ERROR_STATES), jobs.c.id != job.id)
            .values(state="done", result={"superseded_by": job.id}, updated_at=now, finished_at=now)
        )

    def _record_problem(self, connection: Connection, job: Job, problem: Problem, now: float) -> None:
        connection.execute(
            problems.insert().values(
                job_id=job.id,
                flow=job.flow,
                trace_key=job.trace_key,
                code=problem.code,
                severity=problem.severity.value,
                team=problem.team.value,
                what=problem.what,
                why=problem.why,
                fix=problem.fix,
                details=problem.details or None,
                attempt=job.attempts,
                created_at=now,
            )
        )

    # -- operator actions ---------------------------------------------------------------------------

    def retry(self, job_ids: Iterable[int]) -> int:
        """Put failed or dead jobs back in the queue with a fresh set of attempts (one click). A job whose
        record has a live job already is settled instead: that job does the work."""
        ids = list(job_ids)
        if not ids:
            return 0
        now = self.clock()
        values = dict(
            state="queued", attempts=0, run_at=now, updated_at=now, finished_at=None, waiting_on=None
        )
        with self.engine.begin() as connection:
            return self._move_each(connection, ids, values, now)

    # -- reading ------------------------------------------------------------------------------------

    def get(self, job_id: int) -> Job | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return _job(row) if row else None

    def find(
        self,
        *,
        states: Iterable[str] | None = None,
        code: str | None = None,
        flow: str | None = None,
        limit: int = 100,
    ) -> list[Job]:
        query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
        if states:
            query = query.where(jobs.c.state.in_(list(states)))
        if flow:
            query = query.where(jobs.c.flow == flow)
        if code:
            query = (
                query.where(func.json_extract(jobs.c.problem, "$.code") == code)
                if self.engine.dialect.name == "sqlite"
                else query.where(jobs.c.problem["code"].as_string() == code)
            )
        with self.engine.connect() as connection:
            return [_job(row) for row in connection.execute(query).mappings()]

    def counts(self) -> dict[str, int]:
        query = select(jobs.c.state, func.count()).group_by(jobs.c.state)
        with self.engine.connect() as connection:
            found = {state: int(n) for state, n in connection.execute(query)}
        return {state: found.get(state, 0) for state in ALL_STATES}

    def counts_by_kind(self) -> dict[tuple[str, str], int]:
        query = select(jobs.c.kind, jobs.c.state, func.count()).group_by(jobs.c.kind, jobs.c.state)
        with self.engine.connect() as connection:
            return {(kind, state): int(n) for kind, state, n in connection.execute(query)}

    def has_runnable(self, *, within: float = 0.0) -> bool:
        """Is there work that is, or will within ``within`` seconds be, claimable (or is running)?"""
        now = self.clock()
        query = (
            select(jobs.c.id)
            .where(
                or_(
                    jobs.c.state == "running",
                    and_(jobs.c.state.in_(RUNNABLE_STATES), jobs.c.run_at <= now + within),
                )
            )
            .limit(1)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def next_run_at(self) -> float | None:
        query = select(func.min(jobs.c.run_at)).where(jobs.c.state.in_(RUNNABLE_STATES))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def overview(self, *, windows: tuple[int, ...] = (60, 300, 900)) -> QueueOverview:
        """What an operator asks first: how much is where, how old is the oldest waiting job, how fast
        is work getting done."""
        now = self.clock()
        with self.engine.connect() as connection:
            by_lane = {
                (lane, state): int(n)
                for lane, state, n in connection.execute(
                    select(jobs.c.lane, jobs.c.state, func.count()).group_by(jobs.c.lane, jobs.c.state)
                )
            }
            oldest = connection.execute(
                select(func.min(jobs.c.created_at)).where(
                    jobs.c.state.in_(RUNNABLE_STATES), jobs.c.run_at <= now
                )
            ).scalar()
            throughput = {}
            for seconds in windows:
                done = connection.execute(
                    select(func.count()).where(jobs.c.state == "done", jobs.c.finished_at >= now - seconds)
                ).scalar_one()
                throughput[seconds] = done / seconds
            live_workers = connection.execute(
                select(func.count()).select_from(workers).where(workers.c.heartbeat_at >= now - 120)
            ).scalar_one()
        return QueueOverview(by_lane, None if oldest is None else now - oldest, throughput, int(live_workers))

    def stalls(self, *, stall_seconds: float, due_age_seconds: float) -> list[str]:
        """What the database says is standing still, in words an operator can act on: no live worker
        while work is due, a backlog that has not moved, jobs left running with leases long expired."""
        now = self.clock()
        found = []
        with self.engine.connect() as connection:
            oldest_due = connection.execute(
                select(func.min(jobs.c.run_at)).where(jobs.c.state.in_(RUNNABLE_STATES), jobs.c.run_at <= now)
            ).scalar()
            last_beat = connection.execute(select(func.max(workers.c.heartbeat_at))).scalar()
            last_done = connection.execute(
                select(func.max(jobs.c.finished_at)).where(jobs.c.state == "done")
            ).scalar()
            abandoned = connection.execute(
                select(func.count()).where(
                    jobs.c.state == "running", jobs.c.lease_until < now - stall_seconds
                )
            ).scalar_one()
        if oldest_due is not None:
            waited = now - oldest_due
            if last_beat is None or now - last_beat > stall_seconds:
                silent = "ever" if last_beat is None else f"for {now - last_beat:.0f} s"
                found.append(f"jobs are due but no worker has heartbeated {silent}")
            if waited > stall_seconds and (last_done is None or now - last_done > stall_seconds):
                found.append(f"the backlog has not moved: the oldest due job has waited {waited:.0f} s")
            elif waited > due_age_seconds:
                found.append(f"the oldest due job has waited {waited:.0f} s (limit {due_age_seconds:.0f} s)")
        if abandoned:
            found.append(f"{abandoned} jobs are running with leases expired over {stall_seconds:.0f} s ago")
        return found

    def purge(self, *, older_than_days: float) -> int:
        """Delete finished jobs (and their problems) and old webhook records past the retention period.
        Failed and dead jobs are kept: they are the error queue until an operator acts."""
        cutoff = self.clock() - older_than_days * 86400
        with self.engine.begin() as connection:
            old = select(jobs.c.id).where(jobs.c.state == "done", jobs.c.finished_at < cutoff)
            connection.execute(delete(problems).where(problems.c.job_id.in_(old)))
            removed = connection.execute(
                delete(jobs).where(jobs.c.state == "done", jobs.c.finished_at < cutoff)
            )
            connection.execute(delete(webhook_events).where(webhook_events.c.received_at < cutoff))
            connection.execute(delete(schedule_ticks).where(schedule_ticks.c.fired_at < cutoff))
        return removed.rowcount or 0

    def problems_for(self, job_id: int) -> list[dict[str, Any]]:
        query = select(problems).where(problems.c.job_id == job_id).order_by(problems.c.id)
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    dead_workers: list[str]
    freed_slots: int
    woken: int = 0


def _held_by(worker: str | None) -> ColumnElement[bool]:
    return jobs.c.worker.is_(None) if worker is None else jobs.c.worker == worker


def _still_held(job: Job) -> tuple[ColumnElement[bool], ...]:
    """The job is still running under the worker that claimed it (it has not lost its lease)."""
    return (jobs.c.id == job.id, jobs.c.state == "running", _held_by(job.worker))


def _rerun_spec(job: Job) -> JobSpec:
    """The one re-run a change seen while the job ran asks for."""
    return JobSpec(
        kind=job.kind,
        flow=job.flow,
        record_key=job.record_key,
        payload={**job.payload, "reason": "changed while syncing"},
        dedupe_key=job.dedupe_key,
        lock_key=job.lock_key,
        provides=job.provides,
        lane=job.lane,
        priority=job.priority,
        max_attempts=job.max_attempts,
    )


def _free_slots_of(connection: Connection, holders: list[str]) -> int:
    """Free the governor slots held by these processes (a slot's holder is ``<process>:<request>``)."""
    freed = 0
    for holder in holders:
        result = connection.execute(
            update(governor_slots)
            .where(governor_slots.c.holder.startswith(f"{holder}:", autoescape=True))
            .values(holder=None, lease_until=None)
            .returning(governor_slots.c.slot)
        ).all()
        freed += len(result)
    return freed


def unexpected_problem(job: Job, error: BaseException) -> Problem:
    """An exception nobody classified: treat as transient (a bug or a blip), bounded by max attempts."""
    return Problem(
        code=Code.UNEXPECTED,
        what=f"{job.kind} for {job.record_key}",
        why=f"{type(error).__name__}: {error}",
        fix="retried automatically; if it keeps failing, report it with `ledgerlink errors show <job id>`",
        severity=Severity.TRANSIENT,
        team=Team.INTEGRATION,
        details={"exception": type(error).__name__},
    )
