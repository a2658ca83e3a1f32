"""Jobs per second through the queue with a no-op handler, on SQLite and PostgreSQL.

Each figure is one run: enqueue N jobs, then let P worker processes claim, run and complete them;
the rate is N divided by the time from the first claim to the last completion. With ``--profile``, a
cProfile summary of one single-process run per backend shows where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import multiprocessing
import os
import pstats
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue
from ledgerlink.engine.worker import Worker
from ledgerlink.store.db import open_database

POSTGRES_URL = os.environ.get(
    "LEDGERLINK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


async def _noop(job: Job) -> Completion:
    return Completion()


def _enqueue(url: str, count: int) -> None:
    engine = open_database(url)
    queue = Queue(engine)
    with engine.begin() as connection:
        for n in range(count):
            queue.enqueue(JobSpec(kind="noop", flow="bench", record_key=str(n)), connection=connection)
    engine.dispose()


def _work(url: str, concurrency: int, ready: Any = None, go: Any = None) -> None:
    engine = open_database(url)
    worker = Worker(Queue(engine), {"noop": _noop}, concurrency=concurrency, poll_interval=0.005)
    if ready is not None:
        ready.release()
        go.wait()
    asyncio.run(worker.run(until_idle=True))
    engine.dispose()


@dataclass
class Figure:
    backend: str
    processes: int
    jobs: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds


def run(url: str, backend: str, processes: int, jobs: int, concurrency: int) -> Figure:
    _enqueue(url, jobs)
    if processes == 1:
        started = time.perf_counter()
        _work(url, concurrency)
        return Figure(backend, processes, jobs, time.perf_counter() - started)
    # Processes start, import and connect first; the clock starts when all of them are ready.
    context = multiprocessing.get_context("spawn")
    ready, go = context.Semaphore(0), context.Event()
    workers = [context.Process(target=_work, args=(url, concurrency, ready, go)) for _ in range(processes)]
    for process in workers:
        process.start()
    for _ in workers:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for process in workers:
        process.join()
    return Figure(backend, processes, jobs, time.perf_counter() - started)


def _postgres_schema() -> str | None:
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        return POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    except Exception:
        return None


def profile(url: str, jobs: int, concurrency: int) -> str:
    _enqueue(url, jobs)
    profiler = cProfile.Profile()
    profiler.enable()
    _work(url, concurrency)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32, help="jobs in flight per process")
    parser.add_argument(
        "--profile", action="store_true", help="print where the time goes (1 process, each backend)"
    )
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        figures.append(run(f"sqlite:///{tmp}/bench.db", "sqlite", 1, args.jobs, args.concurrency))
        if args.profile:
            print("SQLite, 1 process:")
            print(profile(f"sqlite:///{tmp}/profile.db", min(args.jobs, 2000), args.concurrency))
    for processes in (1, 2, 4):
        url = _postgres_schema()
        if url is None:
            print(f"PostgreSQL not reachable at {POSTGRES_URL}: skipped")
            break
        figures.append(run(url, "postgresql", processes, args.jobs, args.concurrency))
        if args.profile and processes == 1:
            profile_url = _postgres_schema()
            if profile_url is not None:
                print("PostgreSQL, 1 process:")
                print(profile(profile_url, min(args.jobs, 2000), args.concurrency))
    print(f"{'backend':<12}{'processes':>10}{'jobs':>8}{'seconds':>10}{'jobs/s':>10}")
    for figure in figures:
        print(
            f"{figure.backend:<12}{figure.processes:>10}{figure.jobs:>8}{figure.seconds:>10.2f}{figure.rate:>10.0f}"
        )


if __name__ == "__main__":
    main()
