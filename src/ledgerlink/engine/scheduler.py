"""Periodic triggers that fire once per period, however many schedulers run.

Each firing inserts (schedule, period number) into ``schedule_ticks``; the primary key lets exactly one
scheduler win a period. The job it enqueues is deduped too, so a slow period never piles up work.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite

from ledgerlink.engine.queue import JobSpec, Queue
from ledgerlink.store.tables import schedule_ticks


@dataclass(frozen=True)
class Schedule:
    name: str
    interval_seconds: float
    job: Callable[[], JobSpec]


class Scheduler:
    def __init__(
        self, queue: Queue, schedules: list[Schedule], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.queue = queue
        self.schedules = schedules
        self.clock = clock

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
                ).rowcount
                if won:
                    job_id = self.queue.enqueue(schedule.job(), connection=connection)
                    if job_id is not None:
                        enqueued.append(job_id)
        return enqueued

    async def run(self, stop: asyncio.Event, *, resolution: float = 1.0) -> None:
        while not stop.is_set():
            self.tick()
            try:
                await asyncio.wait_for(stop.wait(), timeout=resolution)
            except TimeoutError:
                pass
