"""Many claimers at once: no job is handed out twice, and one lock key never runs twice at once."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import Engine

from ledgerlink.engine.queue import Job, JobSpec, Queue


def test_concurrent_claimers_never_share_a_job_or_a_lock_key(database: Engine) -> None:
    queue = Queue(database)
    for n in range(300):
        queue.enqueue(JobSpec(kind="k", flow="f", record_key=str(n), lock_key=f"lock-{n % 40}"))
    claimed: list[Job] = []
    running: Counter[str] = Counter()
    violations: list[str] = []
    guard = threading.Lock()

    def claimer(name: str) -> None:
        while True:
            jobs = queue.claim(name, 8)
            if not jobs:
                if not queue.has_runnable():
                    return
                continue
            with guard:
                for job in jobs:
                    running[job.lock_key] += 1
                    if running[job.lock_key] > 1:
                        violations.append(job.lock_key)
                claimed.extend(jobs)
            for job in jobs:
                with guard:
                    running[job.lock_key] -= 1
                queue.complete(job)

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [job.id for job in claimed]
    assert len(ids) == len(set(ids)) == 300
    assert violations == []
    assert queue.counts()["done"] == 300
