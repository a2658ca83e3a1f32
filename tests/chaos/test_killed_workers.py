"""Workers killed with SIGKILL, again and again, on PostgreSQL: no job is lost, none runs beside another
job of its lock key, and a job runs twice only when the process running it was killed."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from tests.chaos.chaos_worker import chaos, executions
from tests.conftest import POSTGRES_URL

from ledgerlink.engine.queue import JobSpec, Queue
from ledgerlink.store.db import open_database

JOBS = 5000
LOCK_KEYS = 500
WORKERS = 4
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        pytest.skip(
            f"PostgreSQL not reachable at {POSTGRES_URL}; the chaos test needs it (.ci/run starts it)"
        )
    schema = f"chaos_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def start_worker(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.chaos.chaos_worker", url], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def test_sigkilled_workers_lose_nothing_and_never_overlap(postgres_url: str) -> None:
    engine: Engine = open_database(postgres_url)
    chaos.create_all(engine)
    queue = Queue(engine)
    with engine.begin() as connection:
        for n in range(JOBS):
            job = JobSpec(kind="chaos", flow="chaos", record_key=str(n), lock_key=f"k{n % LOCK_KEYS}")
            queue.enqueue(job, connection=connection)
    rng = random.Random(11)
    workers = [start_worker(postgres_url) for _ in range(WORKERS)]
    killed: set[int] = set()
    deadline = time.monotonic() + 240
    try:
        kills = 0
        while queue.counts()["done"] < JOBS and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.4, 1.2))
            if kills < 12 and queue.counts()["done"] < JOBS * 0.9:
                victim = workers.pop(rng.randrange(len(workers)))
                os.kill(victim.pid, signal.SIGKILL)
                victim.wait()
                killed.add(victim.pid)
                kills += 1
                workers.append(start_worker(postgres_url))
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert kills >= 5, "the test must actually kill workers"
    assert queue.counts()["done"] == JOBS, queue.counts()

    with engine.connect() as db:
        rows = db.execute(select(executions).order_by(executions.c.started)).mappings().all()
    by_job: dict[int, list[dict[str, object]]] = defaultdict(list)
    by_lock: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_job[int(row["job_id"])].append(dict(row))
        by_lock[str(row["lock_key"])].append(dict(row))
    assert len(by_job) == JOBS
    reruns = 0
    for runs in by_job.values():
        for earlier in runs[:-1]:  # every run but the last belongs to a process that was killed
            assert earlier["pid"] in killed, runs
            reruns += 1
    for lock, runs in by_lock.items():
        for previous, current in itertools.pairwise(runs):
            if previous["finished"] is not None and previous["pid"] not in killed:
                assert current["started"] >= previous["finished"], (lock, previous, current)  # type: ignore[operator]
    assert reruns >= 1, "killed workers should have left jobs to run again"
    engine.dispose()
