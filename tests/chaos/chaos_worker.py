"""A worker process for the chaos test: runs jobs whose handler records every execution."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, insert, update

from ledgerlink.engine.queue import Completion, Job, Queue
from ledgerlink.engine.worker import Worker
from ledgerlink.store.db import open_database

chaos = MetaData()
executions = Table(
    "chaos_executions",
    chaos,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Integer, nullable=False),
    Column("lock_key", String(100), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started", Float, nullable=False),
    Column("finished", Float),
)


def make_handler(engine: Engine):  # type: ignore[no-untyped-def]
    async def handler(job: Job) -> Completion:
        with engine.begin() as db:
            row = db.execute(
                insert(executions)
                .values(job_id=job.id, lock_key=job.lock_key, pid=os.getpid(), started=time.time())
                .returning(executions.c.id)
            ).scalar_one()
        await asyncio.sleep(random.uniform(0.001, 0.02))
        with engine.begin() as db:
            db.execute(update(executions).where(executions.c.id == row).values(finished=time.time()))
        return Completion()

    return handler


def main() -> None:
    engine = open_database(sys.argv[1])
    queue = Queue(engine)
    worker = Worker(queue, {"chaos": make_handler(engine)}, concurrency=16, poll_interval=0.01,
                    lease_seconds=2.0, heartbeat_seconds=0.5)  # fmt: skip
    asyncio.run(worker.run())


if __name__ == "__main__":
    main()
