"""Workers: claim jobs, run their handlers concurrently on one event loop, and record the outcome.

Handlers are async callables registered per job kind. They return a :class:`Completion`, raise
:class:`ProblemError` (the engine retries or parks the job per the problem), or raise :class:`WaitFor`
to park the job until a dependency is provided.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from ledgerlink.engine.incidents import ConnectionDown
from ledgerlink.engine.lanes import current_lane
from ledgerlink.engine.liveness import Liveness
from ledgerlink.engine.problems import Problem, ProblemError
from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue, unexpected_problem, worker_identity

log = structlog.get_logger("ledgerlink.worker")

Handler = Callable[[Job], Awaitable[Completion | None]]


class WaitFor(Exception):
    """Park the job until the job that provides ``key`` completes; ``provider`` is enqueued first."""

    def __init__(self, key: str, problem: Problem, provider: JobSpec | None = None) -> None:
        super().__init__(f"waiting on {key}")
        self.key = key
        self.problem = problem
        self.provider = provider


@dataclass
class WorkerStats:
    done: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    lost: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class Worker:
    def __init__(
        self,
        queue: Queue,
        handlers: dict[str, Handler],
        *,
        concurrency: int = 8,
        poll_interval: float = 0.2,
        lease_seconds: float = 15.0,
        heartbeat_seconds: float = 2.0,
        worker_id: str | None = None,
        role: str = "worker",
        on_outcome: Callable[[Job, str], None] | None = None,
        liveness: Liveness | None = None,
        max_backoff: float = 30.0,
    ) -> None:
        if heartbeat_seconds >= lease_seconds:
            raise ValueError("the heartbeat must come well within the lease, or live jobs are requeued")
        self.queue = queue
        self.handlers = handlers
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.worker_id = worker_id or worker_identity(role)
        self.role = role
        self.on_outcome = on_outcome
        self.liveness = liveness or Liveness()
        self.max_backoff = max_backoff
        self.stats = WorkerStats()
        self._inflight: dict[asyncio.Task[None], Job] = {}
        self._finished: list[tuple[Job, Completion]] = []
        self._last_heartbeat = 0.0

    @property
    def loop_name(self) -> str:
        return f"worker {self.worker_id}"

    async def run(
        self,
        stop: asyncio.Event | None = None,
        *,
        until_idle: bool = False,
        idle_horizon: float = 0.0,
        drain_seconds: float = 30.0,
    ) -> WorkerStats:
        """Run until ``stop`` is set, or (``until_idle``) until nothing is runnable within the horizon.

        On stop, no new job is claimed; in-flight jobs get ``drain_seconds`` to finish, after which they
        are cancelled and released back to the queue without spending their attempt. An unexpected
        exception in the loop itself (the database went away, say) is logged with its traceback, counted,
        and the loop goes on after a capped backoff: a worker never dies quietly.
        """
        stop = stop or asyncio.Event()
        self.liveness.started(self.loop_name)
        self.queue.register_worker(self.worker_id, self.role)
        failures = 0
        reason = "stopped"
        try:
            while not stop.is_set():
                try:
                    finished = await self._turn(stop, until_idle=until_idle, idle_horizon=idle_horizon)
                except Exception as error:
                    failures += 1
                    self.liveness.failed(self.loop_name, error)
                    delay = min(self.max_backoff, self.poll_interval * 2**failures)
                    log.exception("worker loop failed; going on", worker=self.worker_id, retry_in=delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                    continue
                failures = 0
                self.liveness.beat(self.loop_name)
                if finished:
                    reason = "ran out of work"
                    break
        except BaseException as error:
            reason = f"{type(error).__name__}: {error}"
            raise
        finally:
            self.liveness.stopped(self.loop_name, expected=stop.is_set() or reason == "ran out of work",
                                  because=reason)  # fmt: skip
            await self._drain(drain_seconds)
            self._settle_finally()
        return self.stats

    async def _turn(self, stop: asyncio.Event, *, until_idle: bool, idle_horizon: float) -> bool:
        """One turn of the loop: flush, heartbeat and sweep when due, claim, start. True when idle."""
        self._flush()
        now = time.monotonic()
        if now - self._last_heartbeat >= self.heartbeat_seconds:
            self.queue.heartbeat(
                self.worker_id, [j.id for j in self._inflight.values()], lease_seconds=self.lease_seconds
            )
            self._last_heartbeat = now
            swept = self.queue.sweep(dead_after=self.lease_seconds)
            if swept.requeued or swept.dead_workers:
                log.warning(
                    "requeued the jobs of silent workers",
                    requeued=swept.requeued,
                    dead_workers=swept.dead_workers,
                    freed_slots=swept.freed_slots,
                )
        free = self.concurrency - len(self._inflight)
        claimed = self.queue.claim(self.worker_id, free, lease_seconds=self.lease_seconds) if free else []
        for job in claimed:
            task = asyncio.create_task(self._run_one(job), name=f"job-{job.id}")
            self._inflight[task] = job
            task.add_done_callback(self._forget)
        if until_idle and not self._inflight and not claimed and not self._finished:
            if not self.queue.has_runnable(within=idle_horizon):
                return True
        if claimed and len(self._inflight) < self.concurrency:
            await asyncio.sleep(0)  # more may be claimable right away
            return False
        await self._pause(stop)
        return False

    def _settle_finally(self) -> None:
        """At the end: completions are committed and the worker leaves the table, even after errors."""
        for step in (self._flush, lambda: self.queue.unregister_worker(self.worker_id)):
            try:
                step()
            except Exception:
                log.exception("worker shutdown step failed", worker=self.worker_id)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._inflight.pop(task, None)

    async def _pause(self, stop: asyncio.Event) -> None:
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(stop.wait())}
        if len(self._inflight) >= self.concurrency:
            waiters |= set(self._inflight)  # type: ignore[arg-type]
        _done, pending = await asyncio.wait(
            waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
        )
        for future in pending:
            if future not in self._inflight:
                future.cancel()

    async def _drain(self, deadline: float) -> None:
        if not self._inflight:
            return
        tasks = list(self._inflight)
        _done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            job = self._inflight.get(task)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            if job is not None:
                try:
                    self.queue.release(job)
                except Exception:
                    log.exception("could not release a job at shutdown; the sweep will", job=job.id)
                else:
                    log.warning("job released at shutdown", job=job.id, kind=job.kind)

    async def _run_one(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        current_lane.set(job.lane)  # the governor keeps budget for urgent lanes
        try:
            if handler is None:
                raise ProblemError(
                    Problem(
                        code="UNKNOWN_JOB_KIND",
                        what=f"job {job.id} of kind {job.kind}",
                        why="no handler is registered for this kind in this process",
                        fix="run a worker whose configuration includes this flow, or cancel the job",
                    )
                )
            completion = await handler(job)
        except asyncio.CancelledError:
            raise
        except WaitFor as wait:
            self._record(job, functools.partial(self._park, job, wait))
        except ConnectionDown as down:  # the connection failed, not the record: wait on its incident
            self._record(job, functools.partial(down.incidents.park, self.queue, job, down))
        except ProblemError as error:
            self._record(job, functools.partial(self._fail, job, error.problem))
        except Exception as error:  # a bug or an unclassified failure: bounded retries, then dead
            log.exception("job crashed", job=job.id, kind=job.kind)
            self._record(job, functools.partial(self.queue.fail, job, unexpected_problem(job, error)))
        else:
            self._finished.append((job, completion or Completion()))

    def _park(self, job: Job, wait: WaitFor) -> str:
        if wait.provider is not None:
            self.queue.enqueue(wait.provider)
        self.queue.wait(job, wait.key, wait.problem)
        return "waiting"

    def _fail(self, job: Job, problem: Problem) -> str:
        state = self.queue.fail(job, problem)
        log.info("job problem", job=job.id, kind=job.kind, code=problem.code, state=state)
        return state

    def _record(self, job: Job, outcome: Callable[[], str]) -> None:
        """Write a job's outcome. Should that fail (the database is away), the job stays running under
        this worker and is requeued by the sweep once its lease runs out; the error is logged and
        counted, never lost in a task nobody awaits."""
        try:
            state = outcome()
        except Exception as error:
            self.liveness.failed(self.loop_name, error)
            log.exception("could not record a job's outcome; the sweep will requeue it", job=job.id)
            return
        self._count(job, state)

    def _flush(self) -> None:
        """Commit the completions gathered since the last flush in one transaction."""
        if not self._finished:
            return
        batch, self._finished = self._finished, []
        try:
            self.queue.complete_many(batch)
        except Exception:
            # One bad completion (say, a link that collides) must not sink the others: commit singly.
            log.exception("batch completion failed; completing one by one", jobs=len(batch))
            for job, completion in batch:
                try:
                    self.queue.complete(job, completion)
                except Exception as error:
                    self._record(job, functools.partial(self.queue.fail, job, unexpected_problem(job, error)))
                else:
                    self._count(job, "done")
            return
        for job, _completion in batch:
            self._count(job, "done")

    def _count(self, job: Job, state: str) -> None:
        if state == "done":
            self.stats.done += 1
        elif state == "retrying":
            self.stats.retrying += 1
        elif state == "waiting":
            self.stats.waiting += 1
        elif state == "lost":
            self.stats.lost += 1  # the lease ran out meanwhile: the job's next run decides
        else:
            self.stats.failed += 1
        key = f"{job.kind}:{state}"
        self.stats.by_kind[key] = self.stats.by_kind.get(key, 0) + 1
        if self.on_outcome:
            self.on_outcome(job, state)
