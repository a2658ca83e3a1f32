"""``/healthz``: is this process doing its work, and is the engine as a whole?

It answers 503 with the reasons when a loop of this process stopped or stopped turning, when no worker
has heartbeated while work is due, when the backlog stands still or the oldest due job is too old, when
jobs sit running with leases long expired, or when the database does not answer. A supervisor or load
balancer can act on the status alone; an operator reads the reasons.
"""

from __future__ import annotations

from typing import Any

from ledgerlink.runtime import Runtime


def health_report(runtime: Runtime) -> tuple[bool, dict[str, Any]]:
    engine = runtime.config.engine
    reasons = runtime.liveness.problems(stale_after=engine.stall_seconds)
    counts: dict[str, int] = {}
    try:
        reasons += runtime.queue.stalls(
            stall_seconds=engine.stall_seconds, due_age_seconds=engine.due_age_seconds
        )
        counts = runtime.queue.counts()
    except Exception as error:  # the database is the engine's heart: not answering is unhealthy
        reasons.append(f"the database does not answer: {type(error).__name__}: {str(error)[:200]}")
    healthy = not reasons
    return healthy, {
        "ok": healthy,
        "reasons": reasons,
        "loops": {name: {"errors": state.errors} for name, state in runtime.liveness.loops.items()},
        "jobs": counts,
    }
