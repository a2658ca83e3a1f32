"""The rules for a record's jobs, in one place: states, the transitions between them, and what a new
enqueue does to a record that already has a job.

A *record* is what a dedupe key names (one store order towards one NetSuite account, one customer, one
poll). The rules keep one invariant that the schema enforces with a partial unique index
(``uq_jobs_live_dedupe``): **at most one live job per dedupe key**, live meaning queued, retrying,
waiting or running. Because a running job counts, no later state change of that job can collide with a
second row for the same record: parking it, snoozing it, failing it, requeueing it after its worker died
or handing it back at shutdown all move the one live row, never a second one.

What a new enqueue does, by the state of the record's live job:

============  ==================================================================================
live job      enqueue
============  ==================================================================================
none          insert a new queued job
queued        nothing: the queued job reads the record when it runs, so it sees the latest change
retrying      nothing, for the same reason
waiting       nothing: the waiting job reads the record again when it resumes
running       mark it to **re-run once** after it finishes (``rerun``), when the spec asks for it:
              the running job may have read the record before the change that this enqueue
              announces. Completing a job marked to re-run inserts one fresh queued job in the
              same transaction; parking or snoozing it clears the mark, since it runs again anyway.
============  ==================================================================================

Error states (failed, dead) are not live: a new enqueue for a record in the error queue inserts a new
job, and when that job fails too it supersedes the older error row, so the error queue holds one row per
record. A later success of the record settles its error rows.
"""

from __future__ import annotations

from typing import Final

QUEUED: Final = "queued"
RUNNING: Final = "running"
WAITING: Final = "waiting"
RETRYING: Final = "retrying"
FAILED: Final = "failed"
DEAD: Final = "dead"
DONE: Final = "done"

ALL_STATES: Final = (QUEUED, RUNNING, WAITING, RETRYING, FAILED, DEAD, DONE)
RUNNABLE_STATES: Final = (QUEUED, RETRYING)
PENDING_STATES: Final = (QUEUED, RETRYING, WAITING)
LIVE_STATES: Final = (*PENDING_STATES, RUNNING)  # at most one job per dedupe key among these
ERROR_STATES: Final = (FAILED, DEAD)

# Every transition the queue makes, by name: the state a job must be in, and the states it may go to.
TRANSITIONS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "claim": (RUNNABLE_STATES, (RUNNING,)),
    "complete": ((RUNNING,), (DONE,)),
    "park": ((RUNNING,), (WAITING,)),  # waiting on a dependency or on a connection incident
    "fail": ((RUNNING,), (RETRYING, FAILED, DEAD)),
    "release": ((RUNNING,), (QUEUED,)),  # handed back at shutdown, attempt not spent
    "requeue_stalled": ((RUNNING,), (RETRYING,)),  # its worker stopped heartbeating
    "resume": ((WAITING, FAILED), (QUEUED,)),  # the dependency was provided
    "fail_waiter": ((WAITING,), (FAILED,)),  # the dependency failed for good
    "operator_retry": (ERROR_STATES, (QUEUED,)),
    "settle": (ERROR_STATES, (DONE,)),  # a later run of the record succeeded, or superseded it
}


def allowed(transition: str, before: str, after: str) -> bool:
    """Is ``before -> after`` a move the named transition may make?"""
    sources, targets = TRANSITIONS[transition]
    return before in sources and after in targets


def live_sql(column: str = "state") -> str:
    """The live states as an SQL condition, for partial indexes and migrations."""
    return f"{column} IN ({', '.join(repr(s) for s in LIVE_STATES)})"
