"""Periodic triggers that fire once per period, however many schedulers run.

Each firing inserts (schedule, period number) into ``schedule_ticks``; the primary key lets exactly one
scheduler win a period, on SQLite and PostgreSQL alike: the win is read from ``RETURNING``, because a
driver may report an unknown row count (-1) for an insert that did nothing. The job it enqueues is
deduped too, so a slow period never piles up work.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.dialects import postgresql, sqlite

from ledgerlink.engine.liveness import Liveness
from ledgerlink.engine.queue import JobSpec, Queue
from ledgerlink.store.tables import schedule_ticks

log = structlog.get_logger("ledgerlink.scheduler")
LOOP = "scheduler"


@dataclass(frozen=True)
class Schedule:
    name: str
    interval_seconds: float
    job: Callable[[], JobSpec]


class Scheduler:
    def __init__(
        self,
        queue: Queue,
        schedules: list[Schedule],
        *,
        clock: Callable[[], float] = time.time,
        liveness: Liveness | None = None,
        max_backoff: float = 30.0,
    ) -> None:
        self.queue = queue
        self.schedules = schedules
        self.clock = clock
        self.liveness = liveness or Liveness()
        self.max_backoff = max_backoff

    def tick(self) -> list[int]:
        """Fire every schedule whose current period has not fired yet; returns the job ids enqueued."""
        now = self.clock()
        enqueued: list[int] = []
        engine = self.queue.engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        for schedule in self.schedules:
            period = int(now // schedule.interval_seconds)
            with engine.begin() as connection:
                won = connection.execute(
                    insert(schedule_ticks)
                    .values(schedule=schedule.name, tick=period, fired_at=now)
                    .on_conflict_do_nothing()
                    .returning(schedule_ticks.c.tick)
                ).first()
                if won is not None:
                    job_id = self.queue.enqueue(schedule.job(), connection=connection)
                    if job_id is not None:
                        enqueued.append(job_id)
        return enqueued

    async def run(self, stop: asyncio.Event, *, resolution: float = 1.0) -> None:
        """Tick every ``resolution`` seconds until stopped; a failing tick (the database is away) is
        logged with its traceback, counted, and tried again after a capped backoff."""
        self.liveness.started(LOOP)
        failures = 0
        try:
            while not stop.is_set():
                delay = resolution
                try:
                    self.tick()
                except Exception as error:
                    failures += 1
                    self.liveness.failed(LOOP, error)
                    delay = min(self.max_backoff, resolution * 2**failures)
                    log.exception("scheduler tick failed; going on", retry_in=delay)
                else:
                    failures = 0
                    self.liveness.beat(LOOP)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
        finally:
            self.liveness.stopped(LOOP, expected=stop.is_set(), because="stopped")
