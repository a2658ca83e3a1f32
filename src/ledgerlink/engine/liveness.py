"""What the engine's loops say about themselves, so that ``/healthz`` can tell a live process from one
whose loops died quietly.

Each loop (a worker, the stalled-job sweep inside it, the scheduler, the incident prober) says when it
starts, beats on every turn, reports the exceptions it survived and says when it stops. A loop that
stops while the process is not shutting down, or that has not beaten for a while, makes the process
unhealthy; the counts of survived exceptions are exported in ``/metrics``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoopState:
    name: str
    started_at: float
    last_beat: float
    errors: int = 0
    last_error: str | None = None
    stopped_at: float | None = None
    stopped_because: str | None = None
    expected: bool = False  # stopped as asked (shutdown, a sync that ran out of work)


@dataclass
class Liveness:
    clock: Callable[[], float] = time.time
    loops: dict[str, LoopState] = field(default_factory=dict)

    def started(self, name: str) -> None:
        now = self.clock()
        self.loops[name] = LoopState(name, now, now)

    def beat(self, name: str) -> None:
        state = self.loops.get(name)
        if state is None:
            self.started(name)
        else:
            state.last_beat = self.clock()

    def failed(self, name: str, error: BaseException) -> None:
        state = self.loops.get(name) or LoopState(name, self.clock(), self.clock())
        self.loops[name] = state
        state.errors += 1
        state.last_error = f"{type(error).__name__}: {error}"[:500]

    def stopped(self, name: str, *, expected: bool, because: str | None = None) -> None:
        state = self.loops.get(name)
        if state is None:
            return
        state.stopped_at = self.clock()
        state.expected = expected
        state.stopped_because = because

    def errors(self) -> dict[str, int]:
        return {name: state.errors for name, state in self.loops.items()}

    def problems(self, *, stale_after: float) -> list[str]:
        """Why this process is not healthy, in words an operator can act on; empty when it is."""
        now = self.clock()
        found = []
        for state in self.loops.values():
            if state.stopped_at is not None:
                if not state.expected:
                    found.append(
                        f"the {state.name} loop stopped {now - state.stopped_at:.0f} s ago: "
                        f"{state.stopped_because or state.last_error or 'no reason given'}"
                    )
            elif now - state.last_beat > stale_after:
                found.append(
                    f"the {state.name} loop has not turned for {now - state.last_beat:.0f} s"
                    + (f" (last error: {state.last_error})" if state.last_error else "")
                )
        return found
